"""The normalised learning-material record and its JSON form. Pure; no I/O.

A `Record` is what every other part of the product works with: the harvester
produces it from NL-LOM / IEEE LOM / oai_dc XML, the store keeps its JSON form,
the search index flattens it, and the serialisers write it back out. Its JSON
form (`Record.to_dict`) is described by `schemas/record.schema.json`; the keys
are part of the public contract (`oer normalize`, the JSON API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any


@dataclass(frozen=True, slots=True)
class Identifier:
    """A general/catalogentry (IMS) or general/identifier (IEEE) pair."""

    catalog: str
    entry: str


@dataclass(frozen=True, slots=True)
class Term:
    """A classification taxon: an OBK UUID (or other vocabulary id) and its label."""

    id: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Licence:
    """A normalised licence: a NL-LOM copyright code and its canonical URL.

    `code` is one of the NL-LOM copyright vocabulary codes (`cc-by-sa-40`,
    `cc0-10`, `pdm-10`, ...), or `yes` (all rights reserved / unspecified) or
    `no` (no restrictions) when no CC licence could be identified.
    """

    code: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Contributor:
    """A lifecycle/contribute entry: role, the vCard's FN, and the date if given."""

    role: str
    name: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation/resource: NL-LOM relation kind and the target identifier or URL."""

    kind: str
    target: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """A LOM annotation (category 8): who, in which role (the vCard's ROLE), when, and what they said."""

    name: str | None = None
    role: str | None = None
    date: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    """Something the normaliser repaired, could not interpret, or found missing."""

    code: str
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Completeness:
    """How much of NL-LOM's required and recommended metadata the record carries."""

    score: float = 0.0
    missing_required: tuple[str, ...] = ()
    missing_recommended: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One normalised learning-material record.

    Lists are tuples so a record is immutable; `titles` maps a language code
    (`nl`, `en`, `x-none`, ...) to the title in that language and is never
    mutated after construction. Missing values are None or empty.
    """

    oai_identifier: str | None = None
    datestamp: str | None = None
    deleted: bool = False
    title: str | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    # The page a teacher should open (of `locations`, the one given as text/html, else the first).
    location: str | None = None
    formats: tuple[str, ...] = ()
    aggregation_level: int | None = None
    learning_resource_types: tuple[str, ...] = ()
    end_user_roles: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    educational_levels: tuple[Term, ...] = ()
    disciplines: tuple[Term, ...] = ()
    # Kerndoelen (classification purpose `educational objective`, SLO/OBK UUIDs).
    educational_objectives: tuple[Term, ...] = ()
    typical_age_range: str | None = None
    typical_learning_time: int | None = None
    cost: bool | None = None
    licence: Licence | None = None
    access_rights: str | None = None
    contributors: tuple[Contributor, ...] = ()
    relations: tuple[Relation, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    completeness: Completeness = field(default_factory=Completeness)
    issues: tuple[Issue, ...] = ()
    # Every technical/location (http(s) links only), in the source's order.
    locations: tuple[str, ...] = ()
    # The source's whole LOM record, every element as it was read (`metadata.lom_tree`), or
    # None for a record that did not come from LOM (oai_dc, a school's own publication).
    lom: Mapping[str, Any] | None = None

    def with_changes(self, **changes: Any) -> Record:
        """Return a copy with some fields replaced (records are immutable)."""
        # `dataclasses.replace` does the same, more slowly: it runs for every record read.
        values = dict(zip(_FIELD_NAMES, _field_values(self), strict=True))
        values.update(changes)
        return Record(**values)

    def to_dict(self) -> dict[str, Any]:
        """The record's JSON form, with exactly the keys of the public contract."""
        # One converter per field, chosen once (this runs for every stored record).
        return {name: convert(getattr(self, name)) for name, convert in _TO_JSON}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """Build a record from its JSON form (as produced by `to_dict`).

        Unknown keys are ignored so that stored JSON written by a newer
        version still loads; missing keys take their defaults.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known or value is None:
                continue
            converter = _FROM_JSON.get(name)
            values[name] = converter(value) if converter else value
        return cls(**values)


# Fields whose JSON form is a list of objects, and the class each object becomes.
_OBJECT_LISTS: dict[str, type] = {
    "identifiers": Identifier,
    "educational_levels": Term,
    "disciplines": Term,
    "educational_objectives": Term,
    "contributors": Contributor,
    "relations": Relation,
    "annotations": Annotation,
    "issues": Issue,
}
_STRING_LISTS = (
    "keywords",
    "languages",
    "formats",
    "learning_resource_types",
    "end_user_roles",
    "contexts",
    "locations",
)


def _objects(kind: type) -> Any:
    return lambda items: tuple(kind(**item) for item in items)


def _completeness(value: Mapping[str, Any]) -> Completeness:
    return Completeness(
        score=float(value.get("score", 0.0)),
        missing_required=tuple(value.get("missing_required", ())),
        missing_recommended=tuple(value.get("missing_recommended", ())),
    )


_FROM_JSON: dict[str, Any] = {
    **{name: _objects(kind) for name, kind in _OBJECT_LISTS.items()},
    **{name: tuple for name in _STRING_LISTS},
    "titles": dict,
    "licence": lambda value: Licence(**value),
    "completeness": _completeness,
    "aggregation_level": int,
    "typical_learning_time": int,
}


def _plain(value: Any) -> Any:
    return value


def _object_list(kind: type) -> Any:
    names = tuple(f.name for f in fields(kind))
    return lambda items: [{name: getattr(item, name) for name in names} for item in items]


def _optional_object(kind: type) -> Any:
    names = tuple(f.name for f in fields(kind))
    return lambda item: None if item is None else {name: getattr(item, name) for name in names}


def _completeness_to_json(value: Completeness) -> dict[str, Any]:
    return {
        "score": value.score,
        "missing_required": list(value.missing_required),
        "missing_recommended": list(value.missing_recommended),
    }


_TO_JSON_BY_NAME: dict[str, Any] = {
    **{name: _object_list(kind) for name, kind in _OBJECT_LISTS.items()},
    **{name: list for name in _STRING_LISTS},
    "titles": dict,
    "licence": _optional_object(Licence),
    "completeness": _completeness_to_json,
}
_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Record))
# All field values of a record in one call, in `_FIELD_NAMES` order.
_field_values = attrgetter(*_FIELD_NAMES)
_TO_JSON: tuple[tuple[str, Any], ...] = tuple(
    (f.name, _TO_JSON_BY_NAME.get(f.name, _plain)) for f in fields(Record)
)
