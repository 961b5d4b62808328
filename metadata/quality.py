"""The quality framework as data: reading and checking a version, its criteria, scales and roles. Pure.

A framework version (`schemas/quality/v1.json`, described by
`schemas/quality/framework.schema.json`) holds groups of criteria; each
criterion is annotated on one scale (`ordinal`, lowest value first; a `list`
such as the evidence level; or `yesno`), has guiding questions, and names the
roles that may annotate it. `check_framework` reports every problem with a
file: what the JSON Schema says, and what it cannot say (ids unique, scales
that exist, a `replaces` mapping onto criteria that exist). There is no total
score anywhere: the framework describes, it does not judge.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from metadata.record import Record
from schemas import resources

CURRENT_FILE = "quality/v1.json"


class AnnotatorRole(enum.Enum):
    """The roles an annotation is made in (DESIGN.md, "Quality annotations")."""

    AUTEUR = "auteur"  # self-declaration by the material's author or publisher
    VAKEXPERT = "vakexpert"  # a subject expert, for the material's discipline
    LERAAR = "leraar"  # a teacher who used it
    LEERLING = "leerling"  # a pupil's feedback (no account needed, moderated)
    OUDER = "ouder"  # a parent's feedback (no account needed, moderated)
    REDACTIE = "redactie"  # the platform's curators


@dataclass(frozen=True, slots=True)
class ScaleValue:
    code: str
    nl: str
    en: str

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    kind: str
    values: tuple[ScaleValue, ...]

    def value(self, code: str) -> ScaleValue | None:
        return next((value for value in self.values if value.code == code), None)

    @property
    def lowest(self) -> str | None:
        """The value that needs a justification: the lowest of an ordinal scale."""
        return self.values[0].code if self.kind == "ordinal" else None


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    group: str
    nl: str
    en: str
    scale: Scale
    questions_nl: tuple[str, ...]
    questions_en: tuple[str, ...]
    roles: frozenset[AnnotatorRole]

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl

    def questions(self, language: str) -> tuple[str, ...]:
        return self.questions_en if language == "en" else self.questions_nl


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    nl: str
    en: str
    criteria: tuple[Criterion, ...]

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl


@dataclass(frozen=True, slots=True)
class Framework:
    version: str
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    published: str
    groups: tuple[Group, ...]
    replaces: str | None
    mapping: Mapping[str, str]
    _criteria: dict[str, Criterion] = field(init=False, repr=False, compare=False)

    @property
    def criteria(self) -> dict[str, Criterion]:
        # Read per annotation on the feed's path: built once, not on every access.
        return self._criteria

    def __post_init__(self) -> None:
        object.__setattr__(self, "_criteria",
                           {criterion.id: criterion for group in self.groups for criterion in group.criteria})

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_nl


class FrameworkError(ValueError):
    """A framework file that cannot be used: every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(resources.load_json("quality/framework.schema.json"), format_checker=FormatChecker())


def check_framework(data: Any, previous: Framework | None = None) -> list[str]:
    """Every problem with a framework document (empty when it may be loaded).

    With `previous`, a `replaces` mapping is checked against that version's criteria too.
    """
    problems = [f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
                for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))]
    if problems:
        return problems
    scales = set(data["scales"])
    seen: set[str] = set()
    for g_index, group in enumerate(data["groups"]):
        if group["id"] in seen:
            problems.append(f"groups/{g_index}/id: {group['id']!r} is used twice")
        seen.add(group["id"])
        for c_index, criterion in enumerate(group["criteria"]):
            where = f"groups/{g_index}/criteria/{c_index}"
            if criterion["id"] in seen:
                problems.append(f"{where}/id: {criterion['id']!r} is used twice")
            seen.add(criterion["id"])
            if criterion["scale"] not in scales:
                problems.append(f"{where}/scale: no scale {criterion['scale']!r} (scales: {', '.join(sorted(scales))})")
    for name, scale in data["scales"].items():
        codes = [value["code"] for value in scale["values"]]
        if len(set(codes)) != len(codes):
            problems.append(f"scales/{name}/values: a code is used twice")
    replaces = data.get("replaces")
    if replaces is not None:
        if replaces["version"] == data["version"]:
            problems.append("replaces/version: a version cannot replace itself")
        for old, new in replaces["criteria"].items():
            if new not in seen:
                problems.append(f"replaces/criteria/{old}: maps to {new!r}, which this version does not have")
            if previous is not None and previous.version == replaces["version"] and old not in previous.criteria:
                problems.append(f"replaces/criteria/{old}: version {previous.version} has no criterion {old!r}")
    return problems


def read_framework(data: Any, previous: Framework | None = None) -> Framework:
    """The framework of a document; FrameworkError with every problem when it cannot be used."""
    problems = check_framework(data, previous)
    if problems:
        raise FrameworkError(problems)
    scales = {name: Scale(name, scale["kind"], tuple(ScaleValue(v["code"], v["nl"], v["en"]) for v in scale["values"]))
              for name, scale in data["scales"].items()}
    groups = tuple(
        Group(group["id"], group["label"]["nl"], group["label"]["en"], tuple(
            Criterion(
                id=criterion["id"], group=group["id"], nl=criterion["label"]["nl"], en=criterion["label"]["en"],
                scale=scales[criterion["scale"]], questions_nl=tuple(criterion["questions"]["nl"]),
                questions_en=tuple(criterion["questions"]["en"]),
                roles=frozenset(AnnotatorRole(role) for role in criterion["roles"]),
            ) for criterion in group["criteria"]))
        for group in data["groups"]
    )
    replaces = data.get("replaces") or {}
    return Framework(
        version=data["version"], name_nl=data["name"]["nl"], name_en=data["name"]["en"],
        description_nl=(data.get("description") or {}).get("nl", ""),
        description_en=(data.get("description") or {}).get("en", ""), published=data["published"],
        groups=groups, replaces=replaces.get("version"), mapping=dict(replaces.get("criteria") or {}),
    )


