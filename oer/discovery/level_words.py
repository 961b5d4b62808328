"""Sector, level, groep and subject words in a search text, turned into filters. Pure; no I/O.

Teachers type what they teach along with what about: "breuken groep 7",
"aardrijkskunde havo", "klimaat po", "brugklas wiskunde". Records say the
level and subject in classification terms, not in their text, so these
words must become filters, the rest of the text searching the text.
`recognise` finds them:

- sectors: po, vo, so, sbao, vve, mbo, hbo, wo and their names written out
  ("primair onderwijs", "basisschool", "voortgezet onderwijs") -> `contexts`;
- school types and years: vmbo, havo, vwo, vso, pro, "havo 4" / "4 havo",
  "onderbouw havo", "brugklas" (year 1 of vo), "onderbouw" and "bovenbouw"
  alone (both po's and vo's) -> `educational_levels`, every OBK term of
  that type (`metadata.levels`), since records carry one or another;
- groepen: "groep 7", "groep7", "groep 7-8", "groepen 7 en 8", "kleuters"
  (groep 1 and 2) -> `groep` (derived per record by `metadata.groepen`);
- subjects: the names of the OBK disciplines (rekenen, biologie,
  aardrijkskunde, ...) and a few usual ones (wiskunde) -> a subject name the
  search service resolves to the discipline ids the catalogue uses.

Words in quotes or written as an exclusion (`-havo`) are the searcher's
literal text and are never recognised. Some abbreviations have another
meaning in a teacher's mouth: "PO" is also a praktische opdracht, "SO" a
schriftelijke overhoring, "pro" half of "pro en contra". Such a word is read
as a sector only when nothing else in the query names a level of another
sector ("klimaat po", "so rekenen", "po groep 7"); next to a level of
another sector ("po havo", "so vwo 3") it is the assignment and stays text. `literal` lists the keys of terms the searcher
took back (a removed chip): those are left as text too; `LITERAL_ALL`
recognises nothing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from metadata.levels import FAMILY_SECTOR, SECTOR_CONTEXTS, LevelTerm, level_terms
from metadata.vocabulary import discipline_terms

LITERAL_ALL = "*"


class TermKind(enum.StrEnum):
    SECTOR = "sector"
    LEVEL = "level"
    GROEP = "groep"
    SUBJECT = "subject"


@dataclass(frozen=True, slots=True)
class RecognisedTerm:
    """A level or subject named in the text: what was typed, its key, its name and its filters.

    `key` names the term in a `literal` parameter (`groep-7`, `havo-4`, `po`,
    `vak-rekenen`); `label` is its Dutch name for a chip; `filters` the facet
    filters it stands for (a subject's are resolved by the search service,
    from `subject`).
    """

    key: str
    kind: TermKind
    typed: str
    label: str
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    subject: str | None = None
    # The sector (context code) the term belongs to, when it names one level of one sector.
    sector: str | None = None


@dataclass(frozen=True, slots=True)
class Recognition:
    terms: tuple[RecognisedTerm, ...]
    # The text with the recognised words taken out (spaces collapsed).
    rest: str


_SECTOR_NAMES: Mapping[str, str] = {
    "po": "Primair onderwijs", "vo": "Voortgezet onderwijs", "so": "Speciaal onderwijs",
    "sbao": "Speciaal basisonderwijs", "vve": "Voor- en vroegschoolse educatie", "mbo": "mbo",
    "hbo": "hbo", "wo": "wo",
}
_WRITTEN_SECTORS: Mapping[str, str] = {
    "primair onderwijs": "po", "basisonderwijs": "po", "basisschool": "po",
    "voortgezet onderwijs": "vo", "middelbare school": "vo", "speciaal onderwijs": "so",
    "speciaal basisonderwijs": "sbao",
}
_FAMILIES: Mapping[str, str] = {
    "vmbo": "vmbo", "havo": "havo", "vwo": "vwo", "vso": "vso", "pro": "pro",
    "praktijkonderwijs": "pro", "voortgezet speciaal onderwijs": "vso",
}
_FAMILY_NAMES: Mapping[str, str] = {
    "vmbo": "vmbo", "havo": "havo", "vwo": "vwo", "vso": "Voortgezet speciaal onderwijs",
    "pro": "Praktijkonderwijs", "po": "po", "vo": "vo",
}
# Read as a level only when no other level word is in the query (see the module docstring).
AMBIGUOUS = frozenset({"po", "so", "pro"})
# Subject names teachers use beside the OBK labels.
_EXTRA_SUBJECTS = ("wiskunde", "natuurkunde", "scheikunde", "geschiedenis", "aardrijkskunde",
                   "economie", "engels", "nederlands", "verkeer", "techniek")

_NUMBER = r"([1-8])"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
        ("groep", rf"groep(?:en)?\s*{_NUMBER}(?:\s*(?:-|t/m|tot en met|en|/)\s*{_NUMBER})?(?![\w])"),
        ("kleuters", r"kleuter(?:s|klas|groep|groepen)?(?![\w])"),
        ("phase", r"(onderbouw|bovenbouw)(?:\s+(vmbo|havo|vwo|vo|po|basisschool))?(?![\w])"),
        ("year", r"(vmbo|havo|vwo)[\s-]*([1-6])(?![\w])|([1-6])[\s-]*(vmbo|havo|vwo)(?![\w])"),
        ("brugklas", r"brugklas(?:sers)?(?![\w])"),
        ("written", "(" + "|".join(sorted(
            (re.escape(name) for name in (*_WRITTEN_SECTORS, *_FAMILIES)), key=len, reverse=True,
        )) + r")(?![\w])"),
        ("sector", r"(po|vo|so|sbao|vve|mbo|hbo|wo)(?![\w])"),
    )
)
_PRO_CONTRA = re.compile(r"pro\s+(?:en|&)\s+contra", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@cache
def _subject_names() -> tuple[str, ...]:
    names = {term.label.casefold() for term in discipline_terms()} | set(_EXTRA_SUBJECTS)
    # Longest first, so "mens en natuur" wins over a shorter name inside it.
    return tuple(sorted(names, key=len, reverse=True))


@cache
def _subject_pattern() -> re.Pattern[str]:
    return re.compile("(" + "|".join(re.escape(name) for name in _subject_names()) + r")(?![\w])",
                      re.IGNORECASE)


def _ids(terms: Iterable[LevelTerm]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term.id for term in terms))


def family_ids(family: str) -> tuple[str, ...]:
    """Every known level id of a school type (vmbo: VMBO itself and each of its years and paths)."""
    return _ids(term for term in level_terms().values() if term.family == family)


def year_ids(family: str, year: int) -> tuple[str, ...]:
    """The level ids of one year of a school type, and of the onderbouw/bovenbouw that holds it."""
    return _ids(
        term for term in level_terms().values()
        if term.family == family and year in term.years
    )


def phase_ids(phase: str, families: Collection[str]) -> tuple[str, ...]:
    """The level ids of an onderbouw or bovenbouw: its own terms, the years in it, its groepen."""
    terms = [term for term in level_terms().values()
             if term.phase == phase and term.family in families]
    years = {(term.family, year) for term in terms for year in term.years}
    groepen = {groep for term in terms for groep in term.groepen}
    inside = [
        term for term in level_terms().values()
        if term.family in families and not term.root and term.phase is None and (
            (term.years and all((term.family, year) in years for year in term.years))
            or (term.groepen and term.groepen <= groepen))
    ]
    return _ids([*terms, *inside])


def _groep_term(typed: str, numbers: Iterable[int], key: str, label: str) -> RecognisedTerm:
    values = tuple(str(number) for number in numbers)
    return RecognisedTerm(key, TermKind.GROEP, typed, label, {"groep": values}, sector="PO")


def _term_at(name: str, match: re.Match[str]) -> RecognisedTerm | None:
    typed = match.group(0)
    if name == "groep":
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            return None
        numbers = range(low, high + 1)
        label = f"Groep {low}" if low == high else f"Groep {low}-{high}"
        return _groep_term(typed, numbers, f"groep-{low}" + (f"-{high}" if high != low else ""), label)
    if name == "kleuters":
        return _groep_term(typed, (1, 2), "kleuters", "Kleuters (groep 1-2)")
    if name == "phase":
        phase = match.group(1).lower()
        which = (match.group(2) or "").lower()
        if which in ("po", "basisschool"):
            families: tuple[str, ...] = ("po",)
        elif which in ("vmbo", "havo", "vwo"):
            families = (which,)
        elif which == "vo":
            families = ("vo", "vmbo", "havo", "vwo")
        else:
            families = ("po", "vo", "vmbo", "havo", "vwo")
        label = phase.capitalize() + (f" {_FAMILY_NAMES.get(which, which)}" if which else "")
        key = phase + (f"-{which}" if which else "")
        return RecognisedTerm(key, TermKind.LEVEL, typed, label,
                              {"educational_levels": phase_ids(phase, families)})
    if name == "year":
        family = (match.group(1) or match.group(4)).lower()
        year = int(match.group(2) or match.group(3))
        ids = year_ids(family, year)
        if not ids:
            return None
        return RecognisedTerm(f"{family}-{year}", TermKind.LEVEL, typed, f"{family} {year}",
                              {"educational_levels": ids}, sector="VO")
    if name == "brugklas":
        ids = tuple(i for family in ("vmbo", "havo", "vwo") for i in year_ids(family, 1)
                    if 1 in level_terms()[i.lower()].years and len(level_terms()[i.lower()].years) == 1)
        return RecognisedTerm("brugklas", TermKind.LEVEL, typed, "Brugklas", {"educational_levels": ids},
                              sector="VO")
    word = " ".join(typed.lower().split())
    if name == "written":
        if word in _WRITTEN_SECTORS:
            return _sector(_WRITTEN_SECTORS[word], typed)
        family = _FAMILIES[word]
        return RecognisedTerm(family, TermKind.LEVEL, typed, _FAMILY_NAMES[family],
                              {"educational_levels": family_ids(family)}, sector=FAMILY_SECTOR[family])
    return _sector(word, typed)


def _sector(code: str, typed: str) -> RecognisedTerm:
    return RecognisedTerm(code, TermKind.SECTOR, typed, _SECTOR_NAMES[code],
                          {"contexts": (SECTOR_CONTEXTS[code],)}, sector=SECTOR_CONTEXTS[code])


def _searchable_spans(text: str) -> list[tuple[int, int]]:
    """The parts of `text` outside quotes, without words written as exclusions (`-havo`)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for quoted in re.finditer(r'"[^"]*"?', text):
        spans.append((position, quoted.start()))
        position = quoted.end()
    spans.append((position, len(text)))
    return spans


