"""What a search and a wish are counted and kept as: normalised, plain, short. Pure; no I/O.

A query is counted by its normalised text (case, accents, punctuation and
spacing folded, so "Breuken!" and "breuken" are one), and not at all when it
looks like personal data someone typed into the search box (an e-mail
address, a long number such as a phone or BSN number).
"""

from __future__ import annotations

import re
import unicodedata

from oer.demand.models import QUERY_LENGTH

_PERSONAL = re.compile(r"\S+@\S+|\d[\d\s-]{5,}\d")
_NOT_WORD = re.compile(r"[^\w\s-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def normalise_query(text: str) -> str | None:
    """The counted form of a search text; None when it is not counted (empty, or personal-looking)."""
    if _PERSONAL.search(text):
        return None
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", folded).replace("_", " ").split()
    normalised = " ".join(words)[:QUERY_LENGTH].strip()
    return normalised or None


def plain_text(text: str | None) -> str | None:
    """A line a user typed, kept as plain text: control and direction characters dropped, spacing folded.

    Not cut to a length: the service reports a text that is too long.
    """
    cleaned = " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", text or "")).split())
    return cleaned or None
