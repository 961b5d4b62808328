"""Which groepen (1-8) of primary education a record is for. Pure; reads package data.

What the record says comes first and is never overridden: its OBK level
terms that name a groep (`Groep 7`; SLO's `groep 7-8` and `fase 3`, which
cover groep 7 and 8), or, for a term the tables do not know, a label that
says "groep 7". Only a record with no such term, that is for primary
education (sector PO or SBaO, or a primary-education level term), gets its
groepen from its typical age range:

- a pupil of age N at the start of the school year is in groep N - 3:
  age 4 is groep 1, age 11 is groep 8;
- a range `lo-hi` covers the groepen of the pupils aged lo up to hi at
  the end of the year: groep lo - 3 to groep hi - 4 (`10-11` is groep 7,
  `9-12` is groep 6 to 8, `4-12` is groep 1 to 8); a single age `N` is
  groep N - 3; an open range (`8-`, `8+`) runs to groep 8;
- the result is clipped to groep 1-8 (a range that lies wholly outside
  age 4-12 gives none).
"""

from __future__ import annotations

import re

from metadata.levels import level_term
from metadata.record import Record, Term

GROEPEN = range(1, 9)
# Sectors (NL-LOM context codes) whose pupils sit in groepen.
GROEP_CONTEXTS = frozenset({"PO", "SBaO"})
_GROEP_LABEL = re.compile(r"\bgroep\s*([1-8])(?:\s*(?:-|t/m|en)\s*([1-8]))?\b", re.IGNORECASE)
_AGE_RANGE = re.compile(r"^\s*(\d{1,2})\s*(?:(-|\+|tot|t/m)\s*(\d{1,2})?)?\s*$")
# The first and last age a groep is for: age - 3 is the groep.
_FIRST_AGE, _LAST_AGE = 4, 12


def groepen_of_terms(terms: tuple[Term, ...]) -> frozenset[int]:
    """The groepen the record's level terms name (known ids by the tables, others by their label)."""
    groepen: set[int] = set()
    for term in terms:
        known = level_term(term.id)
        if known is not None:
            groepen.update(known.groepen)
        elif term.label:
            for match in _GROEP_LABEL.finditer(term.label):
                low = int(match.group(1))
                groepen.update(range(low, int(match.group(2) or low) + 1))
    return frozenset(groepen)


def groepen_of_age_range(text: str | None) -> frozenset[int]:
    """The groepen of a typical age range (see the module docstring); empty when it says none."""
    match = _AGE_RANGE.match(text or "")
    if match is None:
        return frozenset()
    low = int(match.group(1))
    if match.group(3) is not None:
        high = int(match.group(3))
        if high < low:
            return frozenset()
        last = high - 4 if high > low else high - 3
    elif match.group(2) in ("-", "+"):
        last = 8
    else:
        last = low - 3
    first = low - 3
    if last < 1 or first > 8:
        return frozenset()
    return frozenset(range(max(first, 1), min(max(last, first), 8) + 1))


def is_primary(record: Record) -> bool:
    """Whether the record is for primary education: by its sector or its level terms."""
    if GROEP_CONTEXTS.intersection(record.contexts):
        return True
    return any(
        (known := level_term(term.id)) is not None and known.family in ("po", "sbao")
        for term in record.educational_levels
    )


def record_groepen(record: Record) -> tuple[str, ...]:
    """The record's groepen as facet values ("1".."8"), in order: its terms', else its age range's."""
    groepen = groepen_of_terms(record.educational_levels)
    if not groepen and is_primary(record):
        groepen = groepen_of_age_range(record.typical_age_range)
    return tuple(str(groep) for groep in sorted(groepen))
