"""Whitespace rules for text read from XML, and the choice of a main language. Pure; no I/O.

Harvested XML is pretty-printed by the repository, so element text carries
the indentation of its surroundings. Single-line fields (titles, keywords,
identifiers, vocabulary values) have every run of whitespace collapsed to
one space; multi-line fields (descriptions) keep their line breaks but lose
the indentation of each line. Both rules are idempotent, which the
parse-serialise-parse round trip relies on. Markup inside descriptions is
kept as text: it is escaped when displayed, not interpreted or removed here.

Control characters (Unicode category Cc) other than white space are removed
from both kinds: XML 1.0 allows DEL and the C1 controls (U+007F-U+009F), but
no text means them (they are what a Windows-1252 text declared as
ISO-8859-1 turns into), and they show as nothing or as boxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

NO_LANGUAGE = "x-none"

# XML 1.0 section 2.2: the characters no XML document may contain.
_ILLEGAL_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Control characters a text keeps none of; a block keeps its tabs and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_BLOCK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_line(text: str | None) -> str:
    """Collapse all whitespace (including line breaks) to single spaces and strip; drop control characters."""
    if not text:
        return ""
    line = " ".join(text.split())
    # isprintable() is the fast test; it is also False for some characters that stay (soft hyphens).
    if line.isprintable() or _CONTROL.search(line) is None:
        return line
    return " ".join(_CONTROL.sub("", line).split())


def clean_block(text: str | None) -> str:
    """Strip every line and the block; keep the line breaks between lines; drop control characters."""
    if not text:
        return ""
    if "\n" not in text and "\r" not in text:
        block = text.strip()
    else:
        block = "\n".join(line.strip() for line in text.splitlines()).strip()
    if _CONTROL_IN_BLOCK.search(block) is None:
        return block
    # Again without them: a line may now end in white space.
    return clean_block(_CONTROL_IN_BLOCK.sub("", block))


def clean_language(code: str | None) -> str:
    """A language tag as stored: stripped and lower-case (BCP 47 tags are case-insensitive)."""
    # A feed uses a handful of tags (`nl`, `en`, `x-none`) on every language string:
    # each is cleaned once. Bounded, so a source with a new tag per string costs no memory.
    cleaned = _LANGUAGES.get(code)
    if cleaned is None:
        cleaned = clean_line(code).lower()
        if len(_LANGUAGES) < _LANGUAGES_MAX:
            _LANGUAGES[code] = cleaned
    return cleaned


_LANGUAGES: dict[str | None, str] = {}
_LANGUAGES_MAX = 1_000


def primary_subtag(code: str) -> str:
    return code.partition("-")[0] if code != NO_LANGUAGE else code


def choose_main_text(texts: Mapping[str, str], languages: Iterable[str]) -> str | None:
    """The text in the record's main language.

    The main language is the first of `languages` (general/language) that a
    text exists for, compared on the primary subtag (`nl` matches `nl-NL`);
    when none matches, the first text in document order is taken.
    """
    if not texts:
        return None
    if len(texts) == 1:
        # Most records have one text per field: it is the answer whichever language matches.
        return next(iter(texts.values()))
    for language in languages:
        wanted = primary_subtag(language)
        for lang, text in texts.items():
            if primary_subtag(lang) == wanted:
                return text
    return next(iter(texts.values()))


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Drop empty strings and repeats, keeping the first occurrence's position."""
    if not values:
        # Most of a record's lists are empty: skip building a dict for them.
        return ()
    return tuple(dict.fromkeys(filter(None, values)))


def xml_safe_text(text: str) -> str:
    """`text` without characters XML 1.0 forbids (possible in typed-in records), for writing."""
    return _ILLEGAL_XML_TEXT.sub("", text)
