"""OAI-PMH values the harvester and the feed share: datestamp granularity, origin identifiers. Pure; no I/O.

OAI-PMH 2.0 section 3.3 allows two granularities for datestamps and for
`from`/`until`: `YYYY-MM-DD` (every repository must accept it) and
`YYYY-MM-DDThh:mm:ssZ`. The harvester reads a source's from Identify, the store
keeps it per source (`oer.harvesting.models.Source.granularity`), and the feed
reports which one a request argument was given in.
"""

from __future__ import annotations

import enum
from typing import Any


class Granularity(enum.Enum):
    """The two datestamp granularities of OAI-PMH 2.0 section 3.3.2, as Identify spells them."""

    DAY = "YYYY-MM-DD"
    SECOND = "YYYY-MM-DDThh:mm:ssZ"

    @classmethod
    def from_identify(cls, text: str | None) -> Granularity:
        """Map Identify's `<granularity>`; anything unknown falls back to DAY, which every source accepts."""
        if text is not None and text.strip() == cls.SECOND.value:
            return cls.SECOND
        return cls.DAY


PROVENANCE_NAMESPACE = "http://www.openarchives.org/OAI/2.0/provenance"
_PROVENANCE = "{" + PROVENANCE_NAMESPACE + "}"
_OAI = "{http://www.openarchives.org/OAI/2.0/}"


def origin_identifiers(record: Any) -> tuple[str, ...]:
    """The origin identifiers in an OAI-PMH `<record>` element's `<about><provenance>`, nearest first.

    A repository that re-serves another's records (Edurep does) names the record at its origin
    there; an originDescription may hold the one before it, and every one counts.
    """
    found = [
        text
        for about in record.iterfind(_OAI + "about")
        for identifier in about.iter(_PROVENANCE + "identifier")
        if (text := " ".join((identifier.text or "").split()))
    ]
    return tuple(dict.fromkeys(found))
