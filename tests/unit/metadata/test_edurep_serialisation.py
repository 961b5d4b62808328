"""`lom` written as Edurep writes it (czp:, LOMv1.0 sources, LOM roles); `nl_lom` against IEEE's strict schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from metadata.formats import LOM, NL_LOM, record_to_xml
from metadata.issues import IssueCode
from metadata.normalize import normalize_document, normalize_metadata
from metadata.record import Contributor, Licence, Record

STRICT_SCHEMA = Path(__file__).resolve().parents[2] / "data" / "xsd" / "ieee-lom" / "lomStrict.xsd"
IMS = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"


def _sources(root: etree._Element) -> dict[str, set[str]]:
    """element name (role/purpose/learning resource type by value) -> the sources given for it."""
    found: dict[str, set[str]] = {}
    for source in root.iter(f"{IMS}source"):
        parent = source.getparent()
        name = etree.QName(parent).localname
        if name == "taxonpath":
            continue
        if name in ("role", "purpose", "learningresourcetype"):
            name += ":" + "".join(parent.find(f"{IMS}value").itertext()).strip()
        found.setdefault(name, set()).add("".join(source.itertext()).strip())
    return found


def test_lom_uses_edurep_prefix_and_the_sources_edurep_gave(fixture_bytes: Callable[[str], bytes]) -> None:
    document = fixture_bytes("oai/edurep/edurep-oaipmh.initial.0.xml")
    records = [r for r in normalize_document(document) if not r.deleted]
    written: dict[str, set[str]] = {}
    for record in records:
        root = etree.fromstring(record_to_xml(record, LOM))
        assert root.prefix == "czp" and all(e.prefix == "czp" for e in root.iter(f"{IMS}*"))
        for name, found in _sources(root).items():
            written.setdefault(name, set()).update(found)
    given = _sources(etree.fromstring(document))
    # Every vocabulary value is written with the source Edurep gave it (LOMv1.0 for LOM's own
    # vocabularies, NL-LOM's purls for its own, both of NL-LOM's copyright vocabularies, the
    # lomv1p0 copy for Edurep's own learning resource types) ...
    assert given["aggregationlevel"] == given["cost"] == given["purpose:idea"] == {"LOMv1.0"}
    assert given["learningresourcetype:kennisclip"] == {
        "http://purl.edustandaard.nl/vdex_learningresourcetype_lomv1p0_20060628.xml"}
    # ... except the roles outside LOM's vocabulary, written as `unknown` (see the next test).
    outside = {"role:hogeschool", "role:university"}
    assert outside <= set(given)
    assert written == {name: found for name, found in given.items() if name not in outside} | {
        "role:unknown": {"LOMv1.0"}}


def test_a_record_built_here_carries_the_sources_nl_lom_prescribes() -> None:
    record = Record(title="t", languages=("nl",), aggregation_level=2, cost=False, contexts=("PO",),
                    learning_resource_types=("oefening",), contributors=(Contributor("author", "Ann"),),
                    licence=Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"))
    assert _sources(etree.fromstring(record_to_xml(record, LOM))) == {
        "aggregationlevel": {"LOMv1.0"},
        "cost": {"LOMv1.0"},
        "role:author": {"LOMv1.0"},
        "context": {"http://purl.edustandaard.nl/vdex_context_czp_20060628.xml"},
        "copyrightandotherrestrictions": {"https://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20180530"},
        "learningresourcetype:oefening": {"http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628.xml"},
    }


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
    # NL-LOM's own vocabularies, written as the sources gave them: czp contexts, czp's aggregation
    # level source, Edurep's learning resource types (`weblecture`, under Edustandaard's copy of
    # LOM's list), the nllom copyright codes, relation kinds (`embed`), the classification purpose
    # `access rights` and czp's lifecycle status `revision`.
    assert failures == {
        ("aggregationLevel", "source"),
        ("status", "value"),
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
