"""SLO's kerndoelen (core objectives) and their subject areas, from `schemas/slo/`. Pure; reads package data.

A kerndoel is what a material may say it works towards: in NL-LOM a
classification with purpose `educational objective` whose taxon id is the
kerndoel's UUID (an OBK identifier). The table gives each kerndoel its code
("PO 26"), a short label, the legal text, its sector (PO, VO, SO or VSO: the
first word of SLO's prefix) and, where SLO groups it so, its subject area.
Labels, pickers and validation read it; an id it does not know is kept with the
record's own label, as for other OBK terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from metadata.record import Term
from metadata.text import clean_line
from schemas import resources

# The sectors SLO writes kerndoelen for, in the order a picker shows them.
KERNDOEL_SECTORS = ("PO", "VO", "SO", "VSO")
# The NL-LOM education context (czp) a kerndoel sector belongs to: NL-LOM has no VSO context,
# voortgezet speciaal onderwijs is speciaal onderwijs there.
SECTOR_CONTEXT = {"PO": "PO", "VO": "VO", "SO": "SO", "VSO": "SO"}
_KERNDOEL_WORD = re.compile(r"\s+Kerndoel\s+")


@dataclass(frozen=True, slots=True)
class SubjectArea:
    """A subject area SLO groups kerndoelen in, and the OBK vakleergebied it names."""

    id: str
    label: str
    discipline_id: str | None


@dataclass(frozen=True, slots=True)
class Kerndoel:
    """One kerndoel: its UUID, code, short label, legal text, sector and subject area."""

    id: str
    code: str
    label: str
    text: str
    sector: str
    subject_area: SubjectArea | None

    @property
    def display(self) -> str:
        """How a list shows it: "PO 26: Structuren doorzien"."""
        return f"{self.code}: {self.label}"

    def as_term(self) -> Term:
        return Term(id=self.id, label=self.display)


def _code(prefix: str) -> str:
    # "PO Kerndoel 01" -> "PO 1"; "SO zml/mg Kerndoel LS 58" -> "SO zml/mg LS 58".
    pieces = _KERNDOEL_WORD.split(prefix, maxsplit=1)
    head, number = (pieces[0], pieces[1]) if len(pieces) == 2 else ("", prefix)
    parts = number.split()
    if parts and parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]))
    return f"{head} {' '.join(parts)}".strip()


@cache
def subject_areas() -> tuple[SubjectArea, ...]:
    """SLO's subject areas, in SLO's order."""
    areas = []
    for item in resources.load_json("slo/kerndoel-vakleergebieden.json"):
        disciplines = item.get("vakleergebied_id") or []
        areas.append(SubjectArea(item["id"], clean_line(item["title"]), disciplines[0] if disciplines else None))
    return tuple(areas)


@cache
def kerndoelen() -> Mapping[str, Kerndoel]:
    """Every kerndoel, by lower-case UUID, in SLO's order."""
    area_of_domain: dict[str, SubjectArea] = {}
    by_id = {area.id: area for area in subject_areas()}
    for item in resources.load_json("slo/kerndoel-vakleergebieden.json"):
        for domain_id in item.get("kerndoel_domein_id") or []:
            area_of_domain.setdefault(domain_id, by_id[item["id"]])
    area_of_kerndoel: dict[str, SubjectArea] = {}
    for domain in resources.load_json("slo/kerndoel-domeinen.json"):
        area = area_of_domain.get(domain["id"])
        if area is not None:
            for kerndoel_id in domain.get("kerndoel_id") or []:
                area_of_kerndoel.setdefault(kerndoel_id, area)
    table: dict[str, Kerndoel] = {}
    for item in resources.load_json("slo/kerndoelen.json"):
        prefix = str(item["prefix"])
        sector = prefix.split()[0].upper()
        # Labels as the normaliser would read them back (SLO's data has doubled spaces here and there).
        label = clean_line(str(item.get("kerndoelLabel") or item.get("description") or ""))
        table[item["id"].lower()] = Kerndoel(
            id=item["id"],
            code=_code(prefix),
            label=label,
            # SLO's texts carry soft hyphens for typesetting; a search or a screen reader should not.
            text=clean_line(str(item["title"]).replace("\xad", "")),
            sector=sector,
            subject_area=area_of_kerndoel.get(item["id"]),
        )
    return table


def known_kerndoel(term_id: str) -> Kerndoel | None:
    return kerndoelen().get(term_id.strip().lower())


@cache
def _replacements() -> Mapping[str, str]:
    # SLO revised some kerndoelen (2025); records made before still carry the old ids.
    return {
        old.lower(): item["id"].lower()
        for item in resources.load_json("slo/kerndoelen.json")
        for old in item.get("replaces") or []
    }


def replacement_of(term_id: str) -> Kerndoel | None:
    """The current kerndoel that replaced this (older) id, or None."""
    new = _replacements().get(term_id.strip().lower())
    return kerndoelen().get(new) if new else None


def kerndoel_term(term_id: str, label: str | None = None) -> tuple[Term, bool]:
    """`(term, known)`: a known kerndoel gets the table's label; an unknown id keeps `label`."""
    known = known_kerndoel(term_id)
    if known is not None:
        return known.as_term(), True
    return Term(id=term_id.strip(), label=label or None), False


def kerndoelen_for(
    contexts: Iterable[str] = (), subject_area_ids: Iterable[str] = ()
) -> tuple[Kerndoel, ...]:
    """The kerndoelen of these NL-LOM contexts (PO, VO, SO) and subject areas; all when none are given."""
    wanted_contexts = {context.upper() for context in contexts}
    wanted_areas = set(subject_area_ids)
    return tuple(
        kerndoel for kerndoel in kerndoelen().values()
        if (not wanted_contexts or SECTOR_CONTEXT[kerndoel.sector] in wanted_contexts)
        and (not wanted_areas or (kerndoel.subject_area is not None and kerndoel.subject_area.id in wanted_areas))
    )


def kerndoel_table() -> list[dict[str, Any]]:
    """The table as JSON-able rows (for a picker's script and the API)."""
    return [
        {"id": k.id, "code": k.code, "label": k.label, "sector": k.sector,
         "subject_area": k.subject_area.label if k.subject_area else None}
        for k in kerndoelen().values()
    ]
