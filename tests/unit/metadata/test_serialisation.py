"""Serialising: IMS (XSD-valid), IEEE and oai_dc; parse-serialise-parse is the identity.

The identity is checked on every normalised field except two that are not
properties of the record's content but of one reading of one document:
`issues` (a re-read of clean output has nothing to repair, while the source
did) and `completeness` (it counts source facts the record does not carry,
such as whether the source declared its metadata scheme; written output
always does). oai_dc carries only part of the record, so for it the identity
holds on the projection of the record onto what oai_dc carries (see
`dc_projection`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from metadata.conformance import ims_lom_errors
from metadata.dublin_core import DCMI_TYPES
from metadata.errors import MetadataError
from metadata.formats import (
    FORMATS,
    LOM,
    NL_LOM,
    OAI_DC,
    MetadataFormat,
    record_to_element,
    record_to_xml,
)
from metadata.links import is_web_url
from metadata.lom_bindings import IEEE_BINDING, IMS_BINDING
from metadata.normalize import normalize_document, normalize_metadata
from metadata.record import Completeness, Contributor, Identifier, Record, Relation
from metadata.xml_input import parse_xml
from tests.support.lom_projection import lom_projection
from tests.support.paths import FIXTURES_DIR

from .strategies import records

LOM_FORMATS = [LOM, NL_LOM]
BINDING_OF = {LOM.prefix: IMS_BINDING, NL_LOM.prefix: IEEE_BINDING}
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def content(record: Record) -> Record:
    """The record without what depends on one reading of one document (see module docstring)."""
    return record.with_changes(issues=(), completeness=Completeness(), oai_identifier=None,
                               datestamp=None)


def reread(record: Record, metadata_format: MetadataFormat) -> Record:
    return normalize_metadata(record_to_xml(record, metadata_format))


def dc_projection(record: Record) -> Record:
    """What of `record` survives oai_dc (the mapping in `metadata.dublin_core`)."""
    entries = list(dict.fromkeys(
        ([record.location] if record.location else []) + [i.entry for i in record.identifiers]))
    roles = {"author": "author", "publisher": "publisher"}
    titles = dict(record.titles)
    return Record(
        title=record.title,
        titles=titles,
        description=record.description,
        # Disciplines (by their label) and kerndoelen (their label, else their id) go out as
        # dc:subject and come back as keywords.
        keywords=tuple(dict.fromkeys(
            (*record.keywords, *(term.label for term in record.disciplines if term.label),
             *(term.label or term.id for term in record.educational_objectives)))),
        languages=record.languages,
        identifiers=tuple(Identifier("URI", entry) for entry in entries),
        location=next((e for e in entries if e.startswith(("http://", "https://"))), None),
        formats=record.formats,
        # dc:type `Collection` (aggregation level 3/4) is a DCMI type, not read back as a type.
        learning_resource_types=tuple(kind for kind in record.learning_resource_types if kind not in DCMI_TYPES),
        contributors=tuple(Contributor(roles.get(c.role, "unknown"), c.name)
                           for c in record.contributors if c.name),
        licence=record.licence if record.licence is None or record.licence.url
        or record.licence.code in ("yes", "no") else None,
        relations=tuple(Relation("", target) for target in dict.fromkeys(r.target for r in record.relations)
                        if is_web_url(target)),
    )


def _fixture_records() -> list[tuple[str, Record]]:
    found = []
    for path in sorted(FIXTURES_DIR.rglob("*.xml")):
        try:
            document = normalize_document(path.read_bytes())
        except MetadataError:  # refused documents are covered elsewhere
            continue
        found += [(f"{path.name}:{r.oai_identifier}", r) for r in document if not r.deleted]
    return found


FIXTURE_RECORDS = _fixture_records()


def test_there_are_many_fixture_records() -> None:
    assert len(FIXTURE_RECORDS) >= 40


@pytest.mark.parametrize("name, record", FIXTURE_RECORDS, ids=[n for n, _ in FIXTURE_RECORDS])
def test_fixture_records_write_valid_ims_lom(name: str, record: Record) -> None:
    element = record_to_element(record, LOM)
    # validate what a harvester would parse, not the in-memory tree
    assert ims_lom_errors(parse_xml(etree.tostring(element)).root) == []


@pytest.mark.parametrize("metadata_format", LOM_FORMATS)
@pytest.mark.parametrize("name, record", FIXTURE_RECORDS, ids=[n for n, _ in FIXTURE_RECORDS])
def test_fixture_records_survive_lom(name: str, record: Record, metadata_format: MetadataFormat) -> None:
    assert content(reread(record, metadata_format)) == content(
        lom_projection(record, BINDING_OF[metadata_format.prefix]))


@pytest.mark.parametrize("name, record", FIXTURE_RECORDS, ids=[n for n, _ in FIXTURE_RECORDS])
def test_fixture_records_survive_dublin_core(name: str, record: Record) -> None:
    assert content(reread(record, OAI_DC)) == dc_projection(content(record))


@pytest.mark.parametrize("metadata_format", list(FORMATS))
@PROPERTY_SETTINGS
@given(record=records())
def test_parse_serialise_parse_is_the_identity(record: Record, metadata_format: MetadataFormat) -> None:
    expected = (lom_projection(record, BINDING_OF[metadata_format.prefix]) if metadata_format in LOM_FORMATS
                else dc_projection(record))
    assert content(reread(record, metadata_format)) == expected


@PROPERTY_SETTINGS
@given(record=records())
def test_generated_records_write_valid_ims_lom(record: Record) -> None:
    element = record_to_element(record, LOM)
    assert ims_lom_errors(parse_xml(etree.tostring(element)).root) == []


def test_ims_output_carries_nl_lom_markers(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/phpnllom-full.xml"))
    xml = record_to_xml(record, LOM).decode()
    # As Edurep serves it: prefix czp:, its schemaLocation, LOMv1.0 for LOM's own vocabularies.
    assert xml.startswith(
        "<?xml version='1.0' encoding='UTF-8'?>\n<czp:lom xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:czp=\"http://www.imsglobal.org/xsd/imsmd_v1p2\" xsi:schemaLocation=\"http://www.imsglobal.org/xsd/"
        "imsmd_v1p2 http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd\">")
    assert "<czp:metadatascheme>LOMv1.0</czp:metadatascheme>" in xml
    assert "<czp:metadatascheme>nl_lom_v1p0</czp:metadatascheme>" in xml
    for purl_copy in ("vdex_aggregationlevel_czp", "vdex_intendedenduserrole_lomv1p0", "vdex_cost_lomv1p0",
                      "vdex_lifecycle_contribute_role_lomv1p0"):
        assert purl_copy not in xml, purl_copy
    for source in ("LOMv1.0",
                   "http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628.xml",
                   "http://purl.edustandaard.nl/vdex_context_czp_20060628.xml",
                   # NL-LOM's own vocabularies keep the version the source gave.
                   "http://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20110411",
                   "http://purl.edustandaard.nl/relation_kind_nllom_20131211",
                   # (no access rights here, the one purpose with NL-LOM's own source)
                   # and taxon paths keep their vocabularies' sources as given.
                   "http://download.edustandaard.nl/vdex/vdex_classification_vakaanduidingen_vo_20071115.xml"):
        assert f">{source}<" in xml, source


def test_ieee_output_spelling(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/phpnllom-full.xml"))
    xml = record_to_xml(record, NL_LOM).decode()
    for fragment in ('xmlns="http://ltsc.ieee.org/xsd/LOM"', '<string language="nl">', "<identifier>",
                     "<lifeCycle>", "<entity>BEGIN:VCARD", "<dateTime>1999-06-01</dateTime>",
                     "<metadataSchema>nl_lom_v1p0</metadataSchema>", "<typicalLearningTime>",
                     "<duration>PT1H30M</duration>", "<copyrightAndOtherRestrictions>", "<taxonPath>",
                     "<source>http://purl.edustandaard.nl/vdex_context_czp_20060628.xml</source>"):
        assert fragment in xml, fragment
    assert "langstring" not in xml and "catalogentry" not in xml


def test_oai_dc_output(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/phpnllom-full.xml"))
    xml = record_to_xml(record, OAI_DC).decode()
    assert '<dc:title xml:lang="nl">Test &lt;strike&gt;test&lt;/strike&gt;</dc:title>' in xml
    assert "<dc:creator>Digischool</dc:creator>" in xml
    assert "<dc:rights>https://creativecommons.org/licenses/by/3.0/</dc:rights>" in xml


def test_validator_rejects_invalid_lom() -> None:
    invalid = parse_xml(b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><rights/><general/></lom>').root
    assert ims_lom_errors(invalid) != []


def test_typed_in_control_characters_do_not_break_writing() -> None:
    record = Record(title="a\x01b", titles={"nl": "a\x01b"})
    for metadata_format in FORMATS:
        assert reread(record, metadata_format).title == "ab"


def test_record_json_round_trip() -> None:
    [record] = normalize_document((FIXTURES_DIR / "lom/phpnllom-full.xml").read_bytes())
    assert Record.from_dict(json.loads(json.dumps(record.to_dict()))) == record
