"""The bundled sample of `oer demo`: what it is made of, that it is valid, and that generated means labelled."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from benchmarks import sample
from harvester.replay_pages import RecordedPages, ReplayRequest
from metadata.conformance import ims_lom_errors
from metadata.formats import LOM, record_to_element
from metadata.normalize import normalize_records
from metadata.record import Record
from oer.demo import sample_sources
from tests.unit.oai.validation import envelope_schema

SAMPLE_DIR = sample.TARGET
OAI = "{http://www.openarchives.org/OAI/2.0/}"
SAFE = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


def pages_of(name: str) -> list[bytes]:
    source = next(s for s in sample_sources() if s.name == name)
    return source.read_pages()


def records_of(name: str) -> list[Record]:
    """The live (not deleted) records of a sample source, in list order."""
    return [result.record for page in pages_of(name) for result in normalize_records(page)
            if result.record is not None and not result.record.deleted]


def generated(records: list[Record]) -> list[Record]:
    return [r for r in records if any(i.catalog == sample.CATALOG for i in r.identifiers)]


def test_committed_files_are_what_the_generator_writes() -> None:
    expected = sample.sample_files()
    for name, content in expected.items():
        assert (SAMPLE_DIR / name).read_bytes() == content, f"{name} differs: run python -m benchmarks.sample"
    committed = {str(p.relative_to(SAMPLE_DIR)) for p in SAMPLE_DIR.rglob("*") if p.is_file()}
    assert committed - set(expected) == {"README.md"}


def test_the_real_edurep_pages_are_unmodified_copies(fixtures_dir: Path) -> None:
    for name in sample.EDUREP_PAGES:
        assert (SAMPLE_DIR / "wikiwijs-sample" / name).read_bytes() == \
            (fixtures_dir / "oai" / "edurep" / name).read_bytes()
    assert (SAMPLE_DIR / "LICENSE-edurep-pages.txt").read_bytes() == \
        (fixtures_dir / "licenses" / "search-portal-LICENSE.txt").read_bytes()


def test_two_sources_in_both_bindings() -> None:
    sources = {s.name: s for s in sample_sources()}
    assert set(sources) == {"wikiwijs-sample", "schoolrepo-sample"}
    assert sources["wikiwijs-sample"].metadata_prefix == "lom"
    assert sources["schoolrepo-sample"].metadata_prefix == "nl_lom"


@pytest.mark.parametrize("name", ["wikiwijs-sample", "schoolrepo-sample"])
def test_every_page_is_valid_oai_pmh_and_the_pages_chain_to_the_end(name: str) -> None:
    # The envelope only: the real Edurep pages are unmodified copies, payloads and all.
    schema = envelope_schema()
    pages = pages_of(name)
    for page in pages:
        schema.assertValid(etree.fromstring(page, SAFE))
    # Follow the tokens as a harvester does: every page is reached once, the last ends the list.
    replay = RecordedPages(pages)
    reply = replay(ReplayRequest("GET", "/oai", {"verb": "ListRecords", "metadataPrefix": "lom"}))
    seen = [reply.body]
    while True:
        token = etree.fromstring(reply.body, SAFE).find(f"{OAI}ListRecords/{OAI}resumptionToken")
        if token is None or not (token.text or "").strip():
            break
        reply = replay(ReplayRequest("GET", "/oai", {"verb": "ListRecords", "resumptionToken": token.text}))
        seen.append(reply.body)
    assert seen == pages


def test_every_generated_ims_payload_is_valid_against_the_ims_schema() -> None:
    payloads = [
        lom
        for page in pages_of("wikiwijs-sample")
        if b"oer-sample" in page
        for lom in etree.fromstring(page, SAFE).iter("{http://www.imsglobal.org/xsd/imsmd_v1p2}lom")
    ]
    assert len(payloads) == len(sample.WIKIWIJS)
    for lom in payloads:
        assert ims_lom_errors(etree.fromstring(etree.tostring(lom), SAFE)) == []


def test_every_generated_ieee_payload_reads_back_to_a_record_valid_in_nl_lom() -> None:
    # No IEEE LOM schema is vendored: the payload must read back to the material it describes,
    # and that record, written in the IMS binding, must be valid.
    records = records_of("schoolrepo-sample")
    by_title = {record.title: record for record in records}
    assert len(records) == len(sample.SCHOOL)
    for material in sample.SCHOOL:
        record = by_title[material.title]
        assert record.completeness.missing_required == ()
        assert record.contexts == (material.context,)
        assert record.aggregation_level == material.aggregation
        assert record.licence is not None and record.licence.code == (material.licence or "cc-by-sa-40")
        assert ims_lom_errors(record_to_element(record, LOM)) == []


def test_generated_materials_are_labelled_and_real_ones_are_not() -> None:
    wikiwijs = records_of("wikiwijs-sample")
    school = records_of("schoolrepo-sample")
    made = generated(wikiwijs) + generated(school)
    assert len(made) == len(sample.WIKIWIJS) + len(sample.SCHOOL) >= 100
    for record in made:
        assert sample.LABEL_KEYWORD in record.keywords
        assert "Gegenereerd voorbeeldmateriaal" in (record.description or "")
    real = [r for r in wikiwijs if r not in made]
    assert len(real) == 11
    for record in real:
        assert sample.LABEL_KEYWORD not in record.keywords
        assert "Gegenereerd" not in (record.description or "")


def test_the_sample_covers_what_a_teacher_and_the_demo_need() -> None:
    records = generated(records_of("wikiwijs-sample")) + generated(records_of("schoolrepo-sample"))
    contexts = Counter(c for r in records for c in r.contexts)
    assert {"PO", "VO", "SO"} <= set(contexts)
    licences = {r.licence.code for r in records if r.licence}
    assert {"cc-by-40", "cc-by-sa-40", "cc-by-nc-sa-40", "cc-by-nd-40", "cc-by-nc-nd-40", "yes"} <= licences
    assert len({r.learning_resource_types[0] for r in records}) >= 7
    assert len({d.label for r in records for d in r.disciplines}) >= 12
    assert all(r.typical_age_range for r in records)
    assert sum(1 for r in records if r.typical_learning_time) > len(records) // 2
    assert all(r.completeness.missing_required == () for r in records)

    # Arrangements point at other sample materials by identifier.
    identifiers = {i.entry for r in records for i in r.identifiers}
    arrangements = [r for r in records if r.aggregation_level == 3]
    assert len(arrangements) >= 3
    for arrangement in arrangements:
        parts = [rel.target for rel in arrangement.relations if rel.kind == "haspart"]
        assert len(parts) >= 2 and set(parts) <= identifiers


def test_some_materials_are_in_both_sources_and_some_records_are_deleted() -> None:
    wikiwijs = records_of("wikiwijs-sample")
    school = generated(records_of("schoolrepo-sample"))
    shared = {r.location for r in school} & {r.location for r in wikiwijs}
    assert len(shared) == 3
    # One of them is a real Edurep material.
    assert shared & {r.location for r in wikiwijs if r not in generated(wikiwijs)}
    deleted = [result.oai_identifier for name in ("wikiwijs-sample", "schoolrepo-sample")
               for page in pages_of(name) for result in normalize_records(page)
               if result.record is not None and result.record.deleted]
    assert set(sample.WIKIWIJS_DELETED) | set(sample.SCHOOL_DELETED) <= set(deleted)
