"""The spelling rule every backend corrects by: edit distance and allowed edits (pure code)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oer.search.spelling import MIN_SPELLING_CHARS, edit_distance, max_edits


def reference_distance(first: str, second: str) -> int:
    """Optimal string alignment distance, written out as the textbook full table."""
    rows, columns = len(first) + 1, len(second) + 1
    table = [[0] * columns for _ in range(rows)]
    for i in range(rows):
        table[i][0] = i
    for j in range(columns):
        table[0][j] = j
    for i in range(1, rows):
        for j in range(1, columns):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            table[i][j] = min(
                table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost
            )
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("breuken", "breuken", 0),
        ("breukn", "breuken", 1),  # insertion
        ("breukeen", "breuken", 1),  # deletion
        ("breuqen", "breuken", 1),  # substitution
        ("bruekne", "breuken", 2),  # two swaps of neighbours
        ("topografei", "topografie", 1),  # one swap
        ("", "abc", 3),
        ("abc", "", 3),
        ("ca", "abc", 3),  # optimal string alignment: no edits inside a swap
    ],
)
def test_edit_distance(first: str, second: str, distance: int) -> None:
    assert edit_distance(first, second) == distance
    assert edit_distance(second, first) == distance


@given(st.text(alphabet="abcde", max_size=8), st.text(alphabet="abcde", max_size=8))
def test_edit_distance_agrees_with_the_full_table(first: str, second: str) -> None:
    assert edit_distance(first, second) == reference_distance(first, second)


def test_allowed_edits_grow_with_the_word() -> None:
    assert MIN_SPELLING_CHARS == 4
    assert [max_edits("x" * n) for n in range(1, 9)] == [0, 0, 0, 1, 1, 2, 2, 2]
