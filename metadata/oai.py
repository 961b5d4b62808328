"""OAI-PMH values the harvester and the feed share: datestamp granularity. Pure; no I/O.

OAI-PMH 2.0 section 3.3 allows two granularities for datestamps and for
`from`/`until`: `YYYY-MM-DD` (every repository must accept it) and
`YYYY-MM-DDThh:mm:ssZ`. The harvester reads a source's from Identify, the store
keeps it per source (`oer.harvesting.models.Source.granularity`), and the feed
reports which one a request argument was given in.
"""

from __future__ import annotations

import enum


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
