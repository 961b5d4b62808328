"""Quality information: the profile's helpers, annotation and feedback pages, moderation, the annotations API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from metadata.quality import Framework
from oer.quality.queries import CriterionProfile
from web.i18n import current_language
from web.quality import api, labels, views
from web.quality.labels import criterion_label, role_label, scale_label


def _scale_label(item: CriterionProfile | None, value: str, criterion_id: str | None = None) -> str:
    """A value's name: by the criterion it was given for (also one of an older version), else by the current one."""
    if item is not None and item.criterion is not None:
        found = item.criterion.scale.value(value)
        if found is not None:
            return found.label(current_language())
    return scale_label(criterion_id or (item.criterion_id if item else ""), value)


@dataclass(frozen=True, slots=True)
class ValueChoice:
    code: str
    nl: str
    en: str
    ordinal: bool

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.nl


def _values(framework: Framework) -> list[ValueChoice]:
    """Every value of the framework's scales once, for the search form's "at least" choice."""
    seen: dict[str, ValueChoice] = {}
    for criterion in framework.criteria.values():
        for value in criterion.scale.values:
            seen.setdefault(value.code, ValueChoice(value.code, value.nl, value.en, criterion.scale.kind == "ordinal"))
    return list(seen.values())


def _helpers() -> dict[str, Any]:
    return {
        "quality_values": _values,
        "quality_role_label": role_label,
        "quality_criterion_label": criterion_label,
        "quality_scale_label": _scale_label,
    }


def init_app(app: Flask) -> None:
    labels.init_app(app)
    app.jinja_env.globals.update(_helpers())
    views.init_app(app)
    api.init_app(app)
