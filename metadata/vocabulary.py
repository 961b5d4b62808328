"""NL-LOM vocabularies and OBK terms, table-driven from `schemas/vocabularies/`. Pure; reads package data.

Every vocabulary element is checked against its table: an exact value is
accepted; a value that matches a known one once case, whitespace, hyphens
and underscores are ignored, or that is a listed alias (a known misspelling
or translation), is repaired and reported; anything else is kept verbatim
and reported. A value is never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from metadata.issues import IssueCode, make_issue
from metadata.kerndoelen import subject_areas
from metadata.record import Issue, Term
from metadata.text import clean_line
from schemas import resources


class VocabularyName(str, Enum):
    AGGREGATION_LEVEL = "aggregation_level"
    LEARNING_RESOURCE_TYPE = "learning_resource_type"
    END_USER_ROLE = "end_user_role"
    CONTEXT = "context"
    COST = "cost"
    CONTRIBUTE_ROLE = "contribute_role"
    RELATION_KIND = "relation_kind"
    CLASSIFICATION_PURPOSE = "classification_purpose"
    ACCESS_RIGHTS = "access_rights"


OBK_SOURCE = "http://purl.edustandaard.nl/begrippenkader"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One vocabulary: its sources (the first is written out) and how values are looked up."""

    name: str
    sources: tuple[tuple[str, tuple[str, ...]], ...]
    labels: Mapping[str, str]
    _exact: frozenset[str]
    _by_key: Mapping[str, str]

    @property
    def default_source(self) -> str:
        return self.sources[0][0]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for _, values in self.sources for value in values)

    def source_of(self, value: str) -> str:
        """The source URI to write with `value`: the vocabulary that lists it, else the default."""
        for uri, values in self.sources:
            if value in values:
                return uri
        return self.default_source

    def lookup(self, raw: str) -> tuple[str, bool]:
        """`(value, known)`: the canonical spelling of `raw` and whether it is in the vocabulary.

        An unknown value comes back stripped of surrounding whitespace, otherwise verbatim.
        """
        if raw in self._exact:
            return raw, True
        canonical = self._by_key.get(_key(raw)) or self._by_key.get(_compact_key(raw))
        if canonical is not None:
            return canonical, True
        return raw.strip(), False

    def normalise(self, raw: str, path: str, issues: list[Issue]) -> str:
        """Look `raw` up, append a repaired/unknown issue when needed, and return the value to keep."""
        # The same few values (and misspellings) come back record after record: what a value
        # becomes, and the issue it gets at a path, is remembered (values and issues are immutable).
        key = (self.name, raw, path)
        found = _NORMALISED.get(key)
        if found is None:
            found = self._normalised(raw, path)
            if len(_NORMALISED) < _NORMALISED_MAX:
                _NORMALISED[key] = found
        value, issue = found
        if issue is not None:
            issues.append(issue)
        return value

    def _normalised(self, raw: str, path: str) -> tuple[str, Issue | None]:
        value, known = self.lookup(raw)
        # Surrounding whitespace is the XML's indentation, not dirt: only a
        # change beyond that is a repair worth reporting.
        if known and value != raw and clean_line(raw) != value:
            return value, make_issue(IssueCode.VOCABULARY_REPAIRED, path, f"{raw!r} read as {value!r}")
        if not known:
            return value, make_issue(
                IssueCode.VOCABULARY_UNKNOWN, path,
                f"{value!r} is not in the {self.name} vocabulary; kept as given")
        return value, None


# `Vocabulary.normalise`'s results by (vocabulary, raw value, path); bounded, so a source that sends
# a new value in every record costs the look-ups, never unbounded memory.
_NORMALISED: dict[tuple[str, str, str], tuple[str, Issue | None]] = {}
_NORMALISED_MAX = 10_000


def _key(value: str) -> str:
    return clean_line(value).casefold()


