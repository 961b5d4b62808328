"""Display names of vocabulary codes and facet fields, in the visitor's language. Pure; no I/O.

The data names things by code (`PO`, `open opdracht`, `non-commercial`);
this module says them in Dutch or English, from the one vocabulary table
(`schemas/vocabularies/labels.json`, read by `metadata.vocabulary.vocabulary_label`):
sectors, levels, subjects, material types, licences, end user roles. An OBK
term the table does not know is shown by the label the record gives it.
Facet field labels are declared, in Dutch, with the fields themselves in
`metadata.facets.FACETS` and translated here from the site's catalogue.
Harvested titles are shown as their text, or "(zonder titel)" when none is left.
A results page names a hundred codes: each field name is translated once per
language and kept (the catalogues do not change while the site runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from metadata.facets import FACETS_BY_NAME, N_, FacetValues
from metadata.vocabulary import vocabulary_label, vocabulary_labels
from oer.discovery.level_words import RecognisedTerm
from oer.discovery.search import Label, clean_text
from oer.search.document import DateKind, DatePrecision, MaterialDate
from web.i18n import current_language, locale_key

RELATION_LABELS: Mapping[str, LazyString] = {
    "haspart": _l("Bestaat uit"),
    "ispartof": _l("Onderdeel van"),
    "hasformat": _l("Andere vorm"),
    "embed": _l("Ingebed"),
    "thumbnail": _l("Miniatuur"),
    "isbasedon": _l("Gebaseerd op"),
    "isreferencedby": _l("Genoemd in"),
    "isversionof": _l("Versie van"),
    "references": _l("Verwijst naar"),
}

# Translated field names by (locale, field); the keys are the declared fields only.
_FIELD_NAMES: dict[tuple[str, str], str] = {}


def field_label(field: str) -> str:
    """The facet field's label from `metadata.facets.FACETS`, in the visitor's language."""
    facet = FACETS_BY_NAME.get(field)
    if facet is None:
        return field
    key = (locale_key(), field)
    name = _FIELD_NAMES.get(key)
    if name is None:
        name = _FIELD_NAMES[key] = gettext(facet.label)
    return name


# A recognised term standing for more levels than this is named as typed: a list of them would
# be longer than the chip is useful.
CHIP_VALUES = 3


def recognised_label(term: RecognisedTerm) -> str:
    """A recognised level, groep or subject's name for its chip, in the visitor's language.

    Dutch: the term's own name ("Groep 7", "havo 4", "onderbouw"). Otherwise the label table's
    names of the values it filters on (a subject's ids all name one subject: the first will
    do), so the English site shows no Dutch vocabulary value where the table knows one.
    """
    language = current_language()
    if language == "nl" or len(term.filters) != 1:
        return term.label
    field_name, values = next(iter(term.filters.items()))
    if field_name == "disciplines":
        values = values[:1]
    named = [vocabulary_label(field_name, value, language) for value in values]
    if values and len(values) <= CHIP_VALUES and all(named):
        return ", ".join(dict.fromkeys(name for name in named if name))
    # A school type or sector with many levels ("havo", "vso"): the table's name of the term
    # whose Dutch name it is.
    for labels in vocabulary_labels().get(field_name, {}).values():
        if labels.get("nl", "").lower() == term.label.lower() and language in labels:
            return labels[language]
    # A phase of a school type ("Bovenbouw havo"); the school types keep their Dutch names.
    phase, _, school = term.label.partition(" ")
    if phase in _PHASES:
        return str(gettext(_PHASES[phase], school=school.upper()) if school else gettext(_PHASE_NAMES[phase]))
    return term.label


# The phases of school the recogniser names (`oer.discovery.level_words`), with a school type.
_PHASES = {
    "Onderbouw": N_("Onderbouw %(school)s"),
    "Bovenbouw": N_("Bovenbouw %(school)s"),
    "Brugklas": N_("Brugklas %(school)s"),
}
_PHASE_NAMES = {"Onderbouw": N_("Onderbouw"), "Bovenbouw": N_("Bovenbouw"), "Brugklas": N_("Brugklas")}


def value_label(field: str, value: str, data_label: str | None = None) -> str:
    """How to show `value` of facet `field` in the visitor's language.

    The vocabulary table (`metadata.vocabulary.vocabulary_label`) first, so an English visitor
    never sees a Dutch vocabulary value the table knows; then the data's own label (an OBK
    term the table does not know, a licence's name); then the code.
    """
    known = vocabulary_label(field, value, current_language())
    if known is not None:
        return known
    if data_label:
        return data_label
    facet = FACETS_BY_NAME.get(field)
    if facet is not None and facet.values is FacetValues.LANGUAGE:
        return language_name(value)
    if facet is not None and facet.values is FacetValues.CRITERION:
        # Imported here: the quality labels read the framework through the app's runtime.
        from web.quality.labels import token_label

        return token_label(value)
    return value


def title_label(title: str | None, fallback: str | None = None) -> str:
    """A harvested title as pages show it: its markup reduced to text, as on the detail page.

    A title that is only markup (`<b></b>`, `<script>…</script>`) leaves no text:
    then `fallback`, else "(zonder titel)", never an empty link or heading.
    """
    return clean_text(title) or fallback or gettext("(zonder titel)")


def language_name(code: str) -> str:
    """`nl` -> "Nederlands" (or "Dutch" for an English visitor); unknown codes as given."""
    return _language_name(str(get_locale() or "nl"), code.split("-")[0].lower()) or code


# Bounded: the codes come from the data and from the filters a visitor asks for.
@lru_cache(maxsize=1024)
def _language_name(locale: str, code: str) -> str | None:
    try:
        name = Locale.parse(locale).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name[:1].upper() + name[1:] if name else None


def learning_time(seconds: int | None) -> str | None:
    """A learning time in words: "1 uur en 30 minuten", "2 dagen", "45 minuten"."""
    if not seconds or seconds < 0:
        return None
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = round(rest / 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    parts = []
    if days:
        parts.append(ngettext("%(num)d dag", "%(num)d dagen", days))
    if hours:
        parts.append(ngettext("%(num)d uur", "%(num)d uur", hours))
    if minutes:
        parts.append(ngettext("%(num)d minuut", "%(num)d minuten", minutes))
    if not parts:
        return str(ngettext("%(num)d minuut", "%(num)d minuten", 1))
    if len(parts) == 1:
        return str(parts[0])
    return str(gettext("%(first)s en %(last)s", first=", ".join(parts[:-1]), last=parts[-1]))


# How much of a material's date to say, by its precision (babel date patterns).
_DATE_PATTERNS: Mapping[DatePrecision, str] = {
    DatePrecision.DAY: "medium",
    DatePrecision.MONTH: "MMM yyyy",
    DatePrecision.YEAR: "yyyy",
}
_DATE_KIND_TEXTS: Mapping[DateKind, LazyString] = {
    DateKind.PUBLISHED: _l("gepubliceerd %(date)s"),
    DateKind.CHANGED: _l("gewijzigd bij de bron %(date)s"),
    DateKind.STORED: _l("bijgewerkt %(date)s"),
}


def material_date(date: MaterialDate) -> str:
    """A material's own date as a result card says it: "gepubliceerd 3 mrt 2021",
    "gewijzigd bij de bron mrt 2021", "gepubliceerd 2017" (only as precise as the source)."""
    formats = current_app.extensions["oer_formats"]
    # A material's date is a calendar date (no time of day): not moved to the visitor's zone.
    day = formats.format_date(date.moment.date(), _DATE_PATTERNS[date.precision], rebase=False)
    return str(_DATE_KIND_TEXTS[date.kind]) % {"date": day}


def material_date_iso(date: MaterialDate) -> str:
    """The date as precise as it is known, for a `<time datetime>`: 2021-03-03, 2021-03, 2021."""
    text = date.moment.date().isoformat()
    return {DatePrecision.DAY: text, DatePrecision.MONTH: text[:7], DatePrecision.YEAR: text[:4]}[
        date.precision]


def level_names(levels: Iterable[Label], sectors: Iterable[str], limit: int = 2) -> list[str]:
    """The names of a result's educational levels a card shows: at most `limit`, each once,
    none that only repeats a sector the card already names ("Primair onderwijs")."""
    shown = set(sectors)
    names: list[str] = []
    for level in levels:
        name = value_label("educational_levels", level.value, level.label)
        if name not in shown:
            shown.add(name)
            names.append(name)
            if len(names) == limit:
                break
    return names
