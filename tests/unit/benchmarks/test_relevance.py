"""The relevance benchmark's metrics, and its corpus and judged queries being well-formed."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from jsonschema import Draft202012Validator

from benchmarks.relevance import (
    CATEGORIES,
    CORPUS_FILE,
    QUERIES_FILE,
    JudgedQuery,
    Outcome,
    documents,
    load_corpus,
    load_queries,
    ndcg_at,
    percentile,
    recall_at,
    summarise,
    zero_result_rate,
)
from schemas import resources

# -- metrics --------------------------------------------------------------------------------------


def test_recall_counts_the_relevant_materials_in_the_first_k() -> None:
    assert recall_at(["a", "x", "b"], {"a", "b", "c"}) == pytest.approx(2 / 3)
    assert recall_at(["x", "a"], {"a"}, k=1) == 0.0
    assert recall_at([], {"a"}) == 0.0


def test_recall_is_out_of_at_most_k() -> None:
    relevant = {f"m{i}" for i in range(12)}
    assert recall_at(sorted(relevant)[:10], relevant, k=10) == 1.0
    assert recall_at(sorted(relevant)[:5], relevant, k=10) == 0.5


def test_recall_needs_relevant_materials() -> None:
    with pytest.raises(ValueError):
        recall_at(["a"], set())


def test_ndcg_is_one_for_the_ideal_order_and_less_for_another() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b"], grades) == pytest.approx(1.0)
    # Swapped: (2^1 - 1)/log2(2) + (2^2 - 1)/log2(3) against 3/log2(2) + 1/log2(3).
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], grades) == pytest.approx(expected)
    assert ndcg_at(["b", "a"], grades) < ndcg_at(["a", "b"], grades)


def test_ndcg_gives_unjudged_materials_no_gain_and_stops_at_k() -> None:
    assert ndcg_at(["x", "a"], {"a": 2}) == pytest.approx(1 / math.log2(3))
    assert ndcg_at(["x", "y"], {"a": 2}) == 0.0
    assert ndcg_at(["x", "a"], {"a": 2}, k=1) == 0.0


def test_ndcg_ideal_takes_the_best_k_grades() -> None:
    grades = {"a": 1, "b": 2, "c": 2}
    # Two grade-2 materials in the first two places are ideal for k=2, whatever else is judged.
    assert ndcg_at(["c", "b"], grades, k=2) == pytest.approx(1.0)
    assert ndcg_at(["a", "b"], grades, k=2) < 1.0


def test_ndcg_needs_a_positive_grade() -> None:
    with pytest.raises(ValueError):
        ndcg_at(["a"], {"a": 0})


def test_zero_result_rate() -> None:
    assert zero_result_rate([0, 3, 0, 5]) == 0.5
    assert zero_result_rate([1, 2]) == 0.0
    assert zero_result_rate([]) == 0.0


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 21)]
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile([4.0], 0.95) == 4.0
    assert math.isnan(percentile([], 0.5))


def _outcome(
    relevant: dict[str, int],
    must_not: tuple[str, ...],
    ranked: tuple[str, ...],
    found: set[str] | None = None,
) -> Outcome:
    query = JudgedQuery("q", "plain", "note", relevant, must_not)
    everything = set(ranked) if found is None else found
    return Outcome(query, ranked, {}, len(everything), frozenset(everything), None)


def test_summary_rates_count_queries() -> None:
    outcomes = [
        _outcome({"a": 2}, (), ("a",)),
        _outcome({"b": 2}, ("x",), (), set()),  # nothing found
        _outcome({"c": 1}, ("y",), ("c",), {"c", "y"}),  # a must-not material beyond the first page
    ]
    summary = summarise(outcomes)
    assert summary.judged == 3
    assert summary.recall == pytest.approx(2 / 3)
    assert summary.zero_results == 1 and summary.zero_result_rate == pytest.approx(1 / 3)
    assert summary.guarded == 2 and summary.violated == 1 and summary.violated_in_top == 0
    assert [outcome.failed for outcome in outcomes] == [False, True, True]


# -- the data files -------------------------------------------------------------------------------

MATERIALS = load_corpus()
QUERIES = load_queries()
CORPUS_IDS = [material.id for material in MATERIALS]


def test_the_corpus_has_a_few_hundred_materials_with_unique_ids() -> None:
    assert len(MATERIALS) >= 200
    assert [item for item, count in Counter(CORPUS_IDS).items() if count > 1] == []


def test_every_corpus_record_is_a_valid_normalised_record() -> None:
    validator = Draft202012Validator(resources.load_json("record.schema.json"))
    for material in MATERIALS:
        document = json.loads(json.dumps(material.record.to_dict(), ensure_ascii=False))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == [], material.id
        assert material.record.title and material.record.contexts, material.id
    assert len(documents(MATERIALS)) == len(MATERIALS)


def test_the_corpus_covers_the_sectors() -> None:
    contexts = {context for material in MATERIALS for context in material.record.contexts}
    assert {"PO", "VO", "SO", "SBaO", "BVE"} <= contexts


def test_there_are_at_least_60_distinct_queries() -> None:
    texts = [query.text for query in QUERIES]
    assert len(texts) >= 60
    assert [text for text, count in Counter(texts).items() if count > 1] == []


def test_every_category_is_described_and_in_use() -> None:
    described = json.loads(QUERIES_FILE.read_text(encoding="utf-8"))["categories"]
    assert tuple(described) == CATEGORIES
    assert {query.category for query in QUERIES} == set(CATEGORIES)


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.text)
def test_every_judgement_names_corpus_materials(query: JudgedQuery) -> None:
    known = set(CORPUS_IDS)
    assert query.note.strip()
    assert query.relevant, "every query has materials it must find"
    assert set(query.relevant.values()) <= {1, 2}
    assert sorted(set(query.relevant) - known) == []
    assert sorted(set(query.must_not) - known) == []
    assert sorted(set(query.relevant) & set(query.must_not)) == []


def test_the_data_files_sit_beside_the_benchmark() -> None:
    assert CORPUS_FILE.parent == QUERIES_FILE.parent
    assert (CORPUS_FILE.parent / "README.md").exists()
