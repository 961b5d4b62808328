"""oai_dc output: each element a real record gives, and no empty elements for what it lacks."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from metadata.dublin_core import DC_NAMESPACE, publication_date, record_to_dublin_core
from metadata.normalize import normalize_document
from metadata.record import Contributor, Licence, Record, Relation


def dc_values(record: Record) -> dict[str, list[str]]:
    """The text of each dc element the writer makes, by element name, in document order."""
    values: dict[str, list[str]] = {}
    for element in record_to_dublin_core(record):
        assert etree.QName(element).namespace == DC_NAMESPACE
        values.setdefault(etree.QName(element).localname, []).append(element.text or "")
    return values


def record_of(data: bytes, identifier: str | None = None) -> Record:
    return next(record for record in normalize_document(data)
                if identifier is None or record.oai_identifier == identifier)


def test_full_nl_lom_record(fixture_bytes: Callable[[str], bytes]) -> None:
    values = dc_values(record_of(fixture_bytes("lom/phpnllom-full.xml")))
    assert values["date"] == ["1999-06-01"]
    assert values["type"] == ["open opdracht"]
    assert values["format"] == ["application/pdf"]
    assert values["rights"] == ["https://creativecommons.org/licenses/by/3.0/", "CC BY 3.0"]
    # keywords, then the discipline by its label
    assert values["subject"] == ["Nederlands", "Dutch", "Engels", "Duitse taal"]
    assert values["relation"] == ["http://www.vimdeo.com/dummy1", "http://www.vimdeo.com/dummy2"]
    assert values["creator"] == ["Digischool"]


def test_publisher_date_is_preferred_and_only_the_date_is_kept(fixture_bytes: Callable[[str], bytes]) -> None:
    # publisher 2014-02-02T15:30:00Z, author 2017-06-08T03:16:00Z
    record = record_of(fixture_bytes("lom/pylom-ims-complete.xml"))
    assert dc_values(record)["date"] == ["2014-02-02"]


def test_author_date_when_there_is_no_publisher_date(fixture_bytes: Callable[[str], bytes]) -> None:
    record = record_of(fixture_bytes("oai/anatomytool/anatomy-tool-oaipmh.initial.0.xml"), "oai:anatomytool.org:56055")
    assert dc_values(record)["date"] == ["2016-06-05"]


def test_other_roles_give_no_date() -> None:
    record = Record(title="t", contributors=(Contributor(role="content provider", name="X", date="2020-09-21"),))
    assert "date" not in dc_values(record)
    assert publication_date(Record(contributors=(Contributor(role="publisher", date="ongeveer 2019"),))) is None
    assert publication_date(Record(contributors=(Contributor(role="author", date="2017"),))) == "2017"


def test_parts_that_are_oai_identifiers_are_no_relation(fixture_bytes: Callable[[str], bytes]) -> None:
    record = record_of(fixture_bytes("oai/edurep/edurep-oaipmh.initial.0.xml"),
                       "surfsharekit:oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b")
    assert [relation.kind for relation in record.relations][:3] == ["haspart"] * 3
    values = dc_values(record)
    assert "relation" not in values
    assert values["rights"] == ["https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"]


def test_http_parts_are_relations() -> None:
    record = Record(title="t", relations=(Relation("haspart", "https://example.org/les-1"),
                                          Relation("haspart", "oai:example.org:2")))
    assert dc_values(record)["relation"] == ["https://example.org/les-1"]


def test_collection_levels_are_a_dcmi_collection() -> None:
    assert dc_values(Record(title="t", aggregation_level=3, learning_resource_types=("informatiebron",)))["type"] \
        == ["informatiebron", "Collection"]
    assert "type" not in dc_values(Record(title="t", aggregation_level=2))


def test_all_rights_reserved_is_written_as_its_code() -> None:
    assert dc_values(Record(title="t", licence=Licence(code="yes")))["rights"] == ["yes"]


def test_a_record_without_the_data_writes_no_empty_elements() -> None:
    record = Record(title="Alleen een titel", contributors=(Contributor(role="author"),))
    root = record_to_dublin_core(record)
    assert [etree.QName(element).localname for element in root] == ["title"]
    assert all((element.text or "").strip() for element in root)


def test_fixture_records_write_no_empty_elements(fixture_bytes: Callable[[str], bytes]) -> None:
    for record in normalize_document(fixture_bytes("oai/edurep/edurep-oaipmh.initial.0.xml")):
        if not record.deleted:
            assert all((element.text or "").strip() for element in record_to_dublin_core(record))
