"""What a publisher submits, checked by NL-LOM's rules and turned into a Record. Pure; no I/O.

A submission is the subset of the record's JSON form (`Record.to_dict`) that a
publisher sets: the site's form, the write API and the bulk import all produce
it. Checking it reports every problem at once, each with the field it belongs
to, a stable code and a Dutch and an English message, so a form can show each
problem next to its field and the API can answer them all in one 422.

Two kinds of rule apply. Values must be well-formed and, for vocabularies, in
the vocabulary: a submission is fixed before it is saved, where a harvested
record (someone else's to repair) keeps what it says. And NL-LOM's required
and conditionally required elements (`metadata.completeness`, the one place
those rules live) must be there: each missing one is a `required` problem on
the field that supplies it. The recommended elements a submission leaves out
are listed too, for the completeness meter ("nog 3 aanbevolen velden").

What the publisher does not set, the repository does (`PublisherContext`):
the OAI identifier and catalog entry, the publisher's vCard (the organisation),
the date, the formats of uploaded files, the location of a material that is
only files (its page here), and `cost` (open material is free).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from metadata.completeness import assess_completeness
from metadata.kerndoelen import known_kerndoel
from metadata.licence import canonical_url, licence_terms
from metadata.links import is_clean_web_url
from metadata.record import Completeness, Contributor, Identifier, Licence, Record
from metadata.vocabulary import VocabularyName, known_term, vocabulary

# The fields a publisher sets, in the order a form shows them.
SUBMITTED_FIELDS = (
    "title",
    "description",
    "keywords",
    "languages",
    "location",
    "aggregation_level",
    "learning_resource_types",
    "end_user_roles",
    "contexts",
    "educational_levels",
    "disciplines",
    "educational_objectives",
    "typical_age_range",
    "typical_learning_time",
    "licence",
    "authors",
)

TITLE_MAX = 500
DESCRIPTION_MAX = 20_000
KEYWORDS_MAX = 50
KEYWORD_MAX = 200
AUTHORS_MAX = 50
NAME_MAX = 200
LOCATION_MAX = 2000
AUTHOR_ROLE = "author"
PUBLISHER_ROLE = "publisher"
# Learning time is given in minutes (what a teacher thinks in); the record keeps seconds.
LEARNING_TIME_MAX_MINUTES = 60 * 24 * 365
# Licences a publisher may choose: the open ones (CC, CC0, public domain); never "all rights
# reserved", which would make the material not open.
PUBLISHABLE_LICENCES = ("cc-by-40", "cc-by-sa-40", "cc-by-nc-40", "cc-by-nc-sa-40", "cc-by-nd-40",
                        "cc-by-nc-nd-40", "cc0-10", "pdm-10")

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_AGE_RANGE = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})?\s*$")

# NL-LOM's elements (as `metadata.completeness` names them) and the field that supplies each.
_FIELD_OF_PATH = {
    "general/title": "title",
    "general/language": "languages",
    "general/aggregationlevel": "aggregation_level",
    "educational/intendedenduserrole": "end_user_roles",
    "rights/copyrightandotherrestrictions": "licence",
    "technical/location": "location",
    "educational/context": "contexts",
    "classification/discipline": "disciplines",
    "classification/educational level": "educational_levels",
    "educational/typicalagerange": "typical_age_range",
    "general/description": "description",
    "general/keyword": "keywords",
    "lifecycle/contribute": "authors",
    "educational/learningresourcetype": "learning_resource_types",
    "educational/typicallearningtime": "typical_learning_time",
}
# What to say when a required element is missing, per field.
_REQUIRED_MESSAGES = {
    "title": ("Geef het materiaal een titel.", "Give the material a title."),
    "languages": ("Kies de taal van het materiaal.", "Choose the language of the material."),
    "aggregation_level": ("Kies de omvang (het aggregatieniveau).", "Choose the size (aggregation level)."),
    "end_user_roles": ("Kies voor wie het materiaal bedoeld is.", "Choose who the material is for."),
    "licence": ("Kies een licentie.", "Choose a licence."),
    "location": ("Voeg een bestand toe of geef een link naar het materiaal.",
                 "Add a file or give a link to the material."),
    "contexts": ("Een les of lessenserie heeft een sector nodig.", "A lesson or series needs a sector."),
    "disciplines": ("Een les of lessenserie heeft een vak nodig.", "A lesson or series needs a subject."),
    "educational_levels": ("Een les of lessenserie heeft een onderwijsniveau nodig.",
                           "A lesson or series needs an education level."),
    "typical_age_range": ("Geef de leeftijd van de leerlingen (bijv. 8-12): die is verplicht voor deze sector.",
                          "Give the pupils' age (e.g. 8-12): it is required for this sector."),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a submission: the field, a stable code, and why (Dutch, English)."""

    field: str
    code: str
    message_nl: str
    message_en: str

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_nl

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message_nl": self.message_nl,
                "message_en": self.message_en}

    @classmethod
    def too_long(cls, field: str, limit: int, length: int) -> Problem:
        return cls(field, "too-long", f"Maximaal {limit} tekens (nu {length}).",
                   f"At most {limit} characters (now {length}).")


