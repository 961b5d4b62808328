"""Size limits: over-long fields are cut (at a word boundary) or dropped with an issue, long lists
capped, an oversized record refused; records within every limit are untouched."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metadata import limits, submission
from metadata.errors import MetadataError, RecordError, RecordTooLargeError
from metadata.formats import LOM, record_to_xml
from metadata.limits import ELLIPSIS, limit_record, truncate_text
from metadata.normalize import normalize_document, normalize_metadata, normalize_records, parse_record_xml
from metadata.record import Annotation, Contributor, Identifier, Issue, Licence, Record, Relation, Term
from tests.support.metadata_fixtures import issues_with
from tests.support.paths import FIXTURES_DIR

IMS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
DC = ('xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"')


def lom(general: str = "", *sections: str) -> bytes:
    title = '<title><langstring xml:lang="nl">Breuken</langstring></title>'
    return (f'<lom xmlns="{IMS}"><general>{title}<language>nl</language>{general}</general>'
            + "".join(sections) + "</lom>").encode()


def description(text: str) -> str:
    return f'<description><langstring xml:lang="nl">{text}</langstring></description>'


def keyword(text: str) -> str:
    return f'<keyword><langstring xml:lang="nl">{text}</langstring></keyword>'


def the_issue(record: Record, code: str, path: str) -> Issue:
    [issue] = [issue for issue in issues_with(record, code) if issue.path == path]
    return issue


# -- truncate_text ----------------------------------------------------------------------------


def test_a_cut_falls_on_a_word_boundary_and_says_so() -> None:
    text = "een twee drie vier vijf zes"
    cut = truncate_text(text, 16)
    assert cut == "een twee drie" + ELLIPSIS
    assert len(cut) <= 16
    assert text.startswith(cut.removesuffix(ELLIPSIS))


def test_a_cut_right_before_a_space_keeps_the_whole_last_word() -> None:
    assert truncate_text("een twee drie", 9) == "een twee" + ELLIPSIS


def test_a_cut_across_lines_falls_at_a_line_break() -> None:
    assert truncate_text("eerste regel\ntweede", 16) == "eerste regel" + ELLIPSIS


def test_without_a_boundary_near_the_limit_the_cut_falls_at_the_limit() -> None:
    # One long word, or a script written without spaces: cutting back to the last space would
    # lose more than half of what fits.
    assert truncate_text("a " + "x" * 100, 20) == "a " + "x" * 17 + ELLIPSIS
    assert truncate_text("一二三四五六七八九十", 5) == "一二三四" + ELLIPSIS


def test_text_that_fits_is_untouched() -> None:
    text = "precies tien"
    assert truncate_text(text, len(text)) is text


@pytest.mark.parametrize("limit", [0, 1, 2, 5, 50])
def test_a_cut_never_exceeds_the_limit(limit: int) -> None:
    assert len(truncate_text("woord " * 40, limit)) <= limit


# -- fields ---------------------------------------------------------------------------------


def test_a_huge_description_is_cut_at_a_word_boundary_with_an_issue() -> None:
    text = "Een lange les. " * 20_000  # 300 000 characters
    record = normalize_metadata(lom(description(text)))
    assert record.description is not None
    assert len(record.description) <= limits.DESCRIPTION_MAX
    head = record.description.removesuffix(ELLIPSIS)
    assert head != record.description and text.startswith(head)
    assert text[len(head)] == " ", "cut at a word boundary"
    issue = the_issue(record, "value-too-long", "general/description")
    original = len(text.strip())
    assert issue.message == (f"description has {original} characters, more than the limit of "
                             f"{limits.DESCRIPTION_MAX}; cut to fit")


def test_a_record_cut_anywhere_is_written_from_its_fields_not_its_source_lom() -> None:
    text = "Een lange les. " * 20_000
    record = normalize_metadata(lom(description(text)))
    # The source's whole LOM would carry the 300 000 characters on to the feed and the API.
    assert record.lom is None
    served = record_to_xml(record, LOM)
    assert len(served) < limits.DESCRIPTION_MAX + 5_000
    assert record.description is not None and record.description.encode() in served
    within = normalize_metadata(lom(description("Een korte les.")))
    assert within.lom is not None and within.lom["general"][0]["description"] == [[["nl", "Een korte les."]]]


def test_too_many_or_too_long_locations_are_limited_like_the_location() -> None:
    location = "https://example.org/" + "a" * limits.LINK_MAX
    many = "".join(f"<location>https://example.org/{n}</location>" for n in range(limits.VALUES_MAX + 5))
    record = normalize_metadata(lom("", f"<technical><location>{location}</location>{many}</technical>"))
    # The first VALUES_MAX are kept, and of those the over-long one is dropped, not cut.
    assert len(record.locations) == limits.VALUES_MAX - 1
    assert location not in record.locations and record.locations[0] == "https://example.org/0"


def test_a_long_title_is_cut_in_every_language_the_same_way() -> None:
    long_title = "Rekenen " * 500
    record = normalize_metadata(
        f'<lom xmlns="{IMS}"><general><title><langstring xml:lang="nl">{long_title}</langstring>'
        f'<langstring xml:lang="en">Short</langstring></title><language>nl</language></general></lom>'.encode())
    assert record.title is not None and len(record.title) <= limits.TITLE_MAX
    assert record.titles == {"nl": record.title, "en": "Short"}
    assert str(len(long_title.strip())) in the_issue(record, "value-too-long", "general/title").message


def test_too_many_keywords_keep_the_first_ones_with_one_issue() -> None:
    count = limits.KEYWORDS_MAX + 150
    record = normalize_metadata(lom("".join(keyword(f"woord{i}") for i in range(count))))
    assert record.keywords == tuple(f"woord{i}" for i in range(limits.KEYWORDS_MAX))
    issue = the_issue(record, "too-many-values", "general/keyword")
    assert issue.message == (f"{count} keyword values, more than the limit of {limits.KEYWORDS_MAX}; "
                             f"the first {limits.KEYWORDS_MAX} are kept")


def test_many_long_keywords_make_one_issue() -> None:
    words = [f"{i} " + "lang " * 200 for i in range(30)]
    record = normalize_metadata(lom("".join(keyword(word) for word in words) + keyword("kort")))
    assert len(record.keywords) == 31 and record.keywords[-1] == "kort"
    assert all(len(word) <= limits.KEYWORD_MAX for word in record.keywords)
    issue = the_issue(record, "value-too-long", "general/keyword")
    assert issue.message == (f"keyword: 30 values have more than the limit of {limits.KEYWORD_MAX} characters "
                             f"(the longest {max(len(w.strip()) for w in words)}); cut to fit")


def test_keywords_that_are_cut_to_the_same_text_are_one_keyword() -> None:
    same = "gelijk " * 100
    record = normalize_metadata(lom(keyword(same + "een") + keyword(same + "twee")))
    assert len(record.keywords) == 1


def test_an_over_long_location_is_dropped_not_cut() -> None:
    # A cut URL is another URL: it is not kept, so the record counts as having no location.
    location = "https://example.org/" + "a" * limits.LINK_MAX
    record = normalize_metadata(lom("", f"<technical><location>{location}</location></technical>"))
    assert record.location is None
    assert "not kept" in the_issue(record, "value-too-long", "technical/location").message
    assert "technical/location" in record.completeness.missing_required


def test_contributors_are_capped() -> None:
    contribute = ('<contribute><role><source><langstring>LOMv1.0</langstring></source><value><langstring>'
                  'author</langstring></value></role><centity><vcard>BEGIN:VCARD\nFN:Docent {}\nEND:VCARD'
                  '</vcard></centity></contribute>')
    count = limits.CONTRIBUTORS_MAX + 1
    record = normalize_metadata(lom("", "<lifecycle>" + "".join(
        contribute.format(i) for i in range(count)) + "</lifecycle>"))
    assert len(record.contributors) == limits.CONTRIBUTORS_MAX
    assert record.contributors[0] == Contributor(role="author", name="Docent 0")
    assert str(count) in the_issue(record, "too-many-values", "lifecycle/contribute").message


def test_the_issues_of_a_record_are_capped_and_their_messages_cut() -> None:
    # Every unknown learning resource type is an issue quoting the value.
    types = "".join(
        f"<learningresourcetype><value><langstring>onbekend {i} {'x' * 2000}</langstring></value>"
        "</learningresourcetype>" for i in range(limits.ISSUES_MAX + 50))
    record = normalize_metadata(lom("", f"<educational>{types}</educational>"))
    unknown = issues_with(record, "vocabulary-unknown")
    assert len(unknown) == limits.ISSUES_MAX
    assert all(len(issue.message) <= limits.ISSUE_MESSAGE_MAX for issue in unknown)
    assert the_issue(record, "too-many-values", "").message.startswith(f"{limits.ISSUES_MAX + 50} issues")
    # The values themselves: too long to be vocabulary values, and too many.
    assert record.learning_resource_types == ()
    assert the_issue(record, "too-many-values", "educational/learningresourcetype")
    assert the_issue(record, "value-too-long", "educational/learningresourcetype")


def test_dublin_core_is_limited_too() -> None:
    text = "Beschrijving " * 10_000
    record = normalize_metadata(
        f"<oai_dc:dc {DC}><dc:title>Titel</dc:title><dc:description>{text}</dc:description>"
        f"</oai_dc:dc>".encode())
    assert record.description is not None and len(record.description) <= limits.DESCRIPTION_MAX
    assert the_issue(record, "value-too-long", "general/description")


def test_one_record_over_a_limit_leaves_the_others_of_its_page_alone() -> None:
    oai = "http://www.openarchives.org/OAI/2.0/"
    records = [lom(description("x " * 40_000)), lom(description("Gewoon."))]
    page = (f'<OAI-PMH xmlns="{oai}"><ListRecords>'.encode() + b"".join(
        f"<record><header><identifier>oai:x:{i}</identifier><datestamp>2024-01-01</datestamp></header>"
        f"<metadata>".encode() + payload + b"</metadata></record>" for i, payload in enumerate(records))
        + b"</ListRecords></OAI-PMH>")
    big, normal = (result.record for result in normalize_records(page))
    assert big is not None and normal is not None
    assert issues_with(big, "value-too-long")
    assert normal.description == "Gewoon."
    assert not issues_with(normal, "value-too-long") and not issues_with(normal, "too-many-values")


def _fixture_records() -> list[Record]:
    found: list[Record] = []
    for path in sorted(FIXTURES_DIR.rglob("*.xml")):
        try:
            found += normalize_document(path.read_bytes())
        except MetadataError:
            continue
    return found


def test_real_records_are_within_every_limit() -> None:
    records = _fixture_records()
    assert len(records) >= 40
    for record in records:
        assert limit_record(record) is record, record.oai_identifier


# -- a whole record -------------------------------------------------------------------------


def test_an_oversized_record_is_refused_unread() -> None:
    data = b"<" * (limits.RECORD_XML_MAX + 1)  # not even XML: it must not get as far as the parser
    started = time.perf_counter()
    with pytest.raises(RecordTooLargeError) as refused:
        normalize_metadata(data)
    assert time.perf_counter() - started < 1
    assert isinstance(refused.value, RecordError)  # the record fails, not its page
    assert str(refused.value).startswith(f"record metadata is {limits.RECORD_XML_MAX + 1} bytes, "
                                         f"more than the limit of {limits.RECORD_XML_MAX} bytes")
    with pytest.raises(RecordTooLargeError):
        parse_record_xml(data)


def test_a_record_at_the_size_limit_is_read() -> None:
    # Bulk the reader ignores (comments: each within the parser's own limit on one node).
    payload = lom(description("woord " * 1000))
    comment = b"<!--" + b"x" * (1024 * 1024 - 7) + b"-->"
    bulk = comment * ((limits.RECORD_XML_MAX - len(payload)) // len(comment))
    padded = payload[:-6] + bulk + b" " * (limits.RECORD_XML_MAX - len(payload) - len(bulk)) + payload[-6:]
    assert len(padded) == limits.RECORD_XML_MAX
    assert normalize_metadata(padded).title == "Breuken"


# -- consistent with what a publisher may submit ----------------------------------------------


@pytest.mark.parametrize("harvested, submitted", [
    (limits.TITLE_MAX, submission.TITLE_MAX),
    (limits.DESCRIPTION_MAX, submission.DESCRIPTION_MAX),
    (limits.KEYWORD_MAX, submission.KEYWORD_MAX),
    (limits.KEYWORDS_MAX, submission.KEYWORDS_MAX),
    (limits.LINE_MAX, submission.NAME_MAX),
    (limits.CONTRIBUTORS_MAX, submission.AUTHORS_MAX + 1),  # the authors and the publisher
    (limits.LINK_MAX, submission.LOCATION_MAX),
])
def test_harvested_limits_are_at_least_what_a_publisher_may_submit(harvested: int, submitted: int) -> None:
    # Else a record published here and harvested back would be cut.
    assert harvested >= submitted


def test_a_maximal_submission_is_not_cut() -> None:
    checked = submission.check_submission({
        "title": "t" * submission.TITLE_MAX,
        "description": "d " * (submission.DESCRIPTION_MAX // 2),
        "keywords": [f"{i}" + "k" * (submission.KEYWORD_MAX - 3) for i in range(submission.KEYWORDS_MAX)],
        "authors": [f"{i}" + "a" * (submission.NAME_MAX - 3) for i in range(submission.AUTHORS_MAX)],
        "location": "https://example.org/" + "p" * (submission.LOCATION_MAX - 20),
    }, submission.PublisherContext(publisher_name="Uitgever"))
    assert [problem for problem in checked.problems if problem.code in ("too-long", "too-many")] == []
    assert limit_record(checked.record) is checked.record



# -- the quick check agrees with the long way ------------------------------------------------

_PROSE_LIMITS = {
    "title": limits.TITLE_MAX, "description": limits.DESCRIPTION_MAX, "location": limits.LINK_MAX,
    "typical_age_range": limits.LINE_MAX, "access_rights": limits.VALUE_MAX,
}
_LIST_LIMITS = {
    "keywords": (limits.KEYWORDS_MAX, limits.KEYWORD_MAX), "languages": (limits.LANGUAGES_MAX, limits.VALUE_MAX),
    "formats": (limits.VALUES_MAX, limits.VALUE_MAX),
    "learning_resource_types": (limits.VALUES_MAX, limits.VALUE_MAX),
    "end_user_roles": (limits.VALUES_MAX, limits.VALUE_MAX), "contexts": (limits.VALUES_MAX, limits.VALUE_MAX),
}


def _sized(draw: st.DrawFn, limit: int) -> str:
    """A text of a length at the limit, one past it, or short."""
    return "w " * (draw(st.sampled_from([3, limit, limit + 1])) // 2) + draw(st.sampled_from(["", "x"]))


@st.composite
def _records_near_the_limits(draw: st.DrawFn) -> Record:
    values: dict[str, Any] = {}
    for name, limit in _PROSE_LIMITS.items():
        values[name] = draw(st.one_of(st.none(), st.just(limit).map(lambda limit: _sized(draw, limit))))
    for name, (count, length) in _LIST_LIMITS.items():
        size = draw(st.sampled_from([0, 1, count, count + 1]))
        values[name] = tuple(f"{i}-" + _sized(draw, length) if draw(st.booleans()) else f"v{i}"
                             for i in range(size))
    values["titles"] = {f"l{i}": _sized(draw, limits.TITLE_MAX)
                        for i in range(draw(st.sampled_from([0, 1, limits.LANGUAGES_MAX + 1])))}
    values["identifiers"] = tuple(
        Identifier(_sized(draw, limits.VALUE_MAX), _sized(draw, limits.LINK_MAX))
        for _ in range(draw(st.sampled_from([0, 1, limits.IDENTIFIERS_MAX + 1]))))
    values["educational_levels"] = tuple(
        Term(f"{i}" + _sized(draw, limits.VALUE_MAX), draw(st.one_of(st.none(), st.just("").map(
            lambda _: _sized(draw, limits.LINE_MAX)))))
        for i in range(draw(st.sampled_from([0, 2, limits.TERMS_MAX + 1]))))
    values["licence"] = draw(st.sampled_from([None, Licence("cc-by-40", None),
                                              Licence("x" * (limits.VALUE_MAX + 1)),
                                              Licence("cc-by-40", "u" * (limits.LINK_MAX + 1))]))
    values["contributors"] = tuple(
        Contributor(_sized(draw, limits.VALUE_MAX), _sized(draw, limits.LINE_MAX), None)
        for _ in range(draw(st.sampled_from([0, 1, limits.CONTRIBUTORS_MAX + 1]))))
    values["relations"] = tuple(
        Relation(_sized(draw, limits.VALUE_MAX), f"https://example.org/{i}" + _sized(draw, limits.LINK_MAX))
        for i in range(draw(st.sampled_from([0, 1, limits.RELATIONS_MAX + 1]))))
    values["annotations"] = tuple(
        Annotation(name=_sized(draw, limits.LINE_MAX), description=_sized(draw, limits.ANNOTATION_MAX))
        for _ in range(draw(st.sampled_from([0, 1, limits.ANNOTATIONS_MAX + 1]))))
    values["issues"] = tuple(
        Issue("c", _sized(draw, limits.VALUE_MAX), _sized(draw, limits.ISSUE_MESSAGE_MAX))
        for _ in range(draw(st.sampled_from([0, 1, limits.ISSUES_MAX + 1]))))
    return Record(**values)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_records_near_the_limits())
def test_the_quick_check_keeps_exactly_what_the_long_way_keeps(record: Record) -> None:
    # `limit_record` skips the long way for a record it finds within every limit: then the
    # long way must find nothing to change either; otherwise both give the same record.
    expected = limits._limit_fields(record)
    assert limit_record(record) == expected
    assert limits._within_limits(record) == (expected is record)
