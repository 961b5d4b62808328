"""A publisher's submission checked by NL-LOM's rules: every problem at once, and the record it makes."""

from __future__ import annotations

import pytest

from metadata.submission import PublisherContext, check_submission, submission_of_record
from tests.support.publishing import KERNDOEL_PO_26, SUBMISSION

CONTEXT = PublisherContext(oai_identifier="oai:oer.example.org:1", catalog="oer.example.org", entry="1",
                           publisher_name="Het Lyceum", date="2026-12-06")


def fields(data: dict[str, object]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in check_submission(data, CONTEXT).problems}


def test_a_complete_submission_makes_a_record_with_every_required_element() -> None:
    checked = check_submission(SUBMISSION, CONTEXT)
    assert checked.ok
    record = checked.record
    assert record.completeness.missing_required == ()
    assert record.titles == {"nl": "Breuken vergelijken"}
    assert record.typical_learning_time == 45 * 60
    assert [t.id for t in record.educational_objectives] == [KERNDOEL_PO_26]
    assert [(c.role, c.name, c.date) for c in record.contributors] == [
        ("author", "Rik Redacteur", "2026-12-06"), ("publisher", "Het Lyceum", "2026-12-06")]
    assert submission_of_record(record) == {**SUBMISSION, "typical_learning_time": 45}


def test_nl_lom_s_required_elements_are_reported_on_their_fields() -> None:
    assert fields({}) == {("title", "required"), ("languages", "required"), ("aggregation_level", "required"),
                          ("end_user_roles", "required"), ("licence", "required"), ("location", "required")}


def test_conditional_rules_apply_a_series_needs_sector_subject_level_and_po_an_age() -> None:
    series = {**SUBMISSION, "aggregation_level": 3, "contexts": [], "disciplines": [], "educational_levels": []}
    assert fields(series) == {("contexts", "required"), ("disciplines", "required"),
                              ("educational_levels", "required")}
    assert fields({**SUBMISSION, "typical_age_range": None}) == {("typical_age_range", "required")}
    assert fields({**SUBMISSION, "contexts": ["HBO"], "typical_age_range": None}) == set()


def test_malformed_values_are_refused_each_with_dutch_and_english() -> None:
    bad = {**SUBMISSION, "languages": ["Nederlands"], "location": "ftp://x.example.org/les",
           "aggregation_level": "groot", "contexts": ["basisschool"], "disciplines": ["geen-uuid"],
           "typical_age_range": "12-6", "typical_learning_time": "een uur", "licence": "yes",
           "keywords": "x" * 300, "kleur": "blauw"}
    checked = check_submission(bad, CONTEXT)
    assert {(p.field, p.code) for p in checked.problems} == {
        ("languages", "invalid"), ("location", "invalid-url"), ("aggregation_level", "invalid"),
        ("contexts", "unknown-value"), ("disciplines", "unknown-value"), ("typical_age_range", "invalid"),
        ("typical_learning_time", "invalid"), ("licence", "unknown-value"), ("keywords", "too-long"),
        ("kleur", "unknown-field")}
    assert all(p.message_nl != p.message_en for p in checked.problems)
    assert [p.field for p in checked.problems][:3] == ["keywords", "languages", "location"], "in form order"


@pytest.mark.parametrize("name", ["aggregation_level", "typical_learning_time"])
def test_json_infinity_is_an_invalid_number_not_a_crash(name: str) -> None:
    # Python's JSON reader accepts `Infinity`; int() of it raised OverflowError.
    assert (name, "invalid") in fields({**SUBMISSION, name: float("inf")})


def test_unsafe_links_never_become_the_location() -> None:
    for link in ("javascript:alert(1)", "JavaScript:alert(1)", " java\tscript:alert(1)", "data:text/html,x",
                 "https://", "https://ex ample.org/", "//elders.example.org/"):
        assert ("location", "invalid-url") in fields({**SUBMISSION, "location": link}), link


def test_recommended_fields_left_out_are_listed_for_the_meter() -> None:
    sparse = {**SUBMISSION, "description": None, "keywords": [], "typical_learning_time": None}
    checked = check_submission(sparse, CONTEXT)
    assert checked.ok
    assert set(checked.missing_recommended) >= {"description", "keywords", "typical_learning_time"}


def test_a_teacher_in_their_own_name_is_the_author() -> None:
    context = PublisherContext(date="2026-12-06", default_author="Tess Leraar")
    record = check_submission({**SUBMISSION, "authors": []}, context).record
    assert [(c.role, c.name) for c in record.contributors] == [("author", "Tess Leraar")]
