"""Completeness by NL-LOM's required, conditional and recommended rules."""

from __future__ import annotations

from metadata.completeness import assess_completeness
from metadata.record import Contributor, Identifier, Licence, Record, Relation, Term

COMPLETE = Record(
    title="Breuken",
    titles={"nl": "Breuken"},
    description="Oefenen met breuken",
    keywords=("breuken",),
    languages=("nl",),
    identifiers=(Identifier("URI", "https://example.org/1"),),
    location="https://example.org/1",
    formats=("text/html",),
    aggregation_level=2,
    learning_resource_types=("open opdracht",),
    end_user_roles=("learner",),
    contexts=("HBO",),
    typical_learning_time=600,
    cost=False,
    licence=Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"),
    contributors=(Contributor("author", "Anne", "2024-01-01"),),
    relations=(Relation("isbasedon", "https://example.org/0"),),
)


def test_complete_record_scores_one() -> None:
    completeness = assess_completeness(COMPLETE)
    assert completeness.score == 1.0
    assert completeness.missing_required == ()
    assert completeness.missing_recommended == ()


def test_empty_record_scores_zero() -> None:
    completeness = assess_completeness(Record(), has_metadata_scheme=False)
    assert completeness.score == 0.0
    assert completeness.missing_required == (
        "general/title", "general/catalogentry", "general/language", "general/aggregationlevel",
        "metametadata/metadatascheme", "educational/intendedenduserrole", "rights/cost",
        "rights/copyrightandotherrestrictions", "technical/location")
    assert len(completeness.missing_recommended) == 8


def test_score_formula() -> None:
    # all 9 required present, 0 of 8 recommended: 0.75
    bare = COMPLETE.with_changes(description=None, keywords=(), contributors=(), formats=(),
                                 learning_resource_types=(), typical_learning_time=None, relations=())
    assert assess_completeness(bare).score == 0.75
    # one required missing of 9, all recommended: 0.75 * 8/9 + 0.25
    assert assess_completeness(COMPLETE.with_changes(cost=None)).score == round(0.75 * 8 / 9 + 0.25, 3)


def test_large_units_need_context_discipline_and_level() -> None:
    course = COMPLETE.with_changes(aggregation_level=3, contexts=())
    assert assess_completeness(course).missing_required == (
        "educational/context", "classification/discipline", "classification/educational level")
    course = course.with_changes(contexts=("HBO",), disciplines=(Term("x", "X"),),
                                 educational_levels=(Term("y", "Y"),))
    assert assess_completeness(course).missing_required == ()


def test_school_contexts_need_an_age_range() -> None:
    school = COMPLETE.with_changes(contexts=("VO",))
    assert assess_completeness(school).missing_required == ("educational/typicalagerange",)
    assert assess_completeness(school.with_changes(typical_age_range="12-15")).missing_required == ()


def test_copyright_yes_needs_a_rights_description() -> None:
    reserved = COMPLETE.with_changes(licence=Licence("yes", None))
    assert assess_completeness(reserved).missing_required == ("rights/description",)
    assert assess_completeness(reserved, has_rights_description=True).missing_required == ()
    assert assess_completeness(COMPLETE, has_rights_description=False).missing_required == ()


def test_contributors_need_role_and_name() -> None:
    nameless = COMPLETE.with_changes(contributors=(Contributor("author", None, "2024-01-01"),))
    assert assess_completeness(nameless).missing_recommended == ("lifecycle/contribute",)
