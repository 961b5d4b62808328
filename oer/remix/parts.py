"""What a part of an arrangement is now: its snapshot, its status, its licence use and attribution. Pure; no I/O.

A part that names a resource keeps a snapshot of it (taken when it was added
or refreshed). Read against the resource's current state, a part is `ok`,
`changed` (its title or licence is not what the snapshot says) or `unavailable`
(withdrawn or deleted at its source); its last known title and attribution stay
either way, so nothing disappears silently. The licence engine gets the
current licence where the resource is there, else the last known one.

Attribution is written the way Creative Commons recommends (TASL: title,
author, source, licence), with "bewerkt" for an adaptation.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from metadata.licence import licence_name
from metadata.licence_rules import Part, Use
from metadata.record import Record, Term

# What `snapshot_of` keeps of a record.
SNAPSHOT_FIELDS = ("title", "authors", "publishers", "location", "licence", "licence_url", "learning_time",
                   "languages", "contexts", "educational_levels", "disciplines", "educational_objectives",
                   "typical_age_range", "learning_resource_types", "end_user_roles", "origin")


class PartStatus(enum.Enum):
    OK = "ok"
    CHANGED = "changed"
    UNAVAILABLE = "unavailable"


def snapshot_of(record: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """The part's memory of a resource's record (JSON form): what attribution and the licence need."""
    parsed = Record.from_dict(record)

    def terms(items: tuple[Term, ...]) -> list[dict[str, str | None]]:
        return [{"id": t.id, "label": t.label} for t in items]

    return {
        "title": parsed.title,
        "authors": [c.name for c in parsed.contributors if c.role == "author" and c.name],
        "publishers": [c.name for c in parsed.contributors if c.role == "publisher" and c.name],
        "location": parsed.location,
        "licence": parsed.licence.code if parsed.licence else None,
        "licence_url": parsed.licence.url if parsed.licence else None,
        "learning_time": parsed.typical_learning_time,
        "languages": list(parsed.languages),
        "contexts": list(parsed.contexts),
        "educational_levels": terms(parsed.educational_levels),
        "disciplines": terms(parsed.disciplines),
        "educational_objectives": terms(parsed.educational_objectives),
        "typical_age_range": parsed.typical_age_range,
        "learning_resource_types": list(parsed.learning_resource_types),
        "end_user_roles": list(parsed.end_user_roles),
        "origin": origin,
    }


@dataclass(frozen=True, slots=True)
class PartReading:
    """A part as it stands now: its status, the licence it brings and how it is used."""

    status: PartStatus
    licence: str | None
    current: Mapping[str, Any] | None
    changes: tuple[str, ...] = ()


def read_part(snapshot: Mapping[str, Any], current: Mapping[str, Any] | None, deleted: bool) -> PartReading:
    """Compare a part's snapshot with its resource's current snapshot (None when it is gone)."""
    if current is None or deleted:
        return PartReading(PartStatus.UNAVAILABLE, snapshot.get("licence"), None)
    changes = tuple(name for name in ("title", "licence") if current.get(name) != snapshot.get(name))
    status = PartStatus.CHANGED if changes else PartStatus.OK
    return PartReading(status, current.get("licence"), current, changes)


def licence_part(licence: str | None, adapted: bool) -> Part:
    # An unknown licence is the engine's "unknown": it may be linked to, never adapted.
    return Part(licence=licence or "unknown", use=Use.ADAPT if adapted else Use.INCLUDE)


def attribution(snapshot: Mapping[str, Any], page_url: str, *, adapted: bool, language: str = "nl") -> str:
    """"Titel" door Auteur, bron: URL, licentie: CC BY-SA 4.0 (URL), bewerkt."""
    title = snapshot.get("title") or ("(zonder titel)" if language != "en" else "(untitled)")
    makers = list(snapshot.get("authors") or []) or list(snapshot.get("publishers") or [])
    by = (" door " if language != "en" else " by ") + ", ".join(makers) if makers else ""
    source = snapshot.get("location") or page_url
    code = snapshot.get("licence")
    name = licence_name(code) if code else None
    if name is None:
        name = {"yes": "alle rechten voorbehouden" if language != "en" else "all rights reserved",
                "no": "geen beperkingen" if language != "en" else "no restrictions"}.get(
            code or "", "licentie onbekend" if language != "en" else "licence unknown")
    licence = f"{name} ({snapshot['licence_url']})" if snapshot.get("licence_url") else name
    words = ("bron", "licentie", "bewerkt") if language != "en" else ("source", "licence", "adapted")
    text = f"\u201c{title}\u201d{by}, {words[0]}: {source}, {words[1]}: {licence}"
    return text + (f", {words[2]}" if adapted else "")
