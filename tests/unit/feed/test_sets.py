"""The feed's sets as saved queries: which sets a resource is in follows from its record and sources."""

from __future__ import annotations

import pytest

from metadata.record import Record
from oer.feed import sets as feed
from oer.feed.oai.contract import SET_SPEC_PATTERN, FeedSet
from oer.harvesting.sources import _NAME as SOURCE_NAME


def test_sector_sets_cover_the_nl_lom_context_vocabulary() -> None:
    assert feed.sector_contexts() == ("PO", "VO", "BVE", "HBO", "WO", "SO", "SBaO", "VVE", "bedrijfsopleiding")
    sets = feed.sector_sets()
    assert [s.spec for s in sets] == [f"sector:{c}" for c in feed.sector_contexts()]
    # Every sector has a Dutch name of its own, not the fallback.
    assert all(not s.name.startswith("Sector ") for s in sets)
    assert sets[0].name == "Primair onderwijs (PO)"


def test_every_set_spec_fits_the_oai_schema() -> None:
    for definition in [feed.curated_set(), feed.source_set("wikiwijs-maken_2.0"), *feed.sector_sets()]:
        assert FeedSet(definition.spec, definition.name, definition.description).spec == definition.spec


@pytest.mark.parametrize("name", ["a", "wikiwijs", "school-a", "edurep_delen", "x.y-z_9", "0" * 64])
def test_every_valid_source_name_makes_a_valid_set_spec(name: str) -> None:
    assert SOURCE_NAME.match(name)
    assert SET_SPEC_PATTERN.fullmatch(feed.source_set_spec(name))


def test_sets_of_a_record_and_its_sources() -> None:
    record = Record(title="Breuken", contexts=("PO", "SBaO", "school", "higher education", "onbekend")).to_dict()
    assert feed.set_specs_of(record, ["wikiwijs", "school-a"]) == {
        "source:wikiwijs", "source:school-a", "sector:PO", "sector:SBaO",
    }


def test_no_contexts_and_no_sources_is_no_set() -> None:
    assert feed.set_specs_of(Record(title="x").to_dict(), []) == frozenset()
    assert feed.set_specs_of(None, ["a"]) == {"source:a"}


def test_current_sets_are_the_member_rows() -> None:
    stored = {"curated": True, "source:a": True, "sector:PO": False, "collection:x": True}
    assert feed.current_sets(stored) == {"curated", "source:a", "collection:x"}


def test_curated_follows_the_redactie() -> None:
    record = Record(title="x").to_dict()
    assert feed.set_specs_of(record, [], [("thema", False)]) == {"collection:thema"}, "an organisation's: not curated"
    assert feed.set_specs_of(record, [], [("thema", False), ("keuze", True)]) == {
        "collection:thema", "collection:keuze", "curated"}
    assert feed.set_specs_of(record, [], [], annotated_by_redactie=True) == {"curated"}


def test_feed_hash_covers_record_sets_and_deletion() -> None:
    base = feed.feed_hash("abc", {"source:a", "sector:PO"}, False)
    assert feed.feed_hash("abc", ["sector:PO", "source:a"], False) == base, "set order does not matter"
    assert feed.feed_hash("abd", {"source:a", "sector:PO"}, False) != base
    assert feed.feed_hash("abc", {"source:a"}, False) != base
    assert feed.feed_hash("abc", {"source:a", "sector:PO", "curated"}, False) != base
    assert feed.feed_hash("abc", {"source:a", "sector:PO"}, True) != base
