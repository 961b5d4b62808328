"""Every real fixture file, and several real records checked field by field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from metadata.errors import OAIResponseError, UnsupportedMetadataError, XMLInputError
from metadata.normalize import normalize_document, normalize_records
from metadata.record import Contributor, Identifier, Licence, Relation, Term
from tests.support.metadata_fixtures import by_identifier, issue_codes, issues_with
from tests.support.paths import FIXTURES_DIR

ALL_FIXTURES = sorted(
    str(path.relative_to(FIXTURES_DIR)) for path in FIXTURES_DIR.rglob("*.xml"))

# What each fixture must give: a number of records, or the error it must raise.
EXPECTED: dict[str, int | type[Exception]] = {
    "lom/phpnllom-full.xml": 1,
    "lom/phpnllom-minimal.xml": 1,
    "lom/pylom-ims-complete.xml": 1,
    "lom/pylom-ims-incomplete.xml": 1,
    "lom/qti3-ieee-lom.xml": 1,
    "oai/anatomytool/anatomy-tool-oaipmh.initial.0.xml": 10,
    "oai/edurep/edurep-oaipmh.initial.0.xml": 9,
    "oai/edurep/edurep-oaipmh.initial.1.xml": 3,
    "oai/edurep/edurep-oaipmh.delta.0.xml": 6,
    "oai/sickle/GetRecord.xml": 1,
    "oai/sickle/GetRecord_utf8test.xml": 1,
    "oai/sickle/ListRecords.xml": 2,
    "oai/sickle/ListRecords2.xml": 2,
    "oai/sickle/ListRecords3.xml": 2,
    "oai/sickle/ListRecords4.xml": 2,
    "oai/sickle/noRecordsMatch.xml": 0,
    "oai/sickle/Identify.xml": UnsupportedMetadataError,
    "oai/sickle/ListIdentifiers.xml": UnsupportedMetadataError,
    "oai/sickle/ListIdentifiers2.xml": UnsupportedMetadataError,
    "oai/sickle/ListMetadataFormats.xml": UnsupportedMetadataError,
    "oai/sickle/ListSets.xml": UnsupportedMetadataError,
    "oai/sickle/ListRecordsBroken.xml": XMLInputError,
    "oai/sickle/badArgument.xml": OAIResponseError,
    "oai/sickle/badResumptionToken.xml": OAIResponseError,
    "oai/sickle/cannotDisseminateFormat.xml": OAIResponseError,
    "oai/sickle/idDoesNotExist.xml": OAIResponseError,
    "oai/sickle/noSetHierarchy.xml": OAIResponseError,
    "oai/sickle/undefinedError.xml": OAIResponseError,
    "sru/edurep-sru-lom.xml": 10,
    "sru/edurep-sru-drilldown.xml": 0,
}

EDUREP_0 = "oai/edurep/edurep-oaipmh.initial.0.xml"
EDUREP_1 = "oai/edurep/edurep-oaipmh.initial.1.xml"
EDUREP_DELTA = "oai/edurep/edurep-oaipmh.delta.0.xml"
ANATOMY = "oai/anatomytool/anatomy-tool-oaipmh.initial.0.xml"


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(EXPECTED) == ALL_FIXTURES


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_fixture_gives_its_records_or_a_clear_error(
    name: str, fixture_bytes: Callable[[str], bytes]
) -> None:
    expected = EXPECTED[name]
    if isinstance(expected, int):
        results = normalize_records(fixture_bytes(name))
        assert [result.error for result in results] == [None] * expected
        assert len(normalize_document(fixture_bytes(name))) == expected
    else:
        with pytest.raises(expected) as caught:
            normalize_records(fixture_bytes(name))
        assert str(caught.value) and "\n" not in str(caught.value)


def test_oai_error_pages_carry_their_code(fixture_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(OAIResponseError) as caught:
        normalize_document(fixture_bytes("oai/sickle/badResumptionToken.xml"))
    assert caught.value.code == "badResumptionToken"
    assert "This resumptionToken is invalid" in str(caught.value)


def test_edurep_deleted_records_have_only_header_fields(fixture_bytes: Callable[[str], bytes]) -> None:
    records = normalize_document(fixture_bytes(EDUREP_DELTA))
    deleted = [record for record in records if record.deleted]
    assert [(r.oai_identifier, r.datestamp) for r in deleted] == [
        ("surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751", "2020-02-29T00:06:37Z"),
        ("surfsharekit:oai:surfsharekit.nl:does-not-exist", "2020-02-11T13:06:23Z"),
    ]
    for record in deleted:
        assert record.title is None and record.issues == () and record.licence is None


def test_edurep_yes_plus_licence_url_and_indented_vcard(fixture_bytes: Callable[[str], bytes]) -> None:
    record = by_identifier(normalize_document(fixture_bytes(EDUREP_0)),
                           "surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751")
    assert record.datestamp == "2019-12-11T13:06:21Z"
    assert record.deleted is False
    assert record.title == "Exercises 5"
    assert record.titles == {"x-none": "Exercises 5"}
    assert record.description == "Fifth exercises of the course"
    assert record.keywords == ("Exercise",)
    assert record.languages == ("en",)
    assert record.identifiers == (
        Identifier("UUID", "urn:uuid:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"),)
    assert record.location == "https://surfsharekit.nl/objectstore/182216be-31a2-43c3-b7de-e5dd355b09f7"
    assert record.formats == ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
    assert record.aggregation_level is None
    assert record.contexts == ("HBO",)
    assert record.educational_levels == (
        Term("be140797-803f-4b9e-81cc-5572c711e09c", "HBO"),
        Term("f33b30ee-3c82-4ead-bc20-4255be9ece2d", "HBO - Bachelor"),
    )
    assert record.disciplines == ()
    assert record.cost is False
    # copyright "yes" plus https://creativecommons.org/licenses/by-nc/4.0/ in rights/description
    assert record.licence == Licence("cc-by-nc-40", "https://creativecommons.org/licenses/by-nc/4.0/")
    assert record.access_rights == "OpenAccess"
    assert record.contributors == (Contributor(role="hogeschool", name="Codarts Rotterdam"),)
    assert record.relations == ()
    assert issue_codes(record) == ["vocabulary-unknown"]  # the role "hogeschool"
    assert record.completeness.missing_required == (
        "general/aggregationlevel", "educational/intendedenduserrole")
    assert [i.path for i in issues_with(record, "required-missing")] == list(
        record.completeness.missing_required)


def test_edurep_aggregation_with_authors_and_age_range(fixture_bytes: Callable[[str], bytes]) -> None:
    record = by_identifier(normalize_document(fixture_bytes(EDUREP_0)),
                           "wikiwijs:oai:surfsharekit.nl:63903863-6c93-4bda-b850-277f3c9ec00e")
    assert record.title == "Didactiek van macro-meso-micro denken bij scheikunde"
    assert record.titles == {"nl": "Didactiek van macro-meso-micro denken bij scheikunde"}
    assert record.description is None  # an empty langstring in the source
    assert record.keywords[:3] == ("correspondentie", "didactiek", "eigenschappen")
    assert len(record.keywords) == 9
    assert record.aggregation_level == 4
    assert record.formats == ("application/x-zip-compressed", "application/pdf", "text/html")
    assert record.end_user_roles == ("learner",)
    assert record.typical_age_range == "16-90"
    assert record.licence == Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/")
    assert [c.name for c in record.contributors] == [
        "Lerarenopleidingen Science en Wiskunde/Rekenen", "Ruud Kok", "Astrid Bulte",
        "Hans Poorthuis", "AERES Hogeschool; HAS Hogeschool; Van Hall Larenstein"]
    assert record.contributors[-1] == Contributor(
        "publisher", "AERES Hogeschool; HAS Hogeschool; Van Hall Larenstein", "2017-09-27")
    # aggregation level 4 makes discipline required, and it is missing
    assert record.completeness.missing_required == ("classification/discipline",)


def test_edurep_relations_both_ways(fixture_bytes: Callable[[str], bytes]) -> None:
    records = normalize_document(fixture_bytes(EDUREP_0))
    course = by_identifier(records, "surfsharekit:oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b")
    assert course.aggregation_level == 3
    assert course.learning_resource_types == ("weblecture",)
    assert issue_codes(course) == ["vocabulary-unknown"]
    assert course.relations == tuple(Relation("haspart", f"oai:surfsharekit.nl:{uuid}") for uuid in (
        "a18cdda7-e9c7-40d7-a7ad-6e875d9015ce", "8936d0a3-4157-45f4-9595-c26d4c029d97",
        "f929b625-5ef7-47b8-8fa8-94c969d0c427", "befb515c-5dce-4f27-82a4-2f5a7a3618a4"))
    part = by_identifier(records, "surfsharekit:oai:surfsharekit.nl:a18cdda7-e9c7-40d7-a7ad-6e875d9015ce")
    assert part.relations == (
        Relation("ispartof", "oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b"),)
    assert part.description is not None
    assert part.description.startswith("Video about the question: how can we summarize 13.8 billion\nyears")
    assert "  " not in part.description  # indentation of continuation lines removed


def test_edurep_carriage_returns_and_copyright_yes_without_url(
    fixture_bytes: Callable[[str], bytes]
) -> None:
    records = normalize_document(fixture_bytes(EDUREP_1))
    midi = by_identifier(records, "surfsharekit:oai:surfsharekit.nl:b35875c5-678b-4d58-af85-4111c321c5cd")
    assert midi.description is not None
    assert "\r" not in midi.description
    assert midi.description.startswith("Als we op een computer met muziek werken")
    assert "\n\nAan de orde komen:\n" in midi.description
    assert midi.contributors[1] == Contributor(role="", name=None, date="2017")
    assert "contribute-without-role" in issue_codes(midi)
    wrong = by_identifier(records, "surfsharekit:oai:surfsharekit.nl:wrong-copyright")
    assert wrong.licence == Licence("yes", None)
    assert "rights/description" in wrong.completeness.missing_required


def test_anatomytool_ieee_in_no_namespace(fixture_bytes: Callable[[str], bytes]) -> None:
    record = by_identifier(normalize_document(fixture_bytes(ANATOMY)), "oai:anatomytool.org:56055")
    assert record.datestamp == "2020-10-28T02:39:34Z"
    assert record.title == "Leiden Photo Duodenum and pancreas dissection specimen no labels"
    assert record.description == "Duodenum and pancreas dissection specimen. Probe in bile duct."
    assert record.keywords == ("A05.6.02.001 Duodenum", "A05.9.01.001 Pancreas")  # empty one skipped
    assert record.languages == ("x-none",)
    assert record.identifiers == (Identifier("URL", "https://anatomytool.org/node/56055"),)
    assert record.location == "https://anatomytool.org/node/56055"
    assert record.formats == ("image/png",)
    assert record.aggregation_level == 1
    assert record.learning_resource_types == ("figure",)
    assert record.end_user_roles == ("learner", "teacher")
    assert record.contexts == ("higher education",)
    assert record.typical_age_range == "16+"
    assert record.cost is False
    # "CC Attribution-NonCommercial-ShareAlike 4.0 International license" plus the matching URL
    assert record.licence == Licence("cc-by-nc-sa-40", "https://creativecommons.org/licenses/by-nc-sa/4.0/")
    assert record.contributors == (
        Contributor("author", "O. Paul Gobée, MD", "2016-06-05T23:30:00+02:00"),
        Contributor("author", "Prof. X. Test", "2016-06-05T23:30:00+02:00"),
    )
    assert record.relations == (
        Relation("references", "https://anatomytool.org/node/56878"),
        Relation("references", "https://anatomytool.org/node/56876"),
    )
    assert record.disciplines == (Term("5c98610c-3f7d-4521-b231-d0932b4ca799", "Geneeskunde"),)
    assert issue_codes(record) == ["taxon-unknown", "licence-repaired"]
    assert record.completeness.missing_required == ()


def test_phpnllom_full_record(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/phpnllom-full.xml"))
    assert record.oai_identifier is None
    assert record.title == "Test <strike>test</strike>"
    assert record.titles == {"nl": "Test <strike>test</strike>", "de": "Eine kleine nachtmusik"}
    assert record.description == "één beschrijving met speciale tekens"
    assert record.keywords == ("Nederlands", "Dutch", "Engels")
    assert record.languages == ("nl", "en")
    assert record.identifiers == (
        Identifier("uri", "urn:isbn:9789034553966"),
        Identifier("uri", "https://delen.edurep.nl/download.php?id=1c1aad84-a96b-4efe-8d23-25c870566497&test=1"),
    )
    assert record.location == "https://delen.edurep.nl/download.php?id=1c1aad84-a96b-4efe-8d23-25c870566497&test=1"
    assert record.formats == ("application/pdf",)
    assert record.aggregation_level == 2
    assert record.learning_resource_types == ("open opdracht",)
    assert record.end_user_roles == ("learner",)
    assert record.contexts == ("VO",)
    assert record.typical_age_range == "8-13"
    assert record.typical_learning_time == 5400  # PT1H30M
    assert record.cost is False
    assert record.licence == Licence("cc-by-30", "https://creativecommons.org/licenses/by/3.0/")
    assert record.contributors == (
        Contributor("author", "Digischool", "1999-06-01"),
        Contributor("publisher", None, "1999-06-01"),
    )
    assert record.relations == (
        Relation("embed", "http://www.vimdeo.com/dummy1"),
        Relation("", "http://www.vimdeo.com/dummy2"),
    )
    # Old (pre-OBK) vocabulary ids are kept with their own labels and reported.
    assert record.disciplines == (Term("Duits", "Duitse taal"),)
    assert [t.id for t in record.educational_levels] == ["VO", "vmbo", "VWO", "Duits", "vmbo_kl2"]
    assert record.educational_levels[-1] == Term("vmbo_kl2", None)
    assert issue_codes(record) == ["relation-without-kind"] + ["taxon-unknown"] * 6
    assert record.completeness.score == 1.0


def test_phpnllom_minimal_is_incomplete_not_a_crash(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/phpnllom-minimal.xml"))
    assert record.title is None
    assert record.completeness.score == 0.0
    assert "general/title" in record.completeness.missing_required
    assert len(record.completeness.missing_required) == 9
    assert set(issue_codes(record, without_missing=False)) == {"required-missing"}


def test_pylom_incomplete_two_entities_one_broken(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/pylom-ims-incomplete.xml"))
    assert record.keywords == ("keyword 1",)
    assert record.aggregation_level is None  # empty value: absent, not an error
    assert record.contributors == (Contributor("publisher", None), Contributor("publisher", "Correct Vcard"))
    assert issue_codes(record) == ["vcard-unreadable"]


def test_qti3_ieee_record_with_obk_terms(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("lom/qti3-ieee-lom.xml"))
    assert record.title == "Metadata Example Item #1"
    assert record.titles == {"en": "Metadata Example Item #1"}
    assert record.description == "This is a dummy item"
    assert record.keywords == ("keyword1", "keyword2", "keyword3")
    assert record.identifiers == (Identifier("Catalog", "qti_v2_item_01"),)
    assert record.formats == ("text/x-imsqti-item-xml", "image/png")
    assert record.disciplines == (Term("2b363227-8633-4652-ad57-c61f1efc02c8", "Biologie"),)
    assert record.educational_levels == (Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "Voortgezet onderwijs"),)
    # "Educational Objective" repaired to the vocabulary's spelling; the kerndoel is one SLO
    # replaced in 2025, so it is kept with the record's own label and reported.
    assert record.educational_objectives == (
        Term("d357271b-3cfd-40c4-881d-084b71ca05c8", "VO Kerndoel 31: Processen in de natuur"),)
    assert issue_codes(record) == ["vocabulary-repaired", "taxon-unknown"]
    assert "was replaced by VO 31: Processen in de natuur" in record.issues[1].message
    # lower-case <metadataschema> still counts
    assert "metametadata/metadatascheme" not in record.completeness.missing_required


def test_sickle_oai_dc_record(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("oai/sickle/GetRecord.xml"))
    assert record.oai_identifier == "oai:test.example.com:1996652"
    assert record.datestamp == "2011-09-05T12:51:52Z"
    assert record.title == "Sample Title"
    assert record.identifiers == (Identifier("URI", "http://test.example.com/publication/1996652"),)
    assert record.location == "http://test.example.com/publication/1996652"
    assert record.languages == ("eng",)
    assert record.contributors == (
        Contributor("author", "John Doe"), Contributor("author", "John Doe"),
        Contributor("publisher", "Sample Publisher"))
    assert record.learning_resource_types == ("info:eu-repo/semantics/article", "doc-type:article", "text")
    assert issue_codes(record) == ["vocabulary-unknown"] * 3
    assert "metametadata/metadatascheme" in record.completeness.missing_required


def test_sickle_utf8_and_deleted_without_identifier(fixture_bytes: Callable[[str], bytes]) -> None:
    [record] = normalize_document(fixture_bytes("oai/sickle/GetRecord_utf8test.xml"))
    assert record.contributors == (Contributor("author", "某人"), Contributor("publisher", "Sample Publisher"))
    first, second = normalize_document(fixture_bytes("oai/sickle/ListRecords4.xml"))
    assert first.deleted and first.oai_identifier is None
    assert second.contributors[-1] == Contributor("publisher", "Sample Publisher")


def test_sru_lom_records(fixture_bytes: Callable[[str], bytes]) -> None:
    records = normalize_document(fixture_bytes("sru/edurep-sru-lom.xml"))
    first = records[0]
    assert first.oai_identifier == (
        "wikipedia_nl:oai:collecties.edurep.nl:oaiprovider/mediawiki/ef1bb6d4-c229-4b46-8b1a-65441267dc90")
    assert first.title == "Elektrische fiets"
    assert first.location == "http://nl.wikipedia.org/wiki/Elektrische_fiets"
    assert first.learning_resource_types == ("informatiebron",)
    assert first.contributors == (Contributor("publisher", "Wikipedia", "2015-12-08T10:33:43Z"),)
    assert all(record.title for record in records)
