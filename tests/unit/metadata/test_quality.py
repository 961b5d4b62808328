"""The quality framework as data: version 1 is valid, broken files say every problem, tokens, names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from metadata.quality import (
    AnnotatorRole,
    FrameworkError,
    Mark,
    annotation_text,
    bundled_framework,
    check_framework,
    current_criterion,
    detail_token,
    in_discipline,
    named_parties,
    quality_tokens,
    read_framework,
)
from metadata.record import Contributor, Record, Term
from schemas import resources


def v1() -> dict[str, Any]:
    return copy.deepcopy(resources.load_json("quality/v1.json"))


def test_version_1_covers_the_dimensions_and_is_valid() -> None:
    assert check_framework(v1()) == []
    framework = bundled_framework()
    assert [g.id for g in framework.groups] == [
        "didactiek", "vakinhoud", "toegankelijkheid", "inclusie", "kerndoelen", "onderbouwing", "werkbaarheid",
        "differentiatie", "actualiteit"]
    for criterion in framework.criteria.values():
        assert criterion.nl and criterion.en and criterion.questions_nl and criterion.questions_en
        assert AnnotatorRole.REDACTIE in criterion.roles and AnnotatorRole.AUTEUR in criterion.roles
    scales = {c.scale.kind for c in framework.criteria.values()}
    assert scales == {"ordinal", "list", "yesno"}


def test_a_broken_framework_says_every_problem() -> None:
    broken = v1()
    del broken["name"]
    broken["groups"][0]["criteria"][0]["roles"] = ["koning"]
    problems = check_framework(broken)
    assert problems == [
        "(top): 'name' is a required property",
        "groups/0/criteria/0/roles/0: 'koning' is not one of "
        "['auteur', 'vakexpert', 'leraar', 'leerling', 'ouder', 'redactie']",
    ]
    with pytest.raises(FrameworkError) as refused:
        read_framework(broken)
    assert refused.value.problems == problems


def test_what_the_schema_cannot_say_is_checked_too() -> None:
    broken = v1()
    broken["groups"][1]["criteria"][0]["id"] = "didactiek.doelen"
    broken["groups"][0]["criteria"][1]["scale"] = "sterren"
    broken["scales"]["janee"]["values"].append({"code": "ja", "nl": "Ja", "en": "Yes"})
    broken["replaces"] = {"version": "1", "criteria": {"oud": "nergens"}}
    assert check_framework(broken) == [
        "groups/0/criteria/1/scale: no scale 'sterren' (scales: janee, niveau, onderbouwing)",
        "groups/1/criteria/0/id: 'didactiek.doelen' is used twice",
        "scales/janee/values: a code is used twice",
        "replaces/version: a version cannot replace itself",
        "replaces/criteria/oud: maps to 'nergens', which this version does not have",
    ]


def test_criteria_follow_their_mapping_across_versions() -> None:
    one = bundled_framework()
    two_doc = v1()
    two_doc["version"] = "2"
    two_doc["replaces"] = {"version": "1", "criteria": {"didactiek.doelen": "didactiek.leerdoelen"}}
    two_doc["groups"][0]["criteria"][0]["id"] = "didactiek.leerdoelen"
    two_doc["groups"] = [g for g in two_doc["groups"] if g["id"] != "actualiteit"]
    two = read_framework(two_doc, one)
    three_doc = copy.deepcopy(two_doc)
    three_doc["version"] = "3"
    three_doc["replaces"] = {"version": "2", "criteria": {}}
    three = read_framework(three_doc, two)
    known = {"1": one, "2": two, "3": three}
    assert current_criterion("1", "didactiek.doelen", known, "3") == "didactiek.leerdoelen"
    assert current_criterion("1", "didactiek.instructie", known, "3") == "didactiek.instructie"
    assert current_criterion("1", "actualiteit.actueel", known, "3") is None
    assert current_criterion("3", "didactiek.leerdoelen", known, "3") == "didactiek.leerdoelen"


def test_tokens_make_at_least_one_exact_match() -> None:
    framework = bundled_framework()
    criteria, details = quality_tokens([
        Mark("didactiek.doelen", AnnotatorRole.VAKEXPERT, "goed"),
        Mark("toegankelijkheid.ondertiteld", AnnotatorRole.AUTEUR, "ja"),
        Mark("onderbouwing.bewijs", AnnotatorRole.AUTEUR, "evidence-informed"),
    ], framework)
    assert criteria == ("didactiek.doelen", "toegankelijkheid.ondertiteld", "onderbouwing.bewijs")
    for wanted in ("didactiek.doelen/vakexpert>=voldoende", "didactiek.doelen>=goed", "didactiek.doelen=goed",
                   "toegankelijkheid.ondertiteld/auteur=ja", "onderbouwing.bewijs=evidence-informed"):
        assert wanted in details
    # Only an ordinal scale has "at least".
    assert not [token for token in details if token.startswith("toegankelijkheid") and ">=" in token]
    assert detail_token("didactiek.doelen", "leraar", "voldoende") == "didactiek.doelen/leraar>=voldoende"
    assert detail_token("toegankelijkheid.ondertiteld", None, "ja", at_least=False) == "toegankelijkheid.ondertiteld=ja"


def test_who_a_record_names_and_in_which_discipline() -> None:
    record = Record(title="x", contributors=(Contributor("publisher", " Het  Lyceum"), Contributor("author", "Ann B")),
                    disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),))
    assert named_parties(record) == ({"het lyceum"}, {"ann b"})
    assert in_discipline(record, ["REKENEN"]) and in_discipline(record, ["b48fa351-4561-44c7-a071-ebfd6103eec3"])
    assert not in_discipline(record, ["Biologie"])


def test_the_lom_description_names_version_criterion_value_and_justification() -> None:
    text = annotation_text(bundled_framework(), "1", "didactiek.doelen", "onvoldoende", "Geen doelen.")
    assert text == ("Kwaliteitskader versie 1, criterium 'Leerdoelen zijn duidelijk' (didactiek.doelen): "
                    "Onvoldoende. Toelichting: Geen doelen.")
