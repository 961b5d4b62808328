"""Vocabulary tables: exact, repaired, unknown; OBK terms."""

from __future__ import annotations

import pytest

from metadata.record import Issue, Term
from metadata.vocabulary import (
    VocabularyName,
    discipline_terms,
    educational_level_terms,
    normalise_term,
    obk_terms,
    vocabulary,
)


@pytest.mark.parametrize("name", list(VocabularyName))
def test_every_vocabulary_loads_and_knows_its_own_values(name: VocabularyName) -> None:
    table = vocabulary(name)
    assert table.values
    for value in table.values:
        assert table.lookup(value) == (value, True)
        assert table.source_of(value).startswith(("http", "LOMv1.0"))


@pytest.mark.parametrize("name, raw, value", [
    (VocabularyName.CONTEXT, " vo ", "VO"),
    (VocabularyName.CONTEXT, "sbao", "SBaO"),
    (VocabularyName.CONTEXT, "Voortgezet Onderwijs", "VO"),
    (VocabularyName.LEARNING_RESOURCE_TYPE, "Informatiebron", "informatiebron"),
    (VocabularyName.LEARNING_RESOURCE_TYPE, "evaluatie en toetsmateriaal", "evaluatie- en toetsmateriaal"),
    (VocabularyName.RELATION_KIND, "has_part", "haspart"),
    (VocabularyName.CLASSIFICATION_PURPOSE, "EducationalLevel", "educational level"),
    (VocabularyName.ACCESS_RIGHTS, "restricted access", "RestrictedAccess"),
    (VocabularyName.END_USER_ROLE, "docent", "teacher"),
])
def test_repairs(name: VocabularyName, raw: str, value: str) -> None:
    issues: list[Issue] = []
    assert vocabulary(name).normalise(raw, "p", issues) == value
    assert [(issue.code, issue.message) for issue in issues] == [
        ("vocabulary-repaired", f"{raw!r} read as {value!r}")]


def test_indentation_alone_is_not_a_repair() -> None:
    issues: list[Issue] = []
    assert vocabulary(VocabularyName.CONTEXT).normalise("\n   VO\n  ", "p", issues) == "VO"
    assert issues == []


def test_unknown_values_are_kept_and_reported() -> None:
    issues: list[Issue] = []
    assert vocabulary(VocabularyName.CONTEXT).normalise("  Praktijkonderwijs ", "educational/context",
                                                        issues) == "Praktijkonderwijs"
    assert [(issue.code, issue.path) for issue in issues] == [("vocabulary-unknown", "educational/context")]


def test_obk_terms() -> None:
    assert obk_terms()["512e4729-03a4-43a2-95ba-758071d1b725"].sector == "PO"
    levels = {term.id for term in educational_level_terms()}
    # The sector roots named in NL-LOM's documentation are all known.
    assert {"512e4729-03a4-43a2-95ba-758071d1b725", "2a1401e9-c223-493b-9b86-78f6993b1a8d",
            "a3ddbe60-8478-4204-b769-6f5e9f4cbca2", "caa97efc-a713-41ea-a845-1534ca65eac9",
            "f3ac3fbb-5eae-49e0-8494-0a44855fff25", "be140797-803f-4b9e-81cc-5572c711e09c",
            "bbbd99c6-cf49-4980-baed-12388f8dcff4", "e7f1c08f-08fb-48ab-be8e-c131b1bce54a",
            "e05b5eb1-6a65-4f45-9556-79b25cd91da8", "15d693b8-fbe1-4112-8135-4a20aba5101c"} <= levels
    assert {"2b363227-8633-4652-ad57-c61f1efc02c8", "b48fa351-4561-44c7-a071-ebfd6103eec3"} <= {
        term.id for term in discipline_terms()}


def test_terms() -> None:
    issues: list[Issue] = []
    assert normalise_term("2B363227-8633-4652-AD57-C61F1EFC02C8", "biologie", "p", issues) == Term(
        "2b363227-8633-4652-ad57-c61f1efc02c8", "Biologie")
    assert issues == []
    assert normalise_term("0e2d7f5c-1111-4222-8333-944455566677", "Sterrenkunde", "p", issues) == Term(
        "0e2d7f5c-1111-4222-8333-944455566677", "Sterrenkunde")
    assert [issue.code for issue in issues] == ["taxon-unknown"]
