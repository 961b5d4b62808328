"""The educational levels as a teacher thinks of them: sector, school type, year, groep. Pure; reads package data.

The OBK level terms the product knows (`schemas/vocabularies/obk.json`) and
SLO's list of levels (`schemas/slo/niveaus.json`, the same OBK ids) are
read into one table of `LevelTerm`s, each with what its name says:

- `family`: the sector or school type it belongs to, by its usual short
  name (`po`, `vo`, `vmbo`, `havo`, `vwo`, `so`, `vso`, `pro`, `mbo`, `hbo`,
  `wo`, `vve`, `sbao`);
- `years`: the leerjaren it covers (`havo 4` is 4; `bb havo` is 4 and 5);
- `phase`: `onderbouw` or `bovenbouw` when its name or description says so;
- `groepen`: the groepen of primary education it covers (`Groep 7` is 7;
  SLO's `groep 7-8` and `fase 3` are 7 and 8).

`level_name` says how the site writes a level: in the usual Dutch spelling
(havo, vmbo, vwo in lower case; "Groep 4"), where the OBK labels write
"HAVO" and "VMBO"; the names are the Dutch column of the one label table
(`schemas/vocabularies/labels.json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from metadata.vocabulary import vocabulary_label
from schemas import resources

# The sector codes of NL-LOM's context vocabulary, by the family name of their OBK root term.
SECTOR_CONTEXTS: Mapping[str, str] = {
    "po": "PO", "vo": "VO", "so": "SO", "sbao": "SBaO", "vve": "VVE", "mbo": "BVE", "bve": "BVE",
    "hbo": "HBO", "wo": "WO",
}
# The sector a school type belongs to: its levels are shown once that sector is chosen.
FAMILY_SECTOR: Mapping[str, str] = {
    "po": "PO", "vo": "VO", "vmbo": "VO", "havo": "VO", "vwo": "VO", "pro": "VO", "so": "SO",
    "vso": "SO", "sbao": "SBaO", "vve": "VVE", "mbo": "BVE", "bve": "BVE", "hbo": "HBO", "wo": "WO",
}
_FAMILY_WORDS = ("vmbo", "havo", "vwo", "vso", "pro", "mbo", "hbo", "wo", "vve", "vo", "po", "so")
# OBK sector roots by label, where the label is no family word.
_ROOT_LABELS: Mapping[str, str] = {
    "primair onderwijs": "po", "voortgezet onderwijs": "vo", "speciaal onderwijs": "so",
    "speciaal basisonderwijs": "sbao", "voor- en vroegschoolse educatie": "vve",
    "beroepsonderwijs en volwasseneneducatie": "bve", "voortgezet speciaal onderwijs": "vso",
    "praktijkonderwijs": "pro", "onderbouw voortgezet onderwijs": "vo",
}
_YEAR = re.compile(r"(?:leerjaar|klas|,)\s*(\d)\b|^\w+ (\d)$")
_GROEP = re.compile(r"groep\s*(\d)(?:\s*-\s*(\d))?")


@dataclass(frozen=True, slots=True)
class LevelTerm:
    """One OBK level term and what its name says (see the module docstring)."""

    id: str
    label: str
    family: str | None
    years: frozenset[int] = frozenset()
    phase: str | None = None
    groepen: frozenset[int] = frozenset()
    # A sector's own root term (Primair onderwijs, VO, HAVO...) rather than a level below it.
    root: bool = False

    @property
    def sector(self) -> str | None:
        return FAMILY_SECTOR.get(self.family) if self.family else None


def _describe(term_id: str, label: str, description: str, kind: str) -> LevelTerm:
    text = label.casefold().strip()
    words = re.split(r"[\s,:/-]+", text)
    family = _ROOT_LABELS.get(text)
    root = family is not None and text != "onderbouw voortgezet onderwijs"
    if family is None:
        family = next((word for word in words if word in _FAMILY_WORDS), None)
        if family is None and ("groep" in text or text.startswith("fase")):
            family = "po" if "primair" in description.casefold() else None
        root = family is not None and text == family
    groepen: set[int] = set()
    for match in _GROEP.finditer(f"{text} {description.casefold()}"):
        low = int(match.group(1))
        high = int(match.group(2) or low)
        groepen.update(range(low, high + 1))
    years: set[int] = set()
    if family not in ("po", "mbo", None) and kind != "Beheersingsniveau":
        for match in _YEAR.finditer(f"{text}; {description.casefold()}"):
            years.add(int(match.group(1) or match.group(2)))
    phase = None
    if words[0] in ("ob", "onderbouw") or "onderbouw" in description.casefold():
        phase = "onderbouw"
    elif words[0] in ("bb", "bovenbouw") or "bovenbouw" in description.casefold():
        phase = "bovenbouw"
    return LevelTerm(term_id, label, family, frozenset(years), phase, frozenset(groepen), root)


@cache
def level_terms() -> Mapping[str, LevelTerm]:
    """Every level term the product knows, by lower-case OBK id (obk.json first, then SLO's)."""
    terms: dict[str, LevelTerm] = {}
    obk: dict[str, Any] = resources.load_json("vocabularies/obk.json")
    for item in obk["educational_levels"]:
        terms[item["id"].lower()] = _describe(item["id"], item["label"], "", "")
    slo: list[dict[str, Any]] = resources.load_json("slo/niveaus.json")
    for item in slo:
        described = _describe(item["id"], item["title"], item.get("description", ""), item.get("type", ""))
        known = terms.get(item["id"].lower())
        if known is None:
            terms[item["id"].lower()] = described
        else:
            # The table's label stays; SLO's description adds the groepen, years and phase.
            terms[item["id"].lower()] = LevelTerm(
                known.id, known.label, known.family or described.family,
                known.years or described.years, known.phase or described.phase,
                known.groepen or described.groepen, known.root or described.root,
            )
    return terms


def level_term(term_id: str) -> LevelTerm | None:
    return level_terms().get(term_id.lower())


def groep_term_ids() -> Mapping[int, tuple[str, ...]]:
    """The level ids that name each groep (`Groep 7`, SLO's `groep 7-8` and `fase 3`)."""
    ids: dict[int, list[str]] = {}
    for term in level_terms().values():
        for groep in term.groepen:
            ids.setdefault(groep, []).append(term.id)
    return {groep: tuple(found) for groep, found in sorted(ids.items())}


# How the site writes a level where the OBK label is spelled otherwise: the usual Dutch
# spelling (school types in lower case, "Groep 4"). Keyed by OBK id.
def level_name(term_id: str) -> str | None:
    """The usual Dutch name of a level term (havo, vmbo, "Groep 4"), from the one label table."""
    return vocabulary_label("educational_levels", term_id, "nl")
