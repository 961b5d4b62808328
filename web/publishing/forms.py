"""The publishing form: what it offers (vocabularies, licences, kerndoelen) and how a post becomes a submission. Pure.

The form is plain HTML that works without JavaScript: checkboxes and radio
buttons for every vocabulary, a text field for keywords, one author per
line. Its rules are not here: the submission it makes is checked by
`metadata.submission` (the same check as the write API and the bulk import),
and the problems come back by field name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from metadata.kerndoelen import KERNDOEL_SECTORS, SECTOR_CONTEXT, Kerndoel, kerndoelen, subject_areas
from metadata.licence import licence_name
from metadata.submission import PUBLISHABLE_LICENCES, SUBMITTED_FIELDS
from metadata.vocabulary import (
    VocabularyName,
    discipline_terms,
    educational_level_terms,
    vocabulary,
)

# The contexts a publisher here chooses from (the czp sectors of Dutch schools first).
CONTEXT_CHOICES = ("PO", "VO", "SO", "SBaO", "VVE", "BVE", "HBO", "WO")
LANGUAGE_CHOICES = ("nl", "en", "fy", "de", "fr", "es", "pap", "tr", "ar", "x-none")

AGGREGATION_LEVELS: Mapping[int, tuple[LazyString, LazyString]] = {
    1: (_l("Eén onderdeel"), _l("Een plaatje, filmpje, tekst of opdracht op zichzelf.")),
    2: (_l("Een les"), _l("Een les of lesactiviteit, uit een of meer onderdelen.")),
    3: (_l("Een lessenserie"), _l("Een module of arrangement van meerdere lessen.")),
    4: (_l("Een leerlijn"), _l("Een cursus of leerlijn van meerdere lessenseries.")),
}

# The licence chooser: what each licence allows, in plain Dutch, and which to recommend.
RECOMMENDED_LICENCES = ("cc-by-40", "cc-by-sa-40")
LICENCE_EXPLANATIONS: Mapping[str, LazyString] = {
    "cc-by-40": _l("Iedereen mag je materiaal gebruiken, delen en bewerken, ook commercieel, als ze jou als "
                   "maker noemen. Zo kunnen collega's er het meest mee."),
    "cc-by-sa-40": _l("Als CC BY, en wie je materiaal bewerkt, deelt de bewerking onder dezelfde licentie. "
                      "Zo blijven ook bewerkingen open."),
    "cc-by-nc-40": _l("Niet commercieel: uitgevers en betaalde platforms mogen het niet gebruiken. Het past dan "
                      "niet in arrangementen met materiaal onder CC BY-SA."),
    "cc-by-nc-sa-40": _l("Niet commercieel, en bewerkingen onder dezelfde licentie. Past niet samen met CC BY-SA "
                         "in één bewerking."),
    "cc-by-nd-40": _l("Geen afgeleide werken: anderen mogen het alleen ongewijzigd delen. Aanpassen voor hun "
                      "klas of leerlingen mag niet."),
    "cc-by-nc-nd-40": _l("Niet commercieel en niet bewerken: de strengste Creative Commons-licentie. Collega's "
                         "mogen het alleen ongewijzigd en niet-commercieel delen."),
    "cc0-10": _l("Je ziet af van je rechten: iedereen mag alles, naamsvermelding is niet verplicht."),
    "pdm-10": _l("Publiek domein: voor werk waar geen auteursrecht (meer) op rust."),
}


class PublishForm(FlaskForm):  # type: ignore[misc]
    """The publishing form's CSRF token; its fields are read by `submission_from_form`."""


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    hint: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class KerndoelGroup:
    """The kerndoelen of one sector and subject area, as the picker groups them."""

    sector: str
    subject_area: str | None
    kerndoelen: tuple[Kerndoel, ...]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _keywords(text: str) -> list[str]:
    # Comma- or semicolon-separated, as teachers type them.
    return [word.strip() for word in text.replace(";", ",").split(",") if word.strip()]


