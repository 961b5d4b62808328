"""`oer search` and `oer reindex` through the real console-script group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metadata.facets import FACET_FIELDS
from metadata.normalize import normalize_document
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.sources import add_source
from oer.search import open_backend
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, migrate, session_factory
from tests.fixtures.search import BackendFactory, make_document
from tests.support.cli import run_oer as oer
from tests.support.paths import FIXTURES_DIR

EDUREP = FIXTURES_DIR / "oai" / "edurep"

CATALOGUE = [
    make_document(
        "po-1",
        "Breuken vergelijken",
        description="Rekenen met breuken",
        contexts="PO",
        educational_levels="512e4729-03a4-43a2-95ba-758071d1b725",
        labels={"512e4729-03a4-43a2-95ba-758071d1b725": "PO"},
        licence="cc-by-40",
        licence_family="open",
        source="wikiwijsmaken",
    ),
    make_document(
        "vo-1",
        "Breuken en procenten",
        contexts="VO",
        licence="cc-by-nc-40",
        licence_family="non-commercial",
        source="edurep_delen",
    ),
    make_document("vo-2", "Vulkanen", contexts="VO", licence="yes", source="wikiwijsmaken"),
]


@pytest.fixture
def settings(backend_factory: BackendFactory, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'oer.sqlite3'}",
        search_url=backend_factory.search_url,
        broker_url=None,
        secret_key="test",
        search_index_prefix=backend_factory.prefix,
    )


@pytest.fixture
def indexed(settings: Settings, backend_factory: BackendFactory) -> Settings:
    backend = open_backend(settings)
    backend_factory.created.append(backend)
    backend.index(CATALOGUE)
    return settings




def test_search_json_has_total_hits_and_every_facet(indexed: Settings) -> None:
    result = oer(indexed, "search", "breuken", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"total", "hits", "facets", "relaxed", "all_words", "corrected", "recognised"}
    assert data["total"] == 2
    assert {hit["id"] for hit in data["hits"]} == {"po-1", "vo-1"}
    assert data["hits"][0]["title"].startswith("Breuken")
    assert set(data["facets"]) == set(FACET_FIELDS)
    assert data["facets"]["contexts"] == {"PO": 1, "VO": 1}
    assert data["facets"]["licence_family"] == {"non-commercial": 1, "open": 1}


def test_search_falls_back_as_the_site_does_and_says_so(indexed: Settings) -> None:
    # All words find nothing: most of them (one of two).
    relaxed = json.loads(oer(indexed, "search", "vulkanen procenten", "--json").stdout)
    assert (relaxed["relaxed"], relaxed["corrected"]) == (True, None)
    assert {hit["id"] for hit in relaxed["hits"]} == {"vo-1", "vo-2"}
    printed = oer(indexed, "search", "vulkanen procenten")
    assert printed.stdout.splitlines()[0] == (
        "Results for some of your words: nothing matched all of them.")
    # A typo: the correction's results.
    corrected = json.loads(oer(indexed, "search", "vulkanne", "--json").stdout)
    assert (corrected["relaxed"], corrected["corrected"]) == (False, "vulkanen")
    assert [hit["id"] for hit in corrected["hits"]] == ["vo-2"]
    assert "Results for 'vulkanen'" in oer(indexed, "search", "vulkanne").stdout


def test_search_reads_level_words_as_the_site_does(indexed: Settings) -> None:
    data = json.loads(oer(indexed, "search", "breuken po", "--json").stdout)
    assert [hit["id"] for hit in data["hits"]] == ["po-1"]
    assert [(term["key"], term["filters"]) for term in data["recognised"]] == [("po", {"contexts": ["PO"]})]
    printed = oer(indexed, "search", "breuken po")
    assert printed.stdout.splitlines()[0] == "Recognised: Primair onderwijs (--literal po)"
    literal = json.loads(oer(indexed, "search", "breuken po", "--literal", "po", "--json").stdout)
    assert literal["recognised"] == [] and literal["relaxed"] is True


def test_search_filters_and_empty_query(indexed: Settings) -> None:
    result = oer(
        indexed, "search", "--json", "--filter", "contexts=VO", "--filter", "source=wikiwijsmaken"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [hit["id"] for hit in data["hits"]] == ["vo-2"]
    everything = json.loads(oer(indexed, "search", "--json").stdout)
    assert everything["total"] == 3


def test_search_prints_a_readable_table(indexed: Settings) -> None:
    result = oer(indexed, "search", "breuken", "--filter", "contexts=PO")
    assert result.exit_code == 0, result.output
    assert "1-1 of 1 results" in result.stdout
    assert "Breuken vergelijken" in result.stdout
    assert "po-1" in result.stdout
    # OBK ids are shown by their label.
    assert "educational_levels: PO (1)" in result.stdout


def _ids(settings: Settings, *filters: str) -> list[str]:
    args = [part for spec in filters for part in ("--filter", spec)]
    result = oer(settings, "search", "--json", *args)
    assert result.exit_code == 0, result.output
    return sorted(hit["id"] for hit in json.loads(result.stdout)["hits"])


@pytest.mark.parametrize(
    "spec",
    [
        "educational_levels=Primair onderwijs",  # the table's Dutch label
        "educational_levels=primary EDUCATION",  # its English label, in any case
        "educational_levels=PO",  # the label the record gives it, as `oer search` prints it
        "educational_levels=512E4729-03A4-43A2-95BA-758071D1B725",
        "contexts=Primair onderwijs",  # the same label names the sector in its own field
    ],
)
def test_filter_by_label(indexed: Settings, spec: str) -> None:
    assert _ids(indexed, spec) == ["po-1"]


def test_filter_by_value_in_any_case(indexed: Settings) -> None:
    assert _ids(indexed, "contexts=po") == ["po-1"]
    assert _ids(indexed, "contexts=vo") == ["vo-1", "vo-2"]
    assert _ids(indexed, "licence=CC-BY-NC-40") == ["vo-1"]
    assert _ids(indexed, "source=WikiwijsMaken", "licence_family=Vrij te gebruiken en te bewerken") == ["po-1"]
    # A known value nothing has yet is no error: it finds nothing.
    assert _ids(indexed, "contexts=wo") == []


@pytest.mark.parametrize(
    ("spec", "close"),
    [
        ("contexts=Primair ondewijs", "'Primair onderwijs' (PO)"),
        ("educational_levels=primary educaton", "'Primary education' (512e4729-03a4-43a2-95ba-758071d1b725)"),
        ("source=wikiwijs-maken", "'wikiwijsmaken'"),
    ],
)
def test_a_value_that_matches_nothing_known_is_an_error_naming_close_ones(
    indexed: Settings, spec: str, close: str
) -> None:
    result = oer(indexed, "search", "--filter", spec)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "matches no known value or label; did you mean: " in lines[0]
    assert close in lines[0]


def test_a_value_like_nothing_known_says_where_to_look(indexed: Settings) -> None:
    result = oer(indexed, "search", "--filter", "contexts=xyzzy")
    assert result.exit_code == 1
    assert "--filter contexts='xyzzy' matches no known value or label" in result.output
    assert "`oer search` lists the values it has" in result.output


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("contexts", "expected FIELD=VALUE"),
        ("colour=red", "unknown field 'colour'"),
        ("contexts=", "expected FIELD=VALUE"),
    ],
)
def test_bad_filters_are_one_line_errors(indexed: Settings, option: str, message: str) -> None:
    result = oer(indexed, "search", "x", "--filter", option)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]


def _store_edurep_records(settings: Settings) -> int:
    """Migrate the store and put the real Edurep fixture records in it; return the live count."""
    migrate(settings)
    engine = create_engine_from_settings(settings)
    records = normalize_document((EDUREP / "edurep-oaipmh.initial.0.xml").read_bytes())
    try:
        with session_factory(engine).begin() as session:
            source = add_source(session, "edurep", "https://edurep.example/oai", "lom")
            apply_harvested_page(
                session,
                source,
                [
                    HarvestedRecord(
                        oai_identifier=record.oai_identifier or "",
                        datestamp=record.datestamp or "",
                        record=None if record.deleted else record,
                        deleted=record.deleted,
                    )
                    for record in records
                ],
            )
    finally:
        engine.dispose()
    return sum(not record.deleted for record in records)


def test_reindex_replaces_the_index_with_the_store(indexed: Settings) -> None:
    live = _store_edurep_records(indexed)
    result = oer(indexed, "reindex")
    assert result.exit_code == 0, result.output
    assert f"Reindexed {live} resources" in result.stdout
    data = json.loads(oer(indexed, "search", "--json", "--size", "100").stdout)
    # Exactly the store's live resources: the documents indexed before are gone.
    assert data["total"] == live
    assert "Exercises 5" in {hit["title"] for hit in data["hits"]}
    assert not {"po-1", "vo-1", "vo-2"} & {hit["id"] for hit in data["hits"]}


def test_reindex_of_an_uninitialised_instance_is_a_clear_error(indexed: Settings) -> None:
    result = oer(indexed, "reindex")
    assert result.exit_code == 1
    assert "run `oer init`" in result.output.strip().splitlines()[0]
    # Nothing was thrown away.
    assert json.loads(oer(indexed, "search", "--json").stdout)["total"] == 3