def recognise(text: str, *, literal: Collection[str] = ()) -> Recognition:
    """Find the level and subject words in `text` (see the module docstring)."""
    if LITERAL_ALL in literal or not text.strip():
        return Recognition((), text.strip())
    found: list[tuple[int, int, RecognisedTerm]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def at_word_start(start: int) -> bool:
        # A word, not the tail of one, nor a word written as an exclusion.
        before = text[start - 1] if start else " "
        return not (before.isalnum() or before in "-_")

    candidates: list[tuple[str, re.Pattern[str]]] = [*_PATTERNS, ("subject", _subject_pattern())]
    for start_at, end_at in _searchable_spans(text):
        for name, pattern in candidates:
            for match in pattern.finditer(text, start_at, end_at):
                start, end = match.span()
                if not at_word_start(start) or not free(start, end):
                    continue
                if name == "subject":
                    word = " ".join(match.group(0).lower().split())
                    term: RecognisedTerm | None = RecognisedTerm(
                        f"vak-{word.replace(' ', '-')}", TermKind.SUBJECT, match.group(0),
                        word[:1].upper() + word[1:], subject=word)
                else:
                    term = _term_at(name, match)
                if term is None or term.key in literal:
                    continue
                if term.key == "pro" and _PRO_CONTRA.match(text, start):
                    continue
                found.append((start, end, term))
                taken.append((start, end))
    # An ambiguous abbreviation is a level unless another word names a level of another sector.
    sectors = {term.sector for _, _, term in found if term.kind is not TermKind.SUBJECT}
    kept = [
        (start, end, term) for start, end, term in found
        if term.key not in AMBIGUOUS or sectors <= {term.sector}
    ]
    kept.sort(key=lambda item: item[0])
    rest = text
    for start, end, _ in sorted(kept, key=lambda item: item[0], reverse=True):
        rest = rest[:start] + " " + rest[end:]
    terms = tuple(dict((term.key, term) for _, _, term in kept).values())
    return Recognition(terms, _SPACES.sub(" ", rest).strip())