def submission_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The submission a post of the form makes (empty fields left out, the check says what is missing)."""
    submission: dict[str, Any] = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "keywords": _keywords(form.get("keywords", "")),
        "languages": [code for code in form.getlist("languages") if code],
        "location": form.get("location", "").strip() or None,
        "aggregation_level": form.get("aggregation_level") or None,
        "learning_resource_types": form.getlist("learning_resource_types"),
        "end_user_roles": form.getlist("end_user_roles"),
        "contexts": form.getlist("contexts"),
        "educational_levels": form.getlist("educational_levels"),
        "disciplines": form.getlist("disciplines"),
        "educational_objectives": form.getlist("educational_objectives"),
        "typical_age_range": form.get("typical_age_range", "").strip() or None,
        "typical_learning_time": form.get("typical_learning_time", "").strip() or None,
        "licence": form.get("licence") or None,
        "authors": _lines(form.get("authors", "")),
    }
    return {name: value for name, value in submission.items() if name in SUBMITTED_FIELDS}


def form_values(submission: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored submission: text for the text fields, sets for the choices."""

    def listed(name: str) -> set[str]:
        value = submission.get(name) or []
        if isinstance(value, str):
            return {value}
        return {str(item["id"]) if isinstance(item, Mapping) else str(item) for item in value}

    def text(name: str) -> str:
        value = submission.get(name)
        return "" if value is None else str(value)

    return {
        "title": text("title"),
        "description": text("description"),
        "keywords": ", ".join(submission.get("keywords") or []),
        "languages": listed("languages") or {"nl"},
        "location": text("location"),
        "aggregation_level": text("aggregation_level"),
        "learning_resource_types": listed("learning_resource_types"),
        "end_user_roles": listed("end_user_roles"),
        "contexts": listed("contexts"),
        "educational_levels": listed("educational_levels"),
        "disciplines": listed("disciplines"),
        "educational_objectives": listed("educational_objectives"),
        "typical_age_range": text("typical_age_range"),
        "typical_learning_time": text("typical_learning_time"),
        "licence": text("licence"),
        "authors": "\n".join(submission.get("authors") or []),
    }


def vocabulary_values(name: VocabularyName) -> tuple[str, ...]:
    """The NL-LOM values of a vocabulary, in its order (its first source's)."""
    return vocabulary(name).sources[0][1]


def level_choices() -> list[Choice]:
    return [Choice(term.id, term.label, group=term.sector) for term in educational_level_terms()]


def discipline_choices() -> list[Choice]:
    return [Choice(term.id, term.label) for term in discipline_terms()]


def licence_choices() -> list[Choice]:
    return [Choice(code, licence_name(code) or code, str(LICENCE_EXPLANATIONS[code])) for code in PUBLISHABLE_LICENCES]


def kerndoel_groups(contexts: Iterable[str] = (), subject_area_id: str | None = None) -> list[KerndoelGroup]:
    """The kerndoelen by sector and subject area; only the chosen contexts' and area's when given."""
    wanted = {context.upper() for context in contexts}
    groups: dict[tuple[str, str | None], list[Kerndoel]] = {}
    for kerndoel in kerndoelen().values():
        if wanted and SECTOR_CONTEXT[kerndoel.sector] not in wanted:
            continue
        if subject_area_id and (kerndoel.subject_area is None or kerndoel.subject_area.id != subject_area_id):
            continue
        area = kerndoel.subject_area.label if kerndoel.subject_area else None
        groups.setdefault((kerndoel.sector, area), []).append(kerndoel)
    order = {sector: index for index, sector in enumerate(KERNDOEL_SECTORS)}
    return [
        KerndoelGroup(sector, area, tuple(items))
        for (sector, area), items in sorted(groups.items(), key=lambda item: (
            order[item[0][0]], item[0][1] is None, item[0][1] or ""))
    ]


def subject_area_choices() -> list[Choice]:
    return [Choice(area.id, area.label) for area in subject_areas()]


def chosen_kerndoelen(ids: Sequence[str]) -> list[Kerndoel]:
    table = kerndoelen()
    return [table[i.lower()] for i in ids if i.lower() in table]