def _compact_key(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


@cache
def vocabulary(name: VocabularyName) -> Vocabulary:
    """The vocabulary `name`, read once from `schemas/vocabularies/<name>.json`."""
    data: dict[str, Any] = resources.load_json(f"vocabularies/{name.value}.json")
    sources = tuple((str(s["uri"]), tuple(str(v) for v in s["values"])) for s in data["sources"])
    labels: dict[str, str] = {}
    for source in data["sources"]:
        labels.update(source.get("labels", {}))
    values = [value for _, vals in sources for value in vals]
    by_key: dict[str, str] = {}
    compact_seen: dict[str, set[str]] = {}
    for value in values:
        by_key.setdefault(_key(value), value)
        compact_seen.setdefault(_compact_key(value), set()).add(value)
    # A compact key is only a repair when it points at exactly one value.
    for compact, matches in compact_seen.items():
        if len(matches) == 1:
            by_key.setdefault(compact, next(iter(matches)))
    for alias, target in data.get("aliases", {}).items():
        if target not in values:
            raise ValueError(f"vocabulary {name.value}: alias {alias!r} points at unknown {target!r}")
        by_key[_key(alias)] = target
    return Vocabulary(
        name=name.value,
        sources=sources,
        labels=labels,
        _exact=frozenset(values),
        _by_key=by_key,
    )


@dataclass(frozen=True, slots=True)
class ObkTerm:
    id: str
    label: str
    sector: str | None = None


@cache
def obk_terms() -> Mapping[str, ObkTerm]:
    """Every OBK term the product knows by name, by (lower-case) UUID.

    The levels and disciplines of `schemas/vocabularies/obk.json`, and the OBK vakleergebieden
    SLO's kerndoelen are grouped by (`schemas/slo/`), as disciplines.
    """
    data: dict[str, Any] = resources.load_json("vocabularies/obk.json")
    terms: dict[str, ObkTerm] = {}
    for group in ("educational_levels", "disciplines"):
        for item in data[group]:
            terms[item["id"].lower()] = ObkTerm(item["id"], item["label"], item.get("sector"))
    for area in subject_areas():
        if area.discipline_id is not None:
            terms.setdefault(area.discipline_id.lower(), ObkTerm(area.discipline_id, area.label))
    return terms


def educational_level_terms() -> tuple[ObkTerm, ...]:
    """The OBK educational levels in table order (for pickers and facets)."""
    data: dict[str, Any] = resources.load_json("vocabularies/obk.json")
    return tuple(obk_terms()[item["id"].lower()] for item in data["educational_levels"])


def discipline_terms() -> tuple[ObkTerm, ...]:
    """The OBK disciplines (obk.json's, then SLO's vakleergebieden), sorted by label for pickers."""
    data: dict[str, Any] = resources.load_json("vocabularies/obk.json")
    ids = [item["id"].lower() for item in data["disciplines"]]
    ids += [area.discipline_id.lower() for area in subject_areas() if area.discipline_id is not None]
    # One entry per name: where SLO's vakleergebied has the name of a term of the table, the
    # table's term (the one real records carry) is the one offered.
    terms: dict[str, ObkTerm] = {}
    for term_id in ids:
        term = obk_terms()[term_id]
        terms.setdefault(term.label.casefold(), term)
    return tuple(sorted(terms.values(), key=lambda term: term.label.casefold()))


def known_term(term_id: str) -> Term | None:
    """The OBK term with this id and its table label, or None if the table does not know it."""
    return _known_terms().get(term_id.lower())


@cache
def _known_terms() -> Mapping[str, Term]:
    # Terms are immutable: one per known id serves every record that names it.
    return {key: Term(id=known.id, label=known.label) for key, known in obk_terms().items()}


def normalise_term(term_id: str, label: str | None, path: str, issues: list[Issue]) -> Term:
    """A classification term: a known OBK UUID gets its table label; any other id is kept
    with the record's own label and reported as `taxon-unknown`."""
    known = known_term(term_id)
    if known is not None:
        return known
    issues.append(make_issue(
        IssueCode.TAXON_UNKNOWN, path,
        f"term {term_id!r} ({label or 'no label'}) is not a known OBK term; kept with its own label"))
    return Term(id=term_id, label=label or None)


# -- display labels -------------------------------------------------------------------------------

LABEL_LANGUAGES: tuple[str, ...] = ("nl", "en")


@cache
def vocabulary_labels() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    """The one table of display labels (`schemas/vocabularies/labels.json`): facet field ->
    value -> language -> label. OBK values are keyed by their lower-case UUID."""
    data: dict[str, Any] = resources.load_json("vocabularies/labels.json")
    return {
        field: {value.lower() if _is_uuid(value) else value: dict(labels)
                for value, labels in values.items()}
        for field, values in data["fields"].items()
    }


def vocabulary_label(field: str, value: str, language: str) -> str | None:
    """How `value` of facet `field` is called in `language` (`nl`, `en`); None if the table
    does not know it (a front end then shows the record's own label, else the code)."""
    values = vocabulary_labels().get(field)
    if values is None:
        return None
    labels = values.get(value) or values.get(value.lower())
    return labels.get(language) if labels else None


def _is_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4
