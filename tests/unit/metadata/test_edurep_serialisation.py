"""`lom` written as Edurep writes it (czp:, LOMv1.0 sources, LOM roles); `nl_lom` against IEEE's strict schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from metadata.formats import LOM, NL_LOM, record_to_xml
from metadata.issues import IssueCode
from metadata.normalize import normalize_document, normalize_metadata
from metadata.record import Contributor, Record

STRICT_SCHEMA = Path(__file__).resolve().parents[2] / "data" / "xsd" / "ieee-lom" / "lomStrict.xsd"
IMS = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"


def _sources(xml: bytes) -> dict[str, set[str]]:
    """element name (role/purpose by value) -> the sources written for it."""
    found: dict[str, set[str]] = {}
    for source in etree.fromstring(xml).iter(f"{IMS}source"):
        parent = source.getparent()
        name = etree.QName(parent).localname
        if name == "taxonpath":
            continue
        if name in ("role", "purpose"):
            name += ":" + "".join(parent.find(f"{IMS}value").itertext()).strip()
        found.setdefault(name, set()).add("".join(source.itertext()).strip())
    return found


def test_lom_uses_edurep_prefix_and_lom_sources(fixture_bytes: Callable[[str], bytes]) -> None:
    records = [r for r in normalize_document(fixture_bytes("oai/edurep/edurep-oaipmh.initial.0.xml"))
               if not r.deleted]
    sources: dict[str, set[str]] = {}
    for record in records:
        xml = record_to_xml(record, LOM)
        root = etree.fromstring(xml)
        assert root.prefix == "czp" and all(e.prefix == "czp" for e in root.iter(f"{IMS}*"))
        for name, found in _sources(xml).items():
            sources.setdefault(name, set()).update(found)
    assert sources == {
        "aggregationlevel": {"LOMv1.0"},
        "cost": {"LOMv1.0"},
        "intendedenduserrole": {"LOMv1.0"},
        "role:author": {"LOMv1.0"},
        "role:publisher": {"LOMv1.0"},
        "role:unknown": {"LOMv1.0"},
        "purpose:educational level": {"LOMv1.0"},
        "purpose:access rights": {"http://purl.edustandaard.nl/classification_purpose_nllom_20180530"},
        "context": {"http://purl.edustandaard.nl/vdex_context_czp_20060628.xml"},
        "copyrightandotherrestrictions": {"https://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20180530"},
        "kind": {"http://purl.edustandaard.nl/relation_kind_nllom_20131211"},
        # The record holds czp's values (the reader maps LOM's to them), so czp's source.
        "learningresourcetype": {"http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628.xml"},
    } | {name: found for name, found in sources.items() if name.startswith("role:") and name not in (
        "role:author", "role:publisher", "role:unknown")}


def test_roles_outside_lom_are_kept_reported_and_written_as_unknown(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = [r for r in normalize_document(fixture_bytes("oai/edurep/edurep-oaipmh.initial.0.xml"))
                if not r.deleted and any(c.role == "hogeschool" for c in r.contributors)][:1]
    assert any(i.code == IssueCode.VOCABULARY_UNKNOWN and i.path == "lifecycle/contribute/role"
               for i in record.issues)
    for metadata_format in (LOM, NL_LOM):
        xml = record_to_xml(record, metadata_format).decode()
        assert ">hogeschool<" not in xml and ">unknown<" in xml
        assert "ROLE:hogeschool" in xml


def test_no_empty_role_is_written() -> None:
    record = Record(title="t", contributors=(Contributor("", None), Contributor("", "Ann"), Contributor("author", "Bo")))
    for metadata_format in (LOM, NL_LOM):
        xml = record_to_xml(record, metadata_format).decode()
        assert "<value/>" not in xml and "></czp:langstring>" not in xml
        assert xml.count("contribute>") == 4  # two contributes: Ann (unknown) and Bo (author)


def test_nl_lom_fails_the_strict_schema_only_where_nl_lom_vocabularies_require_it(
    fixture_bytes: Callable[[str], bytes],
) -> None:
    schema = etree.XMLSchema(etree.parse(str(STRICT_SCHEMA)))
    failures: set[tuple[str, str]] = set()
    for name in ("oai/edurep/edurep-oaipmh.initial.0.xml", "oai/edurep/edurep-oaipmh.initial.1.xml",
                 "lom/phpnllom-full.xml", "sru/edurep-sru-lom.xml"):
        for record in normalize_document(fixture_bytes(name)):
            if record.deleted:
                continue
            document = etree.fromstring(record_to_xml(record, NL_LOM))
            schema.validate(document)
            for error in schema.error_log:
                element = document.getroottree().xpath(error.path)[0]
                parent = element.getparent()
                failures.add((etree.QName(parent).localname, etree.QName(element).localname))
    # NL-LOM's own vocabularies: czp context and learning resource types, the nllom copyright
    # codes, relation kinds, and the classification purpose `access rights`.
    assert failures == {
        ("context", "source"), ("context", "value"),
        ("learningResourceType", "source"), ("learningResourceType", "value"),
        ("copyrightAndOtherRestrictions", "source"), ("copyrightAndOtherRestrictions", "value"),
        ("kind", "source"), ("kind", "value"),
        ("purpose", "source"), ("purpose", "value"),
    }


def test_a_role_outside_lom_comes_back_from_the_vcard_and_is_reported_again() -> None:
    record = Record(title="t", contributors=(
        Contributor("hogeschool", "Hogeschool Utrecht"), Contributor("hogeschool", "Fontys"),
        Contributor("author", "Ann")))
    for metadata_format in (LOM, NL_LOM):
        reread = normalize_metadata(record_to_xml(record, metadata_format))
        assert reread.contributors == record.contributors
        assert [i.path for i in reread.issues if i.code == IssueCode.VOCABULARY_UNKNOWN] == [
            "lifecycle/contribute/role"] * 2


def test_a_source_role_unknown_with_a_vcard_role_reads_the_vcard_role() -> None:
    vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Piet\nROLE:publisher\nEND:VCARD"
    lom = (f'<lom xmlns="{IMS[1:-1]}"><lifecycle><contribute><role><source><langstring>LOMv1.0</langstring>'
           '</source><value><langstring>unknown</langstring></value></role>'
           f'<centity><vcard>{vcard}</vcard></centity></contribute><contribute>'
           f'<centity><vcard>{vcard.replace("publisher", "author")}</vcard></centity></contribute></lifecycle></lom>')
    record = normalize_metadata(lom.encode())
    assert record.contributors == (Contributor("publisher", "Piet"), Contributor("author", "Piet"))
    assert not any(i.code == IssueCode.CONTRIBUTE_WITHOUT_ROLE for i in record.issues)


@pytest.mark.parametrize("date", [
    "2015-12-08T10:33:43Z", "2020-09-21T13:09:34.0Z", "2020-09-21T13:09:34.00+02:00",
    "2019-03-01T08:00:00+01:00", "2019-03-01T08:00:00.25-05:30", "2019-03-01T08:00:00", "2019-03-01", "2019",
])
def test_nl_lom_writes_dates_the_strict_schema_accepts_and_reads_them_back(date: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(STRICT_SCHEMA)))
    record = Record(title="t", languages=("nl",), contributors=(Contributor("author", "Ann", date),))
    xml = record_to_xml(record, NL_LOM)
    document = etree.fromstring(xml)
    schema.validate(document)
    assert [e for e in schema.error_log if "dateTime" in e.path] == []
    assert normalize_metadata(xml).contributors == record.contributors