@dataclass(frozen=True, slots=True)
class AttachedFile:
    """A file that is part of the material: its digest, size, sniffed type and name."""

    sha256: str
    size: int
    media_type: str
    name: str


@dataclass(frozen=True, slots=True)
class PublisherContext:
    """What the repository adds to a submission when it becomes a record.

    `page_url` is the material's page here: its location when it is only files.
    `default_author` is the author when the submission names none (a teacher
    publishing in their own name).
    """

    oai_identifier: str = ""
    catalog: str = ""
    entry: str = ""
    publisher_name: str | None = None
    date: str | None = None
    files: tuple[AttachedFile, ...] = ()
    page_url: str | None = None
    default_author: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedSubmission:
    """A submission's problems (empty when it may be published), the record it makes,
    and the recommended fields it leaves out."""

    problems: tuple[Problem, ...]
    record: Record
    missing_recommended: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def completeness(self) -> Completeness:
        return self.record.completeness

    def problems_by_field(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem)
        return grouped


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _term_ids(value: Any) -> list[str] | None:
    # Terms come as ids, or as {"id": ..., "label": ...} as in the record's JSON form.
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return None
    ids = []
    for item in value:
        if isinstance(item, str):
            ids.append(item.strip())
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            ids.append(str(item["id"]).strip())
        else:
            return None
    return list(dict.fromkeys(term_id for term_id in ids if term_id))


