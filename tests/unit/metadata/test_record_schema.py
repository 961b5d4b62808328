"""The record's JSON Schema: every fixture-derived record validates, and it matches the code."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from metadata.errors import MetadataError
from metadata.issues import IssueCode
from metadata.normalize import normalize_records
from metadata.record import Record
from schemas import resources
from tests.support.metadata_fixtures import EDGE_DIR
from tests.support.paths import FIXTURES_DIR

SCHEMA = resources.load_json("record.schema.json")
VALIDATOR = Draft202012Validator(SCHEMA)

FILES = sorted(str(p.relative_to(FIXTURES_DIR.parent)) for p in FIXTURES_DIR.rglob("*.xml")) + sorted(
    str(p.relative_to(FIXTURES_DIR.parent)) for p in EDGE_DIR.glob("*.xml"))


def _records(path: str) -> list[Record]:
    try:
        results = normalize_records((FIXTURES_DIR.parent / path).read_bytes())
    except MetadataError:  # documents that are refused have no records to validate
        return []
    return [result.record for result in results if result.record is not None]


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FILES)
def test_every_record_validates(path: str) -> None:
    for record in _records(path):
        document = json.loads(json.dumps(record.to_dict(), ensure_ascii=False))
        errors = [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
        assert errors == [], record.oai_identifier


def test_schema_keys_are_the_record_contract() -> None:
    assert list(SCHEMA["properties"]) == list(Record().to_dict())
    assert SCHEMA["required"] == list(Record().to_dict())


def test_issue_codes_in_schema_match_the_code() -> None:
    assert SCHEMA["properties"]["issues"]["items"]["properties"]["code"]["enum"] == [
        code.value for code in IssueCode]


def test_schema_refuses_a_wrong_record() -> None:
    document = Record().to_dict()
    document["aggregation_level"] = 7
    document["extra"] = 1
    assert len(list(VALIDATOR.iter_errors(document))) == 2
