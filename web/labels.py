"""Display names of vocabulary codes and facet fields, in the visitor's language. Pure; no I/O.

The data names things by code (`PO`, `open opdracht`, `non-commercial`);
this module says them in Dutch or English. OBK terms are shown by the label
the data gives them (Dutch only: the onderwijsbegrippenkader is Dutch).
Facet field labels are declared, in Dutch, with the fields themselves in
`metadata.facets.FACETS` and translated here from the site's catalogue.
Harvested titles are shown as their text, or "(zonder titel)" when none is left.
A results page names a hundred codes: each name is translated once per language
and kept (the catalogues do not change while the site runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from metadata.facets import FACETS_BY_NAME, FacetValues
from oer.discovery.search import clean_text
from web.i18n import locale_key

# What facet values are called, by facet field (the fields and their own labels are declared in
# `metadata.facets.FACETS`). Fields whose values are codes of a fixed list need their codes here.
_VALUE_LABELS: Mapping[str, Mapping[str, LazyString]] = {
    "contexts": {
        "PO": _l("Primair onderwijs"),
        "VO": _l("Voortgezet onderwijs"),
        "BVE": _l("Mbo en volwasseneneducatie"),
        "HBO": _l("Hoger beroepsonderwijs"),
        "WO": _l("Wetenschappelijk onderwijs"),
        "SO": _l("Speciaal onderwijs"),
        "SBaO": _l("Speciaal basisonderwijs"),
        "VVE": _l("Voor- en vroegschoolse educatie"),
        "bedrijfsopleiding": _l("Bedrijfsopleiding"),
        "school": _l("School"),
        "higher education": _l("Hoger onderwijs"),
        "training": _l("Training"),
        "other": _l("Overig"),
    },
    "learning_resource_types": {
        "informatiebron": _l("Informatiebron"),
        "open opdracht": _l("Open opdracht"),
        "gesloten opdracht": _l("Gesloten opdracht"),
        "evaluatie- en toetsmateriaal": _l("Evaluatie- en toetsmateriaal"),
        "handleiding": _l("Handleiding"),
        "gereedschap": _l("Gereedschap"),
        "verkennings- en onderzoeksmateriaal": _l("Verkennings- en onderzoeksmateriaal"),
        "professionaliseringsmateriaal": _l("Professionaliseringsmateriaal"),
    },
    "licence_family": {
        "open": _l("Vrij te gebruiken en te bewerken"),
        "non-commercial": _l("Niet voor commercieel gebruik"),
        "no-derivatives": _l("Niet bewerken"),
        "all-rights-reserved": _l("Alle rechten voorbehouden"),
    },
    "licence": {
        "yes": _l("Alle rechten voorbehouden"),
        "no": _l("Geen beperkingen"),
    },
    "aggregation_level": {
        "1": _l("Los element"),
        "2": _l("Les"),
        "3": _l("Lessenserie of arrangement"),
        "4": _l("Leerlijn"),
    },
    "access_rights": {
        "OpenAccess": _l("Open toegang"),
        "RestrictedAccess": _l("Beperkte toegang"),
        "ClosedAccess": _l("Gesloten toegang"),
    },
    "cost": {"yes": _l("Betaald"), "no": _l("Gratis")},
}

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

ROLE_LABELS: Mapping[str, LazyString] = {
    "learner": _l("Leerling"),
    "teacher": _l("Leraar"),
    "author": _l("Auteur"),
    "manager": _l("Beheerder"),
}


# Translated names by (locale, field[, value]); the keys are the declared fields and codes only.
_FIELD_NAMES: dict[tuple[str, str], str] = {}
_VALUE_NAMES: dict[tuple[str, str, str], str] = {}


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


def value_label(field: str, value: str, data_label: str | None = None) -> str:
    """How to show `value` of facet `field`: the data's own label, a translation, or the code."""
    if data_label:
        return data_label
    facet = FACETS_BY_NAME.get(field)
    if facet is not None and facet.values is FacetValues.LANGUAGE:
        return language_name(value)
    if facet is not None and facet.values is FacetValues.CRITERION:
        # Imported here: the quality labels read the framework through the app's runtime.
        from web.quality.labels import token_label

        return token_label(value)
    known = _VALUE_LABELS.get(field, {}).get(value)
    if known is None:
        return value
    key = (locale_key(), field, value)
    name = _VALUE_NAMES.get(key)
    if name is None:
        name = _VALUE_NAMES[key] = str(known)
    return name


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