@cache
def bundled_framework() -> Framework:
    """Version 1, as shipped in `schemas/quality/` (what a new instance starts with)."""
    return read_framework(resources.load_json(CURRENT_FILE))


# -- across versions -------------------------------------------------------------------------------


def current_criterion(version: str, criterion: str, frameworks: Mapping[str, Framework], current: str) -> str | None:
    """The current version's id of a criterion annotated under `version`, following `replaces` mappings.

    A criterion a later version kept under the same id stays; one it renamed
    follows the mapping; one it dropped without a mapping has no current id
    (None): such an annotation is still shown, under its own version's label.
    """
    # The chain from `current` back to `version`, newest first.
    chain: list[Framework] = []
    at = frameworks.get(current)
    while at is not None and at.version != version:
        chain.append(at)
        at = frameworks.get(at.replaces) if at.replaces else None
        if len(chain) > len(frameworks):  # a loop in the data: stop rather than spin
            return None
    if at is None:
        return criterion if criterion in frameworks[current].criteria else None
    for newer in reversed(chain):
        criterion = newer.mapping.get(criterion, criterion)
        if criterion not in newer.criteria:
            return None
    return criterion


# -- search tokens ---------------------------------------------------------------------------------

# Separators inside a search token: criterion ids hold letters, digits, '.', '-' and '_' only.
ROLE_MARK = "/"
AT_LEAST = ">="
EQUALS = "="


@dataclass(frozen=True, slots=True)
class Mark:
    """One shown annotation, reduced to what search filters on (criterion as the current version names it)."""

    criterion: str
    role: AnnotatorRole
    value: str


def quality_tokens(marks: Iterable[Mark], framework: Framework) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The criteria a material has annotations for, and the detail tokens a filter matches.

    Detail tokens, each also with the role (`criterion/role...`): the criterion
    alone, `criterion=value`, and on an ordinal scale `criterion>=v` for every
    value v up to the annotated one, so "at least voldoende" is one exact
    token match. Values the current scale does not have only make the plain tokens.
    """
    criteria: dict[str, None] = {}
    details: dict[str, None] = {}
    known = framework.criteria
    for mark in marks:
        criteria.setdefault(mark.criterion, None)
        for prefix in (mark.criterion, f"{mark.criterion}{ROLE_MARK}{mark.role.value}"):
            details.setdefault(prefix, None)
            details.setdefault(f"{prefix}{EQUALS}{mark.value}", None)
            criterion = known.get(mark.criterion)
            if criterion is None or criterion.scale.kind != "ordinal":
                continue
            codes = [value.code for value in criterion.scale.values]
            if mark.value in codes:
                for code in codes[: codes.index(mark.value) + 1]:
                    details.setdefault(f"{prefix}{AT_LEAST}{code}", None)
    return tuple(criteria), tuple(details)


def detail_token(criterion: str, role: str | None = None, value: str | None = None, *, at_least: bool = True) -> str:
    """The token a filter "criterion (by role) (at least / exactly value)" matches."""
    token = criterion if not role else f"{criterion}{ROLE_MARK}{role}"
    if value:
        token += f"{AT_LEAST if at_least else EQUALS}{value}"
    return token


# -- who counts as the author ----------------------------------------------------------------------

_PUBLISHER_ROLES = frozenset({"publisher"})
_AUTHOR_ROLES = frozenset({"author"})


def plain_name(name: str) -> str:
    """A name compared without regard to letter case or runs of spaces."""
    return " ".join(name.split()).casefold()


def named_parties(record: Record) -> tuple[frozenset[str], frozenset[str]]:
    """The record's publishers and authors, as `plain_name`s."""
    publishers = {plain_name(c.name) for c in record.contributors if c.name and c.role in _PUBLISHER_ROLES}
    authors = {plain_name(c.name) for c in record.contributors if c.name and c.role in _AUTHOR_ROLES}
    return frozenset(publishers), frozenset(authors)


def in_discipline(record: Record, disciplines: Iterable[str]) -> bool:
    """Whether one of the record's disciplines is one of these (an OBK id or a label, any case)."""
    wanted = {plain_name(d) for d in disciplines}
    return any(
        plain_name(term.id) in wanted or (term.label and plain_name(term.label) in wanted)
        for term in record.disciplines
    )


# -- in the LOM ------------------------------------------------------------------------------------


def annotation_text(framework: Framework | None, version: str, criterion: str, value: str,
                    justification: str | None) -> str:
    """The Dutch description of a LOM annotation: framework version, criterion, value, justification."""
    known = framework.criteria.get(criterion) if framework is not None else None
    label = known.nl if known else criterion
    scale_value = known.scale.value(value) if known else None
    value_label = scale_value.nl if scale_value else value
    text = f"Kwaliteitskader versie {version}, criterium '{label}' ({criterion}): {value_label}."
    if justification:
        text += f" Toelichting: {justification}"
    return text