class _Checker:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []
        self.values: dict[str, Any] = {}

    def add(self, name: str, code: str, nl: str, en: str) -> None:
        self.problems.append(Problem(name, code, nl, en))

    def has_problem(self, name: str) -> bool:
        return any(problem.field == name for problem in self.problems)

    def run(self) -> None:
        for name in self.data:
            if name not in SUBMITTED_FIELDS:
                self.add(name, "unknown-field", f"Het veld {name!r} bestaat niet.", f"There is no field {name!r}.")
        self.values["title"] = self.text("title", TITLE_MAX)
        self.values["description"] = self.text("description", DESCRIPTION_MAX)
        self.keywords()
        self.languages()
        self.location()
        self.aggregation_level()
        self.vocabulary_list("learning_resource_types", VocabularyName.LEARNING_RESOURCE_TYPE)
        self.vocabulary_list("end_user_roles", VocabularyName.END_USER_ROLE)
        self.vocabulary_list("contexts", VocabularyName.CONTEXT)
        self.terms("educational_levels")
        self.terms("disciplines")
        self.objectives()
        self.age_range()
        self.learning_time()
        self.licence()
        self.authors()

    def text(self, name: str, limit: int) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(name, "invalid", "Vul hier tekst in.", "Enter text here.")
            return None
        value = value.strip()
        if len(value) > limit:
            self.problems.append(Problem.too_long(name, limit, len(value)))
            return None
        return value or None

    def keywords(self) -> None:
        words = _strings(self.data.get("keywords"))
        if words is None:
            self.add("keywords", "invalid", "Trefwoorden zijn een lijst met woorden.", "Keywords are a list of words.")
            return
        cleaned = list(dict.fromkeys(" ".join(word.split()) for word in words if word.strip()))
        if len(cleaned) > KEYWORDS_MAX:
            self.add("keywords", "too-many", f"Maximaal {KEYWORDS_MAX} trefwoorden.",
                     f"At most {KEYWORDS_MAX} keywords.")
        elif any(len(word) > KEYWORD_MAX for word in cleaned):
            self.add("keywords", "too-long", f"Een trefwoord is maximaal {KEYWORD_MAX} tekens.",
                     f"A keyword is at most {KEYWORD_MAX} characters.")
        self.values["keywords"] = tuple(cleaned[:KEYWORDS_MAX])

    def languages(self) -> None:
        languages = _strings(self.data.get("languages"))
        if languages is None:
            self.add("languages", "invalid", "Talen zijn een lijst met taalcodes.",
                     "Languages are a list of language codes.")
            return
        cleaned = [code.strip().lower() for code in languages if code.strip()]
        bad = [code for code in cleaned if not _LANGUAGE.match(code)]
        if bad:
            self.add("languages", "invalid", f"Geen taalcode: {', '.join(bad)} (gebruik bijv. nl of en).",
                     f"Not a language code: {', '.join(bad)} (use e.g. nl or en).")
            return
        self.values["languages"] = tuple(dict.fromkeys(cleaned))

    def location(self) -> None:
        location = self.text("location", LOCATION_MAX)
        if location is not None and not is_clean_web_url(location):
            self.add("location", "invalid-url", "Alleen een volledige http- of https-link is toegestaan.",
                     "Only a full http or https link is allowed.")
            location = None
        self.values["location"] = location

    def aggregation_level(self) -> None:
        value = self.data.get("aggregation_level")
        if value is None or value == "":
            return
        try:
            level = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
            level = 0
        if isinstance(value, bool) or level not in (1, 2, 3, 4):
            self.add("aggregation_level", "invalid", "De omvang (aggregatieniveau) is 1, 2, 3 of 4.",
                     "The size (aggregation level) is 1, 2, 3 or 4.")
            return
        self.values["aggregation_level"] = level

    def vocabulary_list(self, name: str, which: VocabularyName) -> None:
        values = _strings(self.data.get(name))
        if values is None:
            self.add(name, "invalid", "Dit is een lijst met waarden.", "This is a list of values.")
            return
        known: list[str] = []
        unknown: list[str] = []
        for raw in values:
            if raw.strip():
                value, ok = vocabulary(which).lookup(raw)
                (known if ok else unknown).append(value)
        if unknown:
            self.add(name, "unknown-value", f"Onbekende waarde: {', '.join(unknown)}.",
                     f"Unknown value: {', '.join(unknown)}.")
        self.values[name] = tuple(dict.fromkeys(known))

    def terms(self, name: str) -> None:
        ids = _term_ids(self.data.get(name))
        if ids is None:
            self.add(name, "invalid", "Dit is een lijst met begrippen.", "This is a list of terms.")
            return
        terms = [known_term(term_id) for term_id in ids]
        unknown = [term_id for term_id, term in zip(ids, terms, strict=True) if term is None]
        if unknown:
            self.add(name, "unknown-value", f"Onbekend begrip: {', '.join(unknown)}.",
                     f"Unknown term: {', '.join(unknown)}.")
        self.values[name] = tuple(dict.fromkeys(term for term in terms if term is not None))

    def objectives(self) -> None:
        ids = _term_ids(self.data.get("educational_objectives"))
        if ids is None:
            self.add("educational_objectives", "invalid", "Dit is een lijst met kerndoelen.",
                     "This is a list of core objectives.")
            return
        kerndoelen = [known_kerndoel(term_id) for term_id in ids]
        unknown = [term_id for term_id, kerndoel in zip(ids, kerndoelen, strict=True) if kerndoel is None]
        if unknown:
            self.add("educational_objectives", "unknown-value", f"Onbekend kerndoel: {', '.join(unknown)}.",
                     f"Unknown core objective: {', '.join(unknown)}.")
        self.values["educational_objectives"] = tuple(
            kerndoel.as_term() for kerndoel in kerndoelen if kerndoel is not None)

    def age_range(self) -> None:
        text = self.text("typical_age_range", 20)
        if text is None:
            return
        match = _AGE_RANGE.match(text)
        low = int(match.group(1)) if match else None
        high = int(match.group(2)) if match and match.group(2) else None
        if low is None or (high is not None and high < low):
            self.add("typical_age_range", "invalid", "Schrijf de leeftijd als 6-12 (of 16- voor 16 en ouder).",
                     "Write the age range as 6-12 (or 16- for 16 and older).")
            return
        self.values["typical_age_range"] = f"{low}-{high}" if high is not None else f"{low}-"

    def learning_time(self) -> None:
        value = self.data.get("typical_learning_time")
        if value is None or value == "":
            return
        try:
            minutes = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
            minutes = -1
        if isinstance(value, bool) or not 0 < minutes <= LEARNING_TIME_MAX_MINUTES:
            self.add("typical_learning_time", "invalid", "Geef de leertijd in hele minuten (bijv. 45).",
                     "Give the learning time in whole minutes (e.g. 45).")
            return
        self.values["typical_learning_time"] = minutes * 60

    def licence(self) -> None:
        value = self.data.get("licence")
        code = value.get("code") if isinstance(value, Mapping) else value
        if code is None or code == "":
            return
        if not isinstance(code, str) or code not in PUBLISHABLE_LICENCES or licence_terms(code) is None:
            self.add("licence", "unknown-value", "Kies een open licentie uit de lijst (Creative Commons, CC0 of "
                     "publiek domein).", "Choose an open licence from the list (Creative Commons, CC0 or "
                     "public domain).")
            return
        self.values["licence"] = Licence(code=code, url=canonical_url(code))

    def authors(self) -> None:
        names = _strings(self.data.get("authors"))
        if names is None:
            self.add("authors", "invalid", "Auteurs zijn een lijst met namen.", "Authors are a list of names.")
            return
        cleaned = list(dict.fromkeys(" ".join(name.split()) for name in names if name.strip()))
        if len(cleaned) > AUTHORS_MAX or any(len(name) > NAME_MAX for name in cleaned):
            self.add("authors", "too-long", f"Maximaal {AUTHORS_MAX} auteurs van elk {NAME_MAX} tekens.",
                     f"At most {AUTHORS_MAX} authors of {NAME_MAX} characters each.")
            return
        self.values["authors"] = tuple(cleaned)


