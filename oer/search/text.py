"""How search text is read: words, "quoted phrases" and -exclusions. Pure; no I/O.

Every backend reads search text the same way, so a query means the same on
the embedded index and on a search cluster:

- a word must match in at least one text field (all words when the search is
  strict, most of them when it is relaxed: see `Match` and `required_words`);
- `"a phrase"` must match as a phrase in one field, strict or relaxed;
- `-word` and `-"a phrase"` must not match in any text field.

No other syntax: colons, stars and brackets are just characters, so a title
pasted into the search box (`Wiskunde: breuken - deel 2`) never turns into a
field query or an error. An unpaired quote is a space, a dash on its own is
nothing, and a dash inside a word (`e-learning`) is part of the word.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_PART = re.compile(r'(-*)"([^"]*)"|(\S+)')


class Match(enum.Enum):
    """How many of the text's words a document must match (phrases and exclusions always count)."""

    ALL = "all"
    # Relaxed: all words but one from three words on, one of two (see `required_words`).
    MOST = "most"


def required_words(count: int, match: Match) -> int:
    """How many of `count` searchable words must match (Elasticsearch's `minimum_should_match: -1`).

    `count` leaves out words the analysis drops (stop words, punctuation), as
    the engines do.
    """
    if match is Match.ALL:
        return count
    return count - 1 if count >= 3 else min(count, 1)


@dataclass(frozen=True, slots=True)
class TextPart:
    """A word, or a phrase whose words must occur in this order; `excluded` if it must not match."""

    text: str
    phrase: bool
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class QueryText:
    """Search text read into its parts, in the order typed."""

    parts: tuple[TextPart, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """The words that must match (all, or most of them)."""
        return tuple(p.text for p in self.parts if not p.phrase and not p.excluded)

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases that must match."""
        return tuple(p.text for p in self.parts if p.phrase and not p.excluded)

    @property
    def excluded(self) -> tuple[TextPart, ...]:
        """The words and phrases that must not match."""
        return tuple(p for p in self.parts if p.excluded)

    @property
    def has_terms(self) -> bool:
        """True when something must match; False for no text, or only exclusions."""
        return any(not p.excluded for p in self.parts)


def parse_text(text: str) -> QueryText:
    """Read search text into words, phrases and exclusions."""
    parts: list[TextPart] = []
    for match in _PART.finditer(balance_quotes(text)):
        dashes, phrase, word = match.groups()
        if phrase is not None:
            if phrase.strip():
                parts.append(TextPart(" ".join(phrase.split()), phrase=True, excluded=bool(dashes)))
        elif word.startswith("-"):
            if word.strip("-"):
                parts.append(TextPart(word.lstrip("-"), phrase=False, excluded=True))
        else:
            parts.append(TextPart(word, phrase=False))
    return QueryText(tuple(parts))


def split_text(text: str) -> tuple[TextPart, ...]:
    """The parts of search text in the order typed (see `parse_text`)."""
    return parse_text(text).parts


def balance_quotes(text: str) -> str:
    """Read an unpaired (last) quote as a space, so the rest still parses."""
    if text.count('"') % 2:
        index = text.rfind('"')
        return text[:index] + " " + text[index + 1 :]
    return text
