"""The Dutch word forms search understands, described once for every backend. Pure; reads package data.

Three things beyond what a Snowball Dutch stemmer does on its own, from the
table in `schemas/search/dutch.json`:

- Word forms the stemmer leaves apart are made one (`fiets`/`fietsen`,
  `brief`/`brieven`): the table's groups, whose first form is the one they
  all become. tantivy's and Lucene's Dutch stemmers differ (tantivy stems
  `woorden` to `woor`, Lucene `brieven` to `briev`), so the table holds the
  misfits of both; a group one stemmer already joins costs that one nothing.
- Compounds are split into the words they are made of (`fietsles` is `fiets`
  + `les`, `verkeersregels` is `verkeers` + `regels`), against a list of
  parts: a word is split only when it is made entirely of parts, taking the
  longest part at each point (tantivy's `SplitCompoundWords` does exactly
  this, and `split_compound` below does it the same way for the others).
- Accents are folded (`Azie` finds `Azië`), as both backends already did.

How each backend applies it (the same result: any form finds every form, and
a compound finds its parts):

- tantivy: the compound filter runs in its analyser at index and query time;
  word forms are widened at query time to the stems of every form of the
  group (`word_form_stems`), since tantivy has no stemmer override filter.
- Elasticsearch/OpenSearch with `analysis-common`: `stemmer_override` with
  the groups (`stemmer_override_rules`) and `dictionary_decompounder` with
  the parts at index time; at query time the query's words are split here
  (`split_compound_words`), because the decompounder keeps the compound
  beside its parts at one position, which a query reads as "any of them".
  The decompounder finds parts anywhere in a word, so at index time it
  splits more than tantivy does (`fietsdynamo` holds `fiets`); never less.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache

from oer.search.text import QueryText, TextPart
from schemas import resources

TABLE = "search/dutch.json"
# Parts shorter than this are never looked for (the list holds none).
MIN_PART_CHARS = 3
# A word is split only from this length: two of the shortest parts.
MIN_COMPOUND_CHARS = 2 * MIN_PART_CHARS

def fold(word: str) -> str:
    """Lower-case `word` and take the accents off its letters (`Azië` -> `azie`)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def word_forms() -> tuple[tuple[str, ...], ...]:
    """The groups of forms of one word, each with the form they all become first."""
    groups: list[list[str]] = resources.load_json(TABLE)["word_forms"]
    return tuple(tuple(fold(form) for form in group) for group in groups)


@cache
def compound_parts() -> frozenset[str]:
    """Every word a compound may be split into: the listed parts and every word form."""
    parts: list[str] = resources.load_json(TABLE)["compound_parts"]
    forms = (form for group in word_forms() for form in group)
    return frozenset(fold(part) for part in (*parts, *forms) if len(part) >= MIN_PART_CHARS)


@cache
def _longest_part() -> int:
    return max(map(len, compound_parts()))


def split_compound(word: str) -> tuple[str, ...]:
    """The parts of compound `word` (folded), or `(word,)` when it is not made of parts.

    The longest part at each point, without going back: the same splits as
    tantivy's `SplitCompoundWords` filter over `compound_parts()`, so both
    backends split a query's words alike.
    """
    # Punctuation typed against a word (`fietsles,`) is not part of it.
    folded = fold(word).strip(string.punctuation)
    if len(folded) < MIN_COMPOUND_CHARS:
        return (word,)
    parts = compound_parts()
    longest = _longest_part()
    found: list[str] = []
    start = 0
    while start < len(folded):
        for end in range(min(len(folded), start + longest), start, -1):
            if folded[start:end] in parts:
                found.append(folded[start:end])
                start = end
                break
        else:
            return (word,)
    return tuple(found) if len(found) > 1 else (word,)


def split_compound_words(text: QueryText) -> QueryText:
    """Search text with each compound word as its parts, each a word (`fietsles` -> `fiets`, `les`).

    Phrases and excluded words stay as typed: the index holds a compound
    as well as its parts, so `-fietsles` excludes only what says fietsles.
    """
    parts: list[TextPart] = []
    for part in text.parts:
        if part.phrase or part.excluded:
            parts.append(part)
        else:
            parts += [TextPart(word, phrase=False) for word in split_compound(part.text)]
    return QueryText(tuple(parts))


def stemmer_override_rules() -> list[str]:
    """Elasticsearch `stemmer_override` rules: every other form of a group becomes its first.

    The form it becomes is not stemmed further, in any analyser that folds
    accents or not (the table is written without accents).
    """
    return [f"{', '.join(group)} => {group[0]}" for group in word_forms()]


def word_form_stems(stem: Callable[[str], Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    """For a backend that cannot override its stemmer: each stem of a group's form -> all of them.

    `stem` analyses one word into its terms; a query term found here is
    searched as any of the group's terms, which makes the forms one at query
    time (in scores too: each is a term of its own).
    """
    widened: dict[str, tuple[str, ...]] = {}
    for group in word_forms():
        stems: list[str] = []
        for form in group:
            terms = list(stem(form))
            if len(terms) == 1 and terms[0] not in stems:
                stems.append(terms[0])
        if len(stems) > 1:
            for term in stems:
                # A stem two groups share (rare) searches the forms of both.
                widened[term] = tuple(dict.fromkeys((*widened.get(term, ()), *stems)))
    return widened
