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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

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

    @property
    def criteria(self) -> dict[str, Criterion]:
        return {criterion.id: criterion for group in self.groups for criterion in group.criteria}

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
