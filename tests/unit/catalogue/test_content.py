"""A record's JSON encoded once serves its row and its content hash; the stored form says the same as the record."""

from __future__ import annotations

import json

from hypothesis import given, settings

from metadata.record import Record
from oer.catalogue.content import encode_record, record_hash
from oer.catalogue.keys import record_keys, same_material_keys
from oer.harvesting.provenance import stored_record
from tests.unit.metadata.strategies import records


@settings(max_examples=100, deadline=None)
@given(records())
def test_one_encoding_reads_back_as_the_record_and_hashes_as_its_content(record: Record) -> None:
    data = record.with_changes(oai_identifier="oai:x:1", datestamp="2024-01-01T00:00:00Z").to_dict()

    text, content_hash = encode_record(data)

    assert json.loads(text) == data
    assert content_hash == record_hash(data)
    # Where and when it was read is not content.
    moved = {**data, "oai_identifier": "oai:y:2", "datestamp": None}
    assert encode_record(moved)[1] == content_hash and json.loads(encode_record(moved)[0]) == moved


def test_a_document_without_the_fields_that_are_not_content_is_encoded_as_it_is() -> None:
    for data in ({}, {"title": "Breuken"}, {"datestamp": "2024-01-01"}):
        text, content_hash = encode_record(data)
        assert json.loads(text) == data and content_hash == record_hash(data)


@settings(max_examples=50, deadline=None)
@given(records())
def test_the_stored_form_says_what_the_record_says(record: Record) -> None:
    stored = stored_record(record)

    assert json.loads(stored.json) == record.to_dict()
    assert stored.content_hash == record_hash(record.to_dict())
    assert stored.title == record.title
    assert stored.completeness == record.completeness.score
    assert stored.relations == tuple((relation.kind, relation.target) for relation in record.relations)
    assert stored.own_keys == record_keys(record) and stored.material_keys == same_material_keys(record)
