"""How far apart two spellings are, and how far a correction may go. Pure; no I/O.

Every backend offers spelling corrections by the same rule, so a typo is
corrected the same way on the embedded index and on Elasticsearch: words
shorter than MIN_SPELLING_CHARS are left alone (too many real words are one
edit apart), words up to five characters may be one edit off and longer words
two, where an edit is inserting, deleting or replacing one character or
swapping two neighbours. That is Elasticsearch's `AUTO` fuzziness and Lucene's
spell checker limit (at most two edits, with transpositions).
"""

from __future__ import annotations

MIN_SPELLING_CHARS = 4
# Longest word that may be one edit off; longer words may be two edits off.
ONE_EDIT_MAX_CHARS = 5
MAX_EDITS = 2


def max_edits(word: str) -> int:
    """How many edits a correction of `word` may make (0: do not correct it)."""
    if len(word) < MIN_SPELLING_CHARS:
        return 0
    return 1 if len(word) <= ONE_EDIT_MAX_CHARS else MAX_EDITS


def edit_distance(first: str, second: str) -> int:
    """The optimal-string-alignment distance between two words.

    Insertions, deletions, substitutions and swaps of two neighbouring
    characters each cost one (the Damerau-Levenshtein variant that fuzzy term
    queries with `transposition_cost_one` and Lucene's spell checker use).
    """
    if first == second:
        return 0
    if len(first) < len(second):
        first, second = second, first
    if not second:
        return len(first)
    before: list[int] | None = None
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                before is not None
                and i > 1
                and j > 1
                and a == second[j - 2]
                and first[i - 2] == b
            ):
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]
