"""Our own edge-case files (tests/data/edge/): each kind of dirt real repositories send."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from metadata.errors import UnsupportedMetadataError, XMLInputError
from metadata.normalize import normalize_document, normalize_metadata, normalize_records
from metadata.record import Contributor, Licence, Relation, Term
from tests.support.metadata_fixtures import by_identifier, issue_codes, issues_with


def test_bom(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("bom.xml"))
    assert record.title == "Breuken met een BOM"
    assert issue_codes(record) == []


def test_illegal_characters_are_reported_on_the_record_that_had_them(
    edge_bytes: Callable[[str], bytes]
) -> None:
    records = normalize_document(edge_bytes("illegal-characters.xml"))
    clean = by_identifier(records, "oai:example.org:clean")
    dirty = by_identifier(records, "oai:example.org:dirty")
    assert issues_with(clean, "illegal-xml-characters") == []
    [issue] = issues_with(dirty, "illegal-xml-characters")
    assert issue.path == ""
    assert "removed 4 characters" in issue.message
    assert dirty.title == "Vieze titel"
    assert dirty.description == "Tekst met een verwijzing en een nul"


def test_illegal_characters_in_a_single_payload(edge_bytes: Callable[[str], bytes]) -> None:
    payload = b'<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general><title>' \
              b'<langstring xml:lang="nl">A\x07B</langstring></title></general></lom>'
    record = normalize_metadata(payload, oai_identifier="oai:x:1", datestamp="2024-01-01")
    assert record.title == "AB"
    assert (record.oai_identifier, record.datestamp) == ("oai:x:1", "2024-01-01")
    assert issue_codes(record) == ["illegal-xml-characters"]


def test_cdata_indented_folded_and_escaped_vcards(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("cdata-vcard.xml"))
    assert record.contributors == (
        Contributor("author", "Anne de Vries, docent Nederlands", "2021-03-04"),
        Contributor("publisher", "Stichting voor een heel lange naam die door de leverancier over "
                                 "meerdere regels is gevouwen"),
        Contributor("editor", "Piet Jansen"),
    )
    [issue] = issues_with(record, "vcard-unreadable")
    assert issue.message == "vCard has no FN; name taken from N"


def test_licence_yes_plus_ported_cc_url(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("licence-yes-url.xml"))
    assert record.licence == Licence("cc-by-30", "https://creativecommons.org/licenses/by/3.0/nl/")
    assert record.cost is False
    assert issue_codes(record) == []  # yes + URL is how NL-LOM says it, not dirt
    assert "rights/description" not in record.completeness.missing_required


def test_licence_yes_plus_url_in_ieee(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("licence-yes-url-ieee.xml"))
    assert record.licence == Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/")


def test_dirty_vocabulary_repaired_or_kept(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("dirty-vocabulary.xml"))
    assert record.languages == ("nl",)
    assert record.aggregation_level == 2
    assert record.learning_resource_types == ("informatiebron", "open opdracht", "kennisclip")
    assert record.end_user_roles == ("teacher",)
    assert record.contexts == ("VO", "PO", "Praktijkonderwijs")
    assert record.cost is False
    assert record.licence == Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/")
    assert record.relations == (Relation("ispartof", "https://maken.wikiwijs.nl/12345"),)
    assert record.access_rights == "OpenAccess"
    repaired = {(issue.path, issue.message) for issue in issues_with(record, "vocabulary-repaired")}
    assert repaired == {
        ("educational/learningresourcetype", "'Informatiebron' read as 'informatiebron'"),
        ("educational/learningresourcetype", "'Open   Opdracht' read as 'open opdracht'"),
        ("educational/intendedenduserrole", "'Teacher' read as 'teacher'"),
        ("educational/context", "' vo ' read as 'VO'"),
        ("educational/context", "'Primair Onderwijs' read as 'PO'"),
        ("rights/cost", "'No' read as 'no'"),
        ("relation/kind", "'Is Part Of' read as 'ispartof'"),
        ("classification/purpose", "'Access Rights' read as 'access rights'"),
        ("classification/taxonpath/taxon/id", "'openaccess' read as 'OpenAccess'"),
    }
    unknown = [issue.message for issue in issues_with(record, "vocabulary-unknown")]
    assert len(unknown) == 2
    assert "'kennisclip'" in unknown[0] and "'Praktijkonderwijs'" in unknown[1]
    assert [i.message for i in issues_with(record, "licence-repaired")] == [
        "'CC-BY-SA-40' read as 'cc-by-sa-40'"]
    # VO and PO contexts make the typical age range required
    assert "educational/typicalagerange" in record.completeness.missing_required


def test_invalid_values_leave_the_field_empty_and_are_reported(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("invalid-values.xml"))
    assert record.aggregation_level is None
    assert record.typical_learning_time is None
    assert record.cost is None
    invalid = {issue.path: issue.message for issue in issues_with(record, "value-invalid")}
    assert invalid == {
        "general/aggregationlevel": "aggregation level '7' is not 1, 2, 3 or 4",
        "educational/typicallearningtime": "'30 minuten' is not an ISO 8601 duration",
        "rights/cost": "cost 'soms' is not yes or no",
    }
    # an unrecognised licence is kept verbatim, never dropped
    assert record.licence == Licence("zie de website van de maker", None)
    assert issue_codes(record).count("licence-unknown") == 1


def test_unknown_obk_terms_are_kept_with_their_label(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("unknown-obk.xml"))
    assert record.educational_levels == (
        Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "Voortgezet onderwijs"),
        Term("7c6b8a1e-0000-4abc-9def-123456789abc", "Bovenbouw"),  # the nl label preferred
    )
    assert record.disciplines == (Term("0e2d7f5c-1111-4222-8333-944455566677", "Sterrenkunde"),)
    assert issue_codes(record) == ["taxon-unknown", "taxon-unknown"]


def test_html_in_description_is_kept_as_text(edge_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(edge_bytes("html-description.xml"))
    assert record.title == "Fotosynthese <b>uitgelegd</b>"
    assert record.description == (
        "<p>Planten maken suiker uit <em>licht</em>.</p>\n<script>alert(1)</script>"
        "\n\n<ul><li>Bladgroen & water</li></ul>")


@pytest.mark.parametrize("name, error", [
    ("billion-laughs.xml", XMLInputError),
    ("external-entity.xml", XMLInputError),
    ("not-metadata.xml", UnsupportedMetadataError),
    ("not-xml.txt", XMLInputError),
])
def test_bad_input_is_refused(name: str, error: type[Exception], edge_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(error):
        normalize_records(edge_bytes(name))
