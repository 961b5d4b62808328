"""Which licences an arrangement of parts may carry, by Creative Commons' rules, table-driven. Pure; reads package data.

An arrangement is made of parts, each under its own licence (an NL-LOM
copyright code) and used in one of two ways: `include` (unchanged, as part of
a collection: linked, embedded or packaged as it is) or `adapt` (changed: an
adaptation). `check_licences` answers which licences the arrangement may
carry (the candidates of `schemas/licence_rules.json`, most open first), the
one to recommend (the first of them), and for every part that makes the
arrangement impossible a problem in Dutch and English. The rules, from
Creative Commons' FAQ on collections and on the adapter's licence (the
sources are listed in the table):

- An included part keeps its own licence and is listed with it: it leaves the
  arrangement's licence free. That holds for ND parts too (ND allows copies
  in a collection, never adaptations) and for SA and NC parts.
- A part under `yes` (all rights reserved) or an unknown licence may only be
  linked to: included, it gets a `link-only` notice (the arrangement stays
  possible, an export must link to it and never package it); adapted, it is
  a problem.
- An adapted ND part is a problem.
- An adapted SA part forces the same licence, in its version or a later one
  (3.0, and with it 3.0 NL, may go to 4.0; 4.0 may not go back to 3.0).
- An adapted NC part forces a licence with NC.
- So adapted BY-SA and adapted BY-NC or BY-NC-SA parts cannot be combined:
  each such part gets a problem naming the parts it conflicts with.
- An adapted BY part leaves every licence but CC0: the original's attribution
  cannot be waived for it (the adapter's licence chart excludes the public
  domain for BY material). CC0, PDM and `no` leave every candidate free.

When there is any problem, nothing is allowed and nothing recommended. The
input is not refused for unknown codes (they are a rule's subject, not an
error); callers check the shape of their own input (see `Use`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from metadata.licence import LicenceElement, LicenceTerms, licence_table, licence_terms
from schemas import resources

SA = LicenceElement.SHARE_ALIKE
NC = LicenceElement.NON_COMMERCIAL
ND = LicenceElement.NO_DERIVATIVES
BY = LicenceElement.ATTRIBUTION
# Parts named in one conflict message; the rest are counted ("and 12 more").
NAMED_CONFLICTS = 3


class Use(str, Enum):
    """How an arrangement uses a part."""

    INCLUDE = "include"  # unchanged: linked, embedded or packaged as it is
    ADAPT = "adapt"  # changed: the arrangement holds an adaptation of it


class CheckCode(str, Enum):
    """Stable codes of the problems (the first five) and notices of a licence check.

    Part of the public contract (API, CLI, stored with arrangements): add new
    ones, never rename.
    """

    ADAPT_NO_DERIVATIVES = "adapt-no-derivatives"
    ADAPT_ALL_RIGHTS_RESERVED = "adapt-all-rights-reserved"
    ADAPT_UNKNOWN_LICENCE = "adapt-unknown-licence"
    SHARE_ALIKE_CONFLICT = "share-alike-conflict"
    NON_COMMERCIAL_CONFLICT = "non-commercial-conflict"
    LINK_ONLY = "link-only"


class WithoutTerms(str, Enum):
    """How a code that names no licence behaves (`schemas/licence_rules.json`, `without_terms`)."""

    FREE = "free"  # like the public domain: no conditions
    LINK_ONLY = "link-only"  # may only be linked to


@dataclass(frozen=True, slots=True)
class Part:
    """One part of an arrangement: its licence code (as the record has it) and how it is used."""

    licence: str
    use: Use


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem or notice about the part at `part` (its index, from 0), in Dutch and English."""

    part: int
    code: CheckCode
    message_nl: str
    message_en: str
    # For the conflict codes: the indexes of the other adapted parts it cannot be combined with.
    conflicts_with: tuple[int, ...] = ()

    def message(self, language: str) -> str:
        """The message in `language`: English when asked for, else Dutch (the site's default)."""
        return self.message_en if language == "en" else self.message_nl

    def to_dict(self, language: str) -> dict[str, Any]:
        return {
            "part": self.part,
            "code": self.code.value,
            "message": self.message(language),
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            "conflicts_with": list(self.conflicts_with),
        }


