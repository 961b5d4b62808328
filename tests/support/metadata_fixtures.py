"""The metadata tests' fixture directories and helpers to find records and issues in them."""

from __future__ import annotations

from collections.abc import Iterable

from metadata.record import Issue, Record
from tests.support.paths import DATA_DIR

EDGE_DIR = DATA_DIR / "edge"


def by_identifier(records: Iterable[Record], oai_identifier: str) -> Record:
    matches = [record for record in records if record.oai_identifier == oai_identifier]
    assert len(matches) == 1, f"{oai_identifier}: {len(matches)} records"
    return matches[0]


def issue_codes(record: Record, *, without_missing: bool = True) -> list[str]:
    """The record's issue codes, by default without the `required-missing` ones."""
    return [issue.code for issue in record.issues
            if not (without_missing and issue.code == "required-missing")]


def issues_with(record: Record, code: str) -> list[Issue]:
    return [issue for issue in record.issues if issue.code == code]
