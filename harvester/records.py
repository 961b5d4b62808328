"""Plain values the OAI-PMH client hands out: raw records, pages, repository identity. Pure; no I/O.

These are what the rest of the product sees of a source; nothing here refers
to sickle, requests or lxml, so sinks and tests can build them by hand.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from harvester.datestamps import datestamp_or_none
from metadata.oai import Granularity


class DeletedRecordPolicy(enum.Enum):
    """How a repository reports deletions (Identify `<deletedRecord>`, OAI-PMH 2.0 section 2.5.1)."""

    NO = "no"
    TRANSIENT = "transient"
    PERSISTENT = "persistent"

    @classmethod
    def from_identify(cls, text: str | None) -> DeletedRecordPolicy:
        """Unknown or missing values count as `transient`: deletions may come, but not reliably."""
        try:
            return cls((text or "").strip())
        except ValueError:
            return cls.TRANSIENT


@dataclass(frozen=True, slots=True)
class RepositoryInfo:
    """What Identify says about a repository, as far as harvesting needs it."""

    name: str
    base_url: str
    protocol_version: str
    granularity: Granularity
    earliest_datestamp: str | None
    deleted_record: DeletedRecordPolicy


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One `<record>` of a ListRecords page, exactly as the source sent it.

    `metadata_xml` is the serialised first child of `<metadata>` (it keeps the
    namespace declarations it inherited from the envelope); None for deleted
    records and for records whose metadata could not be read. `raw_xml` is the
    whole `<record>` element, for the archive. `problem` says why the harvester
    could not read the record (header without identifier, no metadata, not
    well-formed XML); such a record must be stored as failed with its raw XML.
    `origin_identifiers` name the same record at the repositories it came from.
    `oai_identifier` is "" when the header has none; `sha256` then tells such
    records apart. `payload` is the parsed element `metadata_xml` was
    serialised from, when the client read the record in this process and
    parsing `metadata_xml` again would give the same tree: a normaliser in
    this process reads it instead of parsing the record a second time. It is
    never compared, shown or pickled (a copy elsewhere reads `metadata_xml`).
    """

    oai_identifier: str
    datestamp: str
    deleted: bool
    set_specs: tuple[str, ...]
    metadata_xml: bytes | None
    raw_xml: bytes
    problem: str | None = None
    # The OAI identifiers of the record at the repositories it was harvested from before
    # (`<about><provenance><originDescription><identifier>`, as Edurep gives for what it re-serves).
    origin_identifiers: tuple[str, ...] = ()
    sha256: str = field(init=False)
    payload: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.raw_xml).hexdigest())

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _PICKLED_FIELDS)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(_PICKLED_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "payload", None)

    @property
    def datestamp_utc(self) -> datetime | None:
        """The datestamp as an aware UTC datetime, or None if the source sent none we can read."""
        return datestamp_or_none(self.datestamp)


# What a pickled RawRecord keeps: everything but the parsed payload, which belongs to this process.
_PICKLED_FIELDS = tuple(f.name for f in fields(RawRecord) if f.name != "payload")


@dataclass(frozen=True, slots=True)
class Page:
    """One ListRecords response: its records and where the list goes on.

    `resumption_token` is None on the last page (absent or empty token element,
    OAI-PMH 2.0 section 3.5). `response_date` is the source's own clock, which
    is what the next incremental window is computed from.
    """

    records: tuple[RawRecord, ...]
    resumption_token: str | None
    cursor: int | None
    complete_list_size: int | None
    response_date: str
    expiration_date: str | None = None
    # Characters illegal in XML 1.0 that were removed from the response before parsing.
    removed_characters: int = 0
    # The response body the records were read from (decompressed, in UTF-8), for a consumer that
    # reads them again in another process (`harvester.oai_client.record_elements` finds them, and
    # their payloads read as `metadata_xml` does); None for a page salvaged record by record, or
    # one whose payloads read differently on their own (see `RawRecord.payload`).
    body: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def digest(self) -> str:
        """A fingerprint of the page's records, to notice a source serving the same page again."""
        return page_digest(self.records)


def page_digest(records: Sequence[RawRecord]) -> str:
    """Hash the records' raw XML in order; two pages with the same records have the same digest."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(record.sha256.encode("ascii"))
    return digest.hexdigest()