@dataclass(frozen=True, slots=True)
class LicenceCheck:
    """The answer for an arrangement: what it may carry, what to pick, and why not.

    `allowed` is in openness order, most open first; `recommended` is its
    first item, None when nothing is allowed. `problems` make the
    arrangement impossible (then `allowed` is empty); `notices` do not (a
    part that may only be linked to).
    """

    allowed: tuple[str, ...]
    recommended: str | None
    problems: tuple[Finding, ...]
    notices: tuple[Finding, ...]

    @property
    def possible(self) -> bool:
        return bool(self.allowed)

    @property
    def link_only(self) -> frozenset[int]:
        """Indexes of the parts that may only be linked to, never packaged."""
        return frozenset(n.part for n in self.notices if n.code is CheckCode.LINK_ONLY)

    def to_dict(self, language: str = "nl") -> dict[str, Any]:
        """The JSON form (the API's and `oer licence check --json`'s), messages in `language`."""
        return {
            "allowed": list(self.allowed),
            "recommended": self.recommended,
            "problems": [problem.to_dict(language) for problem in self.problems],
            "notices": [notice.to_dict(language) for notice in self.notices],
        }


@dataclass(frozen=True, slots=True)
class RulesTable:
    candidates: tuple[str, ...]
    without_terms: Mapping[str, WithoutTerms]
    names: Mapping[str, Mapping[str, str]]
    part: Mapping[str, str]
    conjunction: Mapping[str, str]
    more: Mapping[str, str]
    messages: Mapping[CheckCode, Mapping[str, str]]


@cache
def rules_table() -> RulesTable:
    """The candidate licences, in openness order, and the messages, read once from the table."""
    data: dict[str, Any] = resources.load_json("licence_rules.json")
    return RulesTable(
        candidates=tuple(data["candidates"]),
        without_terms={code: WithoutTerms(kind) for code, kind in data["without_terms"].items()},
        names=data["names"],
        part=data["part"],
        conjunction=data["and"],
        more=data["more"],
        messages={CheckCode(code): texts for code, texts in data["messages"].items()},
    )


def check_licences(parts: Sequence[Part]) -> LicenceCheck:
    """Which licences an arrangement of `parts` may carry, and every problem that prevents it."""
    table = rules_table()
    allowed = set(table.candidates)
    problems: list[Finding] = []
    notices: list[Finding] = []
    # Adapted parts that narrow the choice, with what each leaves (the conflicts come after).
    narrowing: list[tuple[int, LicenceTerms, frozenset[str]]] = []
    for index, part in enumerate(parts):
        code = part.licence.strip().lower()
        terms = licence_terms(code)
        if terms is None:
            kind = table.without_terms.get(code, WithoutTerms.LINK_ONLY)
            if kind is WithoutTerms.FREE:
                continue
            if part.use is Use.INCLUDE:
                notices.append(_finding(index, part, CheckCode.LINK_ONLY))
            else:
                problem = (CheckCode.ADAPT_ALL_RIGHTS_RESERVED if code in table.without_terms
                           else CheckCode.ADAPT_UNKNOWN_LICENCE)
                problems.append(_finding(index, part, problem))
            continue
        if part.use is Use.INCLUDE:
            continue  # an unchanged part keeps its own licence
        if ND in terms.elements:
            problems.append(_finding(index, part, CheckCode.ADAPT_NO_DERIVATIVES))
            continue
        leaves = _adapter_licences(terms)
        allowed &= leaves
        if leaves != frozenset(table.candidates):
            narrowing.append((index, terms, leaves))
    problems.extend(_conflicts(parts, narrowing))
    problems.sort(key=lambda finding: finding.part)
    if problems:
        allowed = set()
    ordered = tuple(code for code in table.candidates if code in allowed)
    return LicenceCheck(
        allowed=ordered,
        recommended=ordered[0] if ordered else None,
        problems=tuple(problems),
        notices=tuple(notices),
    )


