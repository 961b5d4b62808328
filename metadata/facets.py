"""The facet fields: what a material can be filtered and counted by, declared once. Pure; no I/O.

`FACETS` is the one table. Each `FacetField` says how its values are read
from a normalised record, what it is called (in Dutch; the site's English
catalogue translates the label), what kind of values it holds (which says
how a front end names them) and where the site shows it. Everything else is
derived from it: the fields of the search index document and of both
backends' schemas, the filters a search request accepts, the facets a
search result counts, the JSON API's `facets` and the site's sidebar.

The table's order is the order of the index schema, of filters in URLs and
of facets in the API; `sidebar` orders the site's sidebar on its own. Every
field is a multi-valued string field in every backend; single-valued ones
simply hold at most one value. Changing the table changes the index schema:
bump `oer.search.document.INDEX_SCHEMA_VERSION` with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from metadata.groepen import record_groepen
from metadata.licence import licence_family
from metadata.record import Record
from metadata.vocabulary import VocabularyName


def N_(text: str) -> str:
    """Mark a Dutch text for translation without translating it here (gettext's `N_`).

    The front end translates it when it shows it; message extraction finds it by this name.
    """
    return text


class FacetValues(enum.Enum):
    """What a facet's values are, which says how a front end names them."""

    CODE = "code"  # codes of a fixed list (a vocabulary): the front end translates them
    OBK = "obk"  # OBK term ids (kerndoelen too): named by the OBK or SLO table, else by the data's label
    LICENCE = "licence"  # NL-LOM copyright codes: named by the licence table
    LANGUAGE = "language"  # language codes: named in the visitor's language
    NAME = "name"  # names shown as they are (harvest sources)
    CRITERION = "criterion"  # quality criterion ids and tokens (`metadata.quality`): named by the framework


# How a facet's values are read: from the record and the names of the sources
# that serve it (harvest sources, or `local`). Values come out cleaned,
# de-duplicated and in the record's order.
FacetReader = Callable[[Record, Sequence[str]], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class FacetField:
    """One filter/facet field.

    `name` is the field's name everywhere: in the index, as a filter
    parameter (`contexts=PO`), as a key of the API's `facets`, named as the
    record's JSON key where there is one. `label` is Dutch (marked with `N_`
    for the site's catalogue). `vocabulary` is the NL-LOM vocabulary the
    codes come from, if any. `sidebar` is the field's place in the site's
    facet sidebar (None: API and command line only); `overview` puts its
    counts on the home page. A `supplied` field is not read from the record:
    the indexer supplies its values (quality annotations live beside the
    record, in the quality domain, not in it).
    """

    name: str
    label: str
    read: FacetReader
    values: FacetValues
    vocabulary: VocabularyName | None = None
    sidebar: int | None = None
    overview: bool = False
    supplied: bool = False


def unique_values(values: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty values, stripped, first occurrence kept, in order."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            text = value.strip()
            if text:
                seen.setdefault(text, None)
    return tuple(seen)


def _licence_code(record: Record) -> str | None:
    return record.licence.code if record.licence else None


def _licence(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    code = _licence_code(record)
    return (code,) if code else ()


def _licence_family(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return tuple(family.value for family in licence_family(_licence_code(record)))


def _aggregation_level(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return (str(record.aggregation_level),) if record.aggregation_level is not None else ()


def _access_rights(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return (record.access_rights,) if record.access_rights else ()


def _cost(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return () if record.cost is None else ("yes" if record.cost else "no",)


def _groep(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return record_groepen(record)


def _supplied(record: Record, sources: Sequence[str]) -> tuple[str, ...]:
    return ()


FACETS: tuple[FacetField, ...] = (
    FacetField(
        "contexts", N_("Sector"),
        lambda record, sources: unique_values(record.contexts),
        FacetValues.CODE, VocabularyName.CONTEXT, sidebar=1, overview=True,
    ),
    FacetField(
        "educational_levels", N_("Onderwijsniveau"),
        lambda record, sources: unique_values(term.id for term in record.educational_levels),
        FacetValues.OBK, sidebar=2, overview=True,
    ),
    # Groep 1-8 of primary education ("7"), from the level terms or else the age range
    # (`metadata.groepen`); the site's sidebar shows it once PO is chosen.
    FacetField("groep", N_("Groep"), _groep, FacetValues.CODE, sidebar=3),
    FacetField(
        "disciplines", N_("Vak"),
        lambda record, sources: unique_values(term.id for term in record.disciplines),
        FacetValues.OBK, sidebar=4, overview=True,
    ),
    FacetField(
        "learning_resource_types", N_("Soort materiaal"),
        lambda record, sources: unique_values(record.learning_resource_types),
        FacetValues.CODE, VocabularyName.LEARNING_RESOURCE_TYPE, sidebar=5,
    ),
    FacetField("licence", N_("Licentie"), _licence, FacetValues.LICENCE, sidebar=7),
    FacetField(
        "licence_family", N_("Gebruiksrechten"), _licence_family, FacetValues.CODE,
        sidebar=6, overview=True,
    ),
    FacetField(
        "languages", N_("Taal"),
        lambda record, sources: unique_values(record.languages),
        FacetValues.LANGUAGE, sidebar=8,
    ),
    FacetField(
        "source", N_("Bron"),
        lambda record, sources: unique_values(sources),
        FacetValues.NAME, sidebar=9,
    ),
    FacetField(
        "aggregation_level", N_("Omvang"), _aggregation_level, FacetValues.CODE,
        VocabularyName.AGGREGATION_LEVEL,
    ),
    FacetField(
        "access_rights", N_("Toegang"), _access_rights, FacetValues.CODE,
        VocabularyName.ACCESS_RIGHTS,
    ),
    FacetField("cost", N_("Kosten"), _cost, FacetValues.CODE, VocabularyName.COST),
    FacetField(
        "educational_objectives", N_("Kerndoel"),
        lambda record, sources: unique_values(term.id for term in record.educational_objectives),
        FacetValues.OBK, sidebar=10,
    ),
    # Criteria with a shown annotation; relevance never uses them, only a teacher's filter does.
    FacetField(
        "quality", N_("Kwaliteitsinformatie"), _supplied, FacetValues.CRITERION, sidebar=11, supplied=True,
    ),
    # "Criterion X (by role Y) (at least value Z)" as one token each (`metadata.quality.quality_tokens`).
    FacetField(
        "quality_detail", N_("Kwaliteitsinformatie in detail"), _supplied, FacetValues.CRITERION, supplied=True,
    ),
)

# The field names, in table order.
FACET_FIELDS: tuple[str, ...] = tuple(facet.name for facet in FACETS)
FACETS_BY_NAME: Mapping[str, FacetField] = {facet.name: facet for facet in FACETS}
# The facets the site's sidebar shows, in its order, and those the home page summarises.
SIDEBAR_FACETS: tuple[str, ...] = tuple(
    facet.name for facet in sorted(
        (facet for facet in FACETS if facet.sidebar is not None),
        key=lambda facet: facet.sidebar or 0,
    )
)
OVERVIEW_FACETS: tuple[str, ...] = tuple(facet.name for facet in FACETS if facet.overview)