def check_submission(data: Mapping[str, Any], context: PublisherContext | None = None) -> CheckedSubmission:
    """Check a submission and build the record it makes (with `context`, or a preview without one)."""
    context = context or PublisherContext()
    checker = _Checker(data)
    checker.run()
    values = checker.values
    record = _record(values, context)
    completeness = assess_completeness(record)
    for path in completeness.missing_required:
        name = _FIELD_OF_PATH.get(path)
        # Elements the repository supplies (catalog entry, cost) are not the publisher's to fix;
        # a field that already has a problem says what is wrong with it.
        if name is None or checker.has_problem(name):
            continue
        if name == "location" and context.files:
            continue
        nl, en = _REQUIRED_MESSAGES[name]
        checker.add(name, "required", nl, en)
    missing_recommended = tuple(
        _FIELD_OF_PATH[path] for path in completeness.missing_recommended if path in _FIELD_OF_PATH)
    problems = sorted(checker.problems, key=lambda p: _order(p.field))
    return CheckedSubmission(
        problems=tuple(problems),
        record=record.with_changes(completeness=completeness),
        missing_recommended=missing_recommended,
        values=values,
    )


def _order(name: str) -> int:
    return SUBMITTED_FIELDS.index(name) if name in SUBMITTED_FIELDS else len(SUBMITTED_FIELDS)


def _record(values: Mapping[str, Any], context: PublisherContext) -> Record:
    authors = values.get("authors") or ((context.default_author,) if context.default_author else ())
    contributors = [Contributor(role=AUTHOR_ROLE, name=name, date=context.date) for name in authors]
    if context.publisher_name:
        contributors.append(Contributor(role=PUBLISHER_ROLE, name=context.publisher_name, date=context.date))
    location = values.get("location") or (context.page_url if context.files else None)
    languages: tuple[str, ...] = values.get("languages", ())
    title = values.get("title")
    copied = {name: values[name] for name in (
        "description", "keywords", "aggregation_level", "learning_resource_types", "end_user_roles",
        "contexts", "educational_levels", "disciplines", "educational_objectives", "typical_age_range",
        "typical_learning_time", "licence") if name in values}
    return Record(
        oai_identifier=context.oai_identifier or None,
        datestamp=context.date,
        title=title,
        titles={languages[0] if languages else "x-none": title} if title else {},
        languages=languages,
        identifiers=(Identifier(context.catalog, context.entry),) if context.entry else (),
        location=location,
        formats=tuple(dict.fromkeys(f.media_type for f in context.files)),
        contributors=tuple(contributors),
        cost=False,
        **copied,
    )


def submission_of_record(record: Record) -> dict[str, Any]:
    """The submission a record makes (its publisher-set fields), e.g. to import NL-LOM or edit a version."""
    authors = [c.name for c in record.contributors if c.role == AUTHOR_ROLE and c.name]
    return {
        "title": record.title,
        "description": record.description,
        "keywords": list(record.keywords),
        "languages": list(record.languages),
        "location": record.location,
        "aggregation_level": record.aggregation_level,
        "learning_resource_types": list(record.learning_resource_types),
        "end_user_roles": list(record.end_user_roles),
        "contexts": list(record.contexts),
        "educational_levels": [term.id for term in record.educational_levels],
        "disciplines": [term.id for term in record.disciplines],
        "educational_objectives": [term.id for term in record.educational_objectives],
        "typical_age_range": record.typical_age_range,
        "typical_learning_time": record.typical_learning_time // 60 if record.typical_learning_time else None,
        "licence": record.licence.code if record.licence else None,
        "authors": authors,
    }