@cache
def _adapter_licences(terms: LicenceTerms) -> frozenset[str]:
    """The candidates an adaptation of material under `terms` may carry (ND excluded by the caller)."""
    leaves: set[str] = set()
    for candidate in rules_table().candidates:
        mine = licence_terms(candidate)
        if mine is None:
            raise ValueError(f"licence_rules.json: candidate {candidate!r} is not in licences.json")
        if SA in terms.elements:
            fits = mine.elements == terms.elements and mine.version >= terms.version
        elif NC in terms.elements:
            fits = NC in mine.elements
        elif BY in terms.elements:
            fits = BY in mine.elements
        else:
            fits = True
        if fits:
            leaves.add(candidate)
    return frozenset(leaves)


def _conflicts(
    parts: Sequence[Part], narrowing: Sequence[tuple[int, LicenceTerms, frozenset[str]]]
) -> Iterable[Finding]:
    """A problem for every narrowing part that leaves nothing in common with another one.

    Only SA and NC adaptations can leave disjoint sets (BY only takes away
    CC0), so the code is the part's own rule: SA first, as the stricter.
    Comparing pairs is enough: the sets left are intervals of one SA family
    or all NC licences, and such sets that meet pairwise meet all together.
    """
    found: dict[int, list[int]] = {}
    # Parts with the same terms leave the same set: compare each distinct set once.
    by_terms: dict[LicenceTerms, list[int]] = {}
    leaves_of: dict[LicenceTerms, frozenset[str]] = {}
    for index, terms, leaves in narrowing:
        by_terms.setdefault(terms, []).append(index)
        leaves_of[terms] = leaves
    for terms, indexes in by_terms.items():
        others = sorted(
            other
            for other_terms, other_indexes in by_terms.items()
            if not leaves_of[terms] & leaves_of[other_terms]
            for other in other_indexes
        )
        if others:
            for index in indexes:
                found[index] = others
    terms_of = {index: terms for index, terms, _ in narrowing}
    for index, others in found.items():
        share_alike = SA in terms_of[index].elements
        code = CheckCode.SHARE_ALIKE_CONFLICT if share_alike else CheckCode.NON_COMMERCIAL_CONFLICT
        yield _finding(index, parts[index], code, tuple(others), parts)


def _finding(
    index: int,
    part: Part,
    code: CheckCode,
    others: tuple[int, ...] = (),
    parts: Sequence[Part] = (),
) -> Finding:
    texts = rules_table().messages[code]
    nl, en = (
        texts[language].format(
            number=index + 1,
            licence=_name(part.licence, language),
            others=_list_parts(others, parts, language),
        )
        for language in ("nl", "en")
    )
    return Finding(part=index, code=code, message_nl=nl, message_en=en, conflicts_with=others)


def _name(licence: str, language: str) -> str:
    """A licence's name for a message: its label, the words for yes/no, or the code as given."""
    code = licence.strip().lower()
    names = rules_table().names
    if code in names:
        return names[code][language]
    label = licence_table().labels.get(code) if licence_terms(code) else None
    return label or names["unknown"][language].format(code=licence.strip())


def _list_parts(indexes: Sequence[int], parts: Sequence[Part], language: str) -> str:
    """`deel 2 (CC BY-NC 4.0), deel 3 (...) en nog 5 andere`, at most NAMED_CONFLICTS named."""
    table = rules_table()
    named = [
        table.part[language].format(number=index + 1, licence=_name(parts[index].licence, language))
        for index in indexes[:NAMED_CONFLICTS]
    ]
    rest = len(indexes) - len(named)
    if rest:
        named.append(table.more[language].format(count=rest))
    if len(named) <= 1:
        return "".join(named)
    return f"{', '.join(named[:-1])} {table.conjunction[language]} {named[-1]}"
