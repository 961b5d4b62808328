"""The one table of display labels: every vocabulary value a page shows, in Dutch and English."""

from __future__ import annotations

import pytest

from metadata.facets import FACETS_BY_NAME, FacetValues
from metadata.vocabulary import (
    LABEL_LANGUAGES,
    VocabularyName,
    discipline_terms,
    educational_level_terms,
    vocabulary,
    vocabulary_label,
    vocabulary_labels,
)

PO_LEVEL = "512e4729-03a4-43a2-95ba-758071d1b725"

# The facet fields whose values are vocabulary codes, and the vocabulary each comes from.
CODE_FIELDS = {
    "contexts": VocabularyName.CONTEXT,
    "learning_resource_types": VocabularyName.LEARNING_RESOURCE_TYPE,
    "aggregation_level": VocabularyName.AGGREGATION_LEVEL,
    "access_rights": VocabularyName.ACCESS_RIGHTS,
    "cost": VocabularyName.COST,
    "end_user_roles": VocabularyName.END_USER_ROLE,
}


def test_every_label_is_given_in_every_language() -> None:
    missing = [
        (field, value, language)
        for field, values in vocabulary_labels().items()
        for value, labels in values.items()
        for language in LABEL_LANGUAGES
        if not labels.get(language, "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize(("field", "name"), sorted(CODE_FIELDS.items()))
def test_every_code_of_a_shown_vocabulary_has_labels(field: str, name: VocabularyName) -> None:
    assert set(vocabulary(name).values) <= set(vocabulary_labels()[field])


def test_every_code_facet_of_the_table_is_labelled() -> None:
    code_facets = {facet.name for facet in FACETS_BY_NAME.values() if facet.values is FacetValues.CODE}
    assert code_facets <= set(vocabulary_labels())


def test_every_known_level_and_subject_has_labels() -> None:
    levels, subjects = vocabulary_labels()["educational_levels"], vocabulary_labels()["disciplines"]
    assert {term.id.lower() for term in educational_level_terms()} <= set(levels)
    assert {term.id.lower() for term in discipline_terms()} <= set(subjects)


def test_a_value_is_named_in_the_language_asked_for() -> None:
    assert vocabulary_label("contexts", "PO", "nl") == "Primair onderwijs"
    assert vocabulary_label("contexts", "PO", "en") == "Primary education"
    assert vocabulary_label("educational_levels", PO_LEVEL, "en") == "Primary education"
    # OBK ids are matched whatever their case.
    assert vocabulary_label("educational_levels", PO_LEVEL.upper(), "en") == "Primary education"
    assert vocabulary_label("end_user_roles", "teacher", "en") == "Teacher"
    assert vocabulary_label("licence", "yes", "en") == "All rights reserved"


def test_the_english_labels_are_not_the_dutch_ones() -> None:
    # The English site shows no Dutch vocabulary values: a label only the same in both
    # languages where the word is (School, Training, Diagram, and abbreviations like HBO).
    same = {
        (field, labels["nl"])
        for field, values in vocabulary_labels().items()
        for labels in values.values()
        if labels["nl"] == labels["en"]
    }
    assert same <= {
        ("contexts", "School"), ("contexts", "Training"), ("learning_resource_types", "Diagram"),
        ("learning_resource_types", "Index"), ("learning_resource_types", "Experiment"),
    }, same


def test_an_unknown_value_or_field_has_no_label() -> None:
    assert vocabulary_label("contexts", "XX", "en") is None
    assert vocabulary_label("source", "wikiwijsmaken", "en") is None
    assert vocabulary_label("contexts", "PO", "de") is None
