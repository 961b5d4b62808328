"""How search text is read: plain words (all must match) and "quoted phrases". Pure; no I/O.

Both backends read search text the same way, so a query means the same on
the embedded index and on Elasticsearch. No other syntax: colons, dashes,
stars and brackets are just characters, so a title pasted into the search box
(`Wiskunde: breuken - deel 2`) never turns into a field query or an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True, slots=True)
class TextPart:
    """A word, or a phrase whose words must occur in this order."""

    text: str
    phrase: bool


def split_text(text: str) -> tuple[TextPart, ...]:
    """Split search text into words and quoted phrases; an unclosed quote is ignored."""
    parts: list[TextPart] = []
    for match in _PHRASE_OR_WORD.finditer(balance_quotes(text)):
        phrase, word = match.groups()
        if phrase is not None:
            if phrase.strip():
                parts.append(TextPart(phrase.strip(), phrase=True))
        elif word:
            parts.append(TextPart(word, phrase=False))
    return tuple(parts)


def balance_quotes(text: str) -> str:
    """Read an unpaired (last) quote as a space, so the rest still parses."""
    if text.count('"') % 2:
        index = text.rfind('"')
        return text[:index] + " " + text[index + 1 :]
    return text
