"""Fuzzing the normaliser: mutated real records and pages in, sound records or documented errors out.

A failure `normalize_records` isolates to one record must be a `MetadataError`
the reader raised on purpose: a failure it had to wrap (an unexpected
exception, kept as the error's `__cause__`) is a bug in the mapping.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from metadata.errors import MetadataError
from metadata.normalize import normalize_metadata, normalize_records
from tests.fuzz.invariants import assert_sound
from tests.fuzz.mutations import (
    ALL_SEEDS,
    PAGE_SEEDS,
    RECORD_SEEDS,
    WELL_FORMED_PAGES,
    WELL_FORMED_RECORDS,
    mutated,
    tree_mutated,
)
from tests.fuzz.profiles import FUZZ_SETTINGS


def normalise_page(data: bytes) -> None:
    try:
        results = normalize_records(data)
    except MetadataError:
        return
    for result in results:
        if result.record is None:
            assert isinstance(result.error, MetadataError)
            assert result.error.__cause__ is None, f"mapping bug: {result.error}"
        else:
            assert result.error is None
            assert_sound(result.record)


_LOM = '<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2">{}</lom>'


@FUZZ_SETTINGS
@given(data=tree_mutated(WELL_FORMED_RECORDS))
# Found by fuzzing: a DEL character kept in a title; a learning time that raised OverflowError.
@example(data=_LOM.format("<general><title><langstring>\x7f</langstring></title></general>").encode())
@example(data=_LOM.format("<educational><typicallearningtime><datetime>P" + "9" * 400
                          + "Y</datetime></typicallearningtime></educational>").encode())
def test_records_with_hostile_elements(data: bytes) -> None:
    normalise_page(data)


@FUZZ_SETTINGS
@given(data=tree_mutated(WELL_FORMED_PAGES))
def test_pages_with_hostile_elements(data: bytes) -> None:
    normalise_page(data)


@FUZZ_SETTINGS
@given(data=mutated(RECORD_SEEDS))
def test_records_with_broken_bytes(data: bytes) -> None:
    normalise_page(data)


@FUZZ_SETTINGS
@given(data=mutated(PAGE_SEEDS))
def test_pages_with_broken_bytes(data: bytes) -> None:
    normalise_page(data)


@FUZZ_SETTINGS
@given(data=st.one_of(tree_mutated(WELL_FORMED_RECORDS), mutated(ALL_SEEDS)),
       identifier=st.text(max_size=30), datestamp=st.text(max_size=30))
def test_one_payload(data: bytes, identifier: str, datestamp: str) -> None:
    """The entry the harvest takes for one record's metadata."""
    try:
        record = normalize_metadata(data, oai_identifier=identifier, datestamp=datestamp)
    except MetadataError:
        return
    assert_sound(record.with_changes(oai_identifier=None, datestamp=None))
