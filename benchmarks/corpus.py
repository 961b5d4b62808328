"""A deterministic generator of realistic NL-LOM-like records for benchmarks. Pure; no I/O.

`generate(n)` yields `CorpusItem`s (a resource id, a `Record`, the sources
serving it, when it last changed): Dutch titles, descriptions and keywords
over the school subjects, OBK educational levels and disciplines, the NL-LOM
vocabularies for contexts, learning-resource types, licences, access rights
and cost, the way Wikiwijs/Edurep records look. The same `n` and `seed`
always give the same items, and item i does not depend on n, so a 10k corpus
is the first 10k of a 100k one. `record_to_ims_xml` writes a record as an
IMS-binding NL-LOM document (what Edurep serves as `lom`), for benchmarks of
the parsing side.

OBK ids: where DOMAIN knowledge gives the real UUID (PO, VO, havo, mbo, HBO,
WO, SO, Biologie, Rekenen, ...) it is used; for the other subjects and levels
the ids are synthetic (uuid5 of the label) and carry their label, which is
exactly how the product must treat an OBK id it does not know.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from metadata.record import Contributor, Identifier, Licence, Record, Term

DEFAULT_SEED = 20_240_601

_T = TypeVar("_T")

_SYNTHETIC_OBK = uuid.UUID("6f2c0d1e-8a0b-4c55-9d7e-0b1e2c3d4e5f")


def _synthetic(label: str) -> str:
    return str(uuid.uuid5(_SYNTHETIC_OBK, label))


LEVELS: dict[str, Term] = {
    "PO": Term("512e4729-03a4-43a2-95ba-758071d1b725", "PO"),
    "VO": Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "VO"),
    "havo": Term("a3ddbe60-8478-4204-b769-6f5e9f4cbca2", "havo"),
    "vmbo": Term(_synthetic("vmbo"), "vmbo"),
    "vwo": Term(_synthetic("vwo"), "vwo"),
    "BVE": Term("caa97efc-a713-41ea-a845-1534ca65eac9", "BVE"),
    "mbo": Term("f3ac3fbb-5eae-49e0-8494-0a44855fff25", "mbo"),
    "HBO": Term("be140797-803f-4b9e-81cc-5572c711e09c", "HBO"),
    "WO": Term("bbbd99c6-cf49-4980-baed-12388f8dcff4", "WO"),
    "SO": Term("e7f1c08f-08fb-48ab-be8e-c131b1bce54a", "SO"),
    "SBaO": Term("e05b5eb1-6a65-4f45-9556-79b25cd91da8", "SBaO"),
}

# Context (NL-LOM vocabulary) -> the OBK levels records in that context carry.
CONTEXT_LEVELS: dict[str, tuple[tuple[str, ...], ...]] = {
    "PO": (("PO",),),
    "SBaO": (("SBaO", "PO"),),
    "SO": (("SO",), ("SO", "PO")),
    "VO": (("VO",), ("VO", "havo"), ("VO", "vwo"), ("VO", "vmbo"), ("VO", "havo", "vwo")),
    "BVE": (("BVE", "mbo"), ("mbo",)),
    "HBO": (("HBO",),),
    "WO": (("WO",),),
}
CONTEXT_WEIGHTS: dict[str, int] = {
    "PO": 34, "VO": 40, "SO": 4, "SBaO": 2, "BVE": 12, "HBO": 6, "WO": 2,
}


@dataclass(frozen=True, slots=True)
class Subject:
    label: str
    id: str
    contexts: tuple[str, ...]
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    language: str = "nl"


SUBJECTS: tuple[Subject, ...] = (
    Subject(
        "Rekenen", "b48fa351-4561-44c7-a071-ebfd6103eec3", ("PO", "SBaO", "SO", "BVE"),
        ("Breuken", "Procenten", "Kommagetallen", "Tafels van vermenigvuldiging", "Meten en wegen",
         "Klokkijken", "Staafdiagrammen", "Verhoudingstabellen", "Cijferend delen", "Geld rekenen"),
        ("rekenen", "sommen", "getallen", "oefenen", "verhoudingen", "breuken"),
    ),
    Subject(
        "Wiskunde", _synthetic("Wiskunde"), ("VO", "BVE", "HBO"),
        ("Lineaire vergelijkingen", "De stelling van Pythagoras", "Kansrekening", "Goniometrie",
         "Kwadratische functies", "Differentiëren", "Statistiek", "Vectoren", "Exponentiële groei"),
        ("wiskunde", "algebra", "meetkunde", "formules", "grafieken", "functies"),
    ),
    Subject(
        "Biologie", "2b363227-8633-4652-ad57-c61f1efc02c8", ("VO", "HBO"),
        ("Fotosynthese", "De cel", "Voortplanting", "Ecosystemen", "Het menselijk lichaam",
         "Erfelijkheid", "Evolutie", "Het skelet", "Insecten", "Bloedsomloop"),
        ("biologie", "planten", "dieren", "organen", "natuur", "cellen"),
    ),
    Subject(
        "Natuur en techniek", _synthetic("Natuur en techniek"), ("PO", "SBaO"),
        ("Planten in de lente", "Het weer", "Magneten", "Drijven en zinken", "Dieren in de winter",
         "Het zonnestelsel", "Licht en schaduw", "Water en lucht"),
        ("natuur", "techniek", "proefjes", "onderzoeken", "seizoenen"),
    ),
    Subject(
        "Aardrijkskunde", _synthetic("Aardrijkskunde"), ("PO", "VO"),
        ("Rivieren", "Vulkanen", "Klimaatzones", "Azië", "Afrika", "Bevolkingsgroei", "De Randstad",
         "Aardbevingen", "Landschappen van Nederland", "Overstromingen", "Zuid-Amerika"),
        ("aardrijkskunde", "kaarten", "landen", "klimaat", "water", "wereld"),
    ),
    Subject(
        "Geschiedenis", _synthetic("Geschiedenis"), ("PO", "VO"),
        ("De Gouden Eeuw", "De Tweede Wereldoorlog", "De Romeinen", "De Middeleeuwen",
         "De Verlichting", "De Koude Oorlog", "De Tachtigjarige Oorlog", "De industriële revolutie",
         "De Franse Revolutie", "Slavernij en de VOC"),
        ("geschiedenis", "tijdvakken", "oorlog", "bronnen", "canon", "tijdlijn"),
    ),
    Subject(
        "Nederlands", _synthetic("Nederlands"), ("PO", "VO", "BVE", "SO"),
        ("Werkwoordspelling", "Begrijpend lezen", "Woordenschat", "Gedichten", "Zinsontleding",
         "Betogen schrijven", "De spreekbeurt", "Spelling", "Fictie en leesbevordering"),
        ("taal", "lezen", "schrijven", "spelling", "grammatica", "woorden"),
    ),
    Subject(
        "Engels", _synthetic("Engels"), ("PO", "VO"),
        ("Irregular verbs", "Reading comprehension", "Vocabulary: food and drinks",
         "Present perfect", "Writing a letter", "Pronunciation"),
        ("English", "grammar", "vocabulary", "reading", "speaking"),
        language="en",
    ),
    Subject(
        "Natuurkunde", _synthetic("Natuurkunde"), ("VO",),
        ("Elektriciteit", "Krachten en beweging", "Energie", "Licht en geluid", "Magnetisme",
         "Druk", "Radioactiviteit", "Golven"),
        ("natuurkunde", "proeven", "formules", "meten", "energie"),
    ),
    Subject(
        "Scheikunde", _synthetic("Scheikunde"), ("VO",),
        ("Atomen en moleculen", "Reactievergelijkingen", "Zuren en basen", "Redoxreacties",
         "Koolstofchemie", "Het periodiek systeem"),
        ("scheikunde", "stoffen", "reacties", "practicum", "chemie"),
    ),
    Subject(
        "Economie", _synthetic("Economie"), ("VO", "BVE"),
        ("Vraag en aanbod", "Geld en banken", "Inflatie", "De begroting", "Arbeidsmarkt",
         "Internationale handel"),
        ("economie", "geld", "markt", "ondernemen", "consumenten"),
    ),
    Subject(
        "Burgerschap", _synthetic("Burgerschap"), ("PO", "VO", "BVE"),
        ("Democratie", "De Tweede Kamer", "Mensenrechten", "Duurzaamheid", "Mediawijsheid",
         "Diversiteit in de klas"),
        ("burgerschap", "samenleving", "politiek", "rechten", "media"),
    ),
    Subject(
        "Informatica", _synthetic("Informatica"), ("VO", "BVE", "HBO"),
        ("Programmeren met Python", "Algoritmen", "Programmeren in Scratch", "Databases",
         "Netwerken", "Computational thinking"),
        ("programmeren", "ict", "digitale geletterdheid", "code", "computers"),
    ),
    Subject(
        "Muziek", _synthetic("Muziek"), ("PO", "VO"),
        ("Notenschrift", "Ritme en maat", "Muziekinstrumenten", "Zingen in de klas", "Componeren"),
        ("muziek", "zingen", "ritme", "instrumenten"),
    ),
    Subject(
        "Zorg en welzijn", _synthetic("Zorg en welzijn"), ("BVE",),
        ("Hygiëne in de zorg", "EHBO", "Communicatie met cliënten", "Medicijnen toedienen",
         "Zorgplan opstellen"),
        ("zorg", "welzijn", "cliënten", "verpleging", "beroepspraktijk"),
    ),
    Subject(
        "Geneeskunde", "5c98610c-3f7d-4521-b231-d0932b4ca799", ("HBO", "WO"),
        ("Anatomie van het hart", "Het zenuwstelsel", "Farmacologie", "Klinisch redeneren"),
        ("anatomie", "geneeskunde", "fysiologie", "medisch"),
    ),
)

LEARNING_RESOURCE_TYPES: tuple[tuple[str, int], ...] = (
    ("informatiebron", 30), ("open opdracht", 18), ("gesloten opdracht", 18),
    ("evaluatie- en toetsmateriaal", 10), ("handleiding", 6), ("gereedschap", 3),
    ("verkennings- en onderzoeksmateriaal", 10), ("professionaliseringsmateriaal", 5),
)
LICENCES: tuple[tuple[str, str | None, int], ...] = (
    ("cc-by-40", "https://creativecommons.org/licenses/by/4.0/", 28),
    ("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/", 30),
    ("cc-by-30", "https://creativecommons.org/licenses/by/3.0/nl/", 6),
    ("cc-by-sa-30", "https://creativecommons.org/licenses/by-sa/3.0/nl/", 6),
    ("cc-by-nc-40", "https://creativecommons.org/licenses/by-nc/4.0/", 4),
    ("cc-by-nc-sa-40", "https://creativecommons.org/licenses/by-nc-sa/4.0/", 8),
    ("cc-by-nd-40", "https://creativecommons.org/licenses/by-nd/4.0/", 3),
    ("cc-by-nc-nd-40", "https://creativecommons.org/licenses/by-nc-nd/4.0/", 4),
    ("cc0-10", "https://creativecommons.org/publicdomain/zero/1.0/", 4),
    ("pdm-10", "https://creativecommons.org/publicdomain/mark/1.0/", 1),
    ("yes", None, 6),
)
SOURCES: tuple[tuple[str, int], ...] = (
    ("wikiwijsmaken", 45), ("WikiwijsDelen", 15), ("edurep_delen", 10), ("surfsharekit", 8),
    ("l4l", 4), ("school-stedelijk-lyceum", 3), ("school-de-regenboog", 3),
    ("school-het-baken", 2), ("anatomytool", 2),
)
ACCESS_RIGHTS: tuple[tuple[str, int], ...] = (
    ("OpenAccess", 90), ("RestrictedAccess", 8), ("ClosedAccess", 2),
)
LANGUAGES_FOR_NL: tuple[tuple[str, int], ...] = (("nl", 95), ("fy", 2), ("de", 1), ("en", 2))

FIRST_NAMES = (
    "Anna", "Daan", "Emma", "Lucas", "Sanne", "Thijs", "Fleur", "Bram", "Lotte", "Sem", "Noor",
    "Jesse", "Iris", "Ruben", "Femke", "Mohammed", "Fatima", "Kevin", "Esther", "Wouter",
    "Yasmina", "Pieter", "Marieke", "Joost", "Ilse",
)
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "El Amrani", "Yılmaz", "Çelik", "Öztürk", "Kuipers",  # noqa: RUF001 - the Turkish dotless i
)
PUBLISHERS = (
    "Wikiwijs", "Stichting Leerplan Ontwikkeling", "Kennisnet", "Stedelijk Lyceum",
    "Basisschool De Regenboog", "OSG Het Baken", "Hogeschool Utrecht", "ROC Midden Nederland",
)

TITLE_TEMPLATES = (
    "{topic}", "{topic}", "{topic} voor {audience}", "Les {n}: {topic_lower}",
    "Oefenen met {topic_lower}", "Werkblad {topic_lower}", "Introductie in {topic_lower}",
    "Toets: {topic_lower}", "{topic} - {subject_lower} {audience}", "Alles over {topic_lower}",
    "{topic} in de praktijk", "Leren over {topic_lower} ({level})",
)
ARRANGEMENT_TEMPLATES = (
    "Arrangement {topic_lower}", "Lessenserie {topic_lower} voor {audience}",
    "{subject}: {topic_lower} (complete module)",
)
DESCRIPTION_SENTENCES = (
    "In deze les leren leerlingen over {topic_lower}.",
    "De opdrachten sluiten aan bij de kerndoelen voor {subject_lower}.",
    "Met uitleg, oefeningen en een korte toets over {keyword}.",
    "Geschikt voor {audience}; leerlingen werken zelfstandig of in tweetallen.",
    "Inclusief docentenhandleiding, antwoorden en tips voor differentiatie.",
    "Bevat video's en interactieve opdrachten over {keyword}.",
    "Leerlingen onderzoeken {topic_lower} aan de hand van voorbeelden uit het dagelijks leven.",
    "Het materiaal is gemaakt door docenten en vrij te gebruiken en aan te passen.",
    "Na afloop kunnen leerlingen uitleggen wat {topic_lower} betekent.",
    "Ook bruikbaar als herhaling voor de toetsweek.",
)
EN_TITLE_TEMPLATES = (
    "{topic}", "{topic} practice", "Worksheet: {topic_lower}", "Lesson {n}: {topic_lower}",
    "{topic} for {audience}",
)
EN_DESCRIPTION_SENTENCES = (
    "In this lesson students practise {topic_lower}.",
    "Includes exercises, answers and a short quiz on {keyword}.",
    "Suitable for {audience}.",
)
AUDIENCES = {
    "PO": ("groep 5", "groep 6", "groep 7", "groep 8", "de bovenbouw"),
    "SBaO": ("het speciaal basisonderwijs", "groep 6"),
    "SO": ("het speciaal onderwijs",),
    "VO": ("de onderbouw", "havo 4", "vwo 5", "vmbo-tl 3", "klas 1", "klas 2"),
    "BVE": ("mbo niveau 2", "mbo niveau 3", "mbo niveau 4"),
    "HBO": ("eerstejaars studenten", "de lerarenopleiding"),
    "WO": ("bachelorstudenten",),
}
EN_AUDIENCES = ("year 7", "year 8", "beginners", "group 7 and 8")
AGE_RANGES = {
    "PO": ("6-8", "8-10", "10-12"), "SBaO": ("8-12",), "SO": ("6-12", "12-18"),
    "VO": ("12-14", "14-16", "16-18"), "BVE": ("16-20",), "HBO": ("18-",), "WO": ("18-",),
}

# The corpus's timeline: harvests in batches, so many resources share an
# `updated_at` (exactly as after a real harvest run), which paging must handle.
_EPOCH = datetime(2016, 1, 4, 6, 0, tzinfo=UTC)
_HARVEST_RUNS = 3_000
_RUN_SPACING = timedelta(hours=23, minutes=17)


@dataclass(frozen=True, slots=True)
class CorpusItem:
    """One generated resource: what the store would hand the search indexer."""

    resource_id: str
    record: Record
    sources: tuple[str, ...]
    updated_at: datetime


def generate(n: int, seed: int = DEFAULT_SEED) -> Iterator[CorpusItem]:
    """Yield `n` items; item i is the same whatever `n` is."""
    for index in range(n):
        yield item(index, seed)


def records(n: int, seed: int = DEFAULT_SEED) -> Iterator[Record]:
    for corpus_item in generate(n, seed):
        yield corpus_item.record


def item(index: int, seed: int = DEFAULT_SEED) -> CorpusItem:
    """The corpus item at `index`."""
    rng = random.Random(seed * 1_000_003 + index)
    resource_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    subject = rng.choice(SUBJECTS)
    context = _weighted(rng, [(c, CONTEXT_WEIGHTS[c]) for c in subject.contexts])
    level_names = rng.choice(CONTEXT_LEVELS[context])
    topic = rng.choice(subject.topics)
    aggregation_level = _weighted(rng, ((1, 5), (2, 60), (3, 30), (4, 5)))
    english = subject.language == "en"
    audience = rng.choice(EN_AUDIENCES if english else AUDIENCES[context])
    values = {
        "topic": topic,
        "topic_lower": topic.lower() if english else _lower_first(topic),
        "subject": subject.label,
        "subject_lower": subject.label.lower(),
        "audience": audience,
        "level": LEVELS[level_names[-1]].label or context,
        "n": str(rng.randint(1, 12)),
        "keyword": rng.choice(subject.keywords),
    }
    templates: tuple[str, ...]
    if english:
        templates = EN_TITLE_TEMPLATES
    else:
        templates = ARRANGEMENT_TEMPLATES if aggregation_level >= 3 else TITLE_TEMPLATES
    title = rng.choice(templates).format(**values)
    sentences = EN_DESCRIPTION_SENTENCES if english else DESCRIPTION_SENTENCES
    description = " ".join(
        s.format(**values) for s in rng.sample(sentences, k=min(len(sentences), rng.randint(2, 4)))
    )
    keywords = tuple(
        dict.fromkeys([topic.lower(), *rng.sample(subject.keywords, k=rng.randint(1, 3))])
    )
    language = (
        subject.language if subject.language != "nl" else _weighted(rng, LANGUAGES_FOR_NL)
    )
    code, url, _ = _weighted_row(rng, LICENCES)
    source = _weighted(rng, SOURCES)
    sources: tuple[str, ...] = (source,) if rng.random() > 0.06 else (source, "edurep_delen")
    sources = tuple(dict.fromkeys(sources))
    run = rng.randrange(_HARVEST_RUNS)
    updated_at = _EPOCH + run * _RUN_SPACING
    published = updated_at - timedelta(days=rng.randint(0, 900))
    authors = [
        Contributor("author", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    published.date().isoformat())
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
    ]
    contributors = (*authors, Contributor("publisher", rng.choice(PUBLISHERS), None))
    location = f"https://maken.wikiwijs.nl/{rng.randint(10_000, 999_999)}/{_slug(title)}"
    learning_resource_types = tuple(
        dict.fromkeys(_weighted(rng, LEARNING_RESOURCE_TYPES) for _ in range(rng.choice((1, 1, 2))))
    )
    fmt = (
        "application/x-Wikiwijs-Arrangement"
        if aggregation_level >= 3 and source.startswith("wikiwijs")
        else rng.choice(("text/html", "text/html", "application/pdf", "video/mp4"))
    )
    record = Record(
        oai_identifier=f"oai:{source}:{resource_id}",
        datestamp=updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        title=title,
        titles={"nl" if language != "en" else "en": title},
        description=description,
        keywords=keywords,
        languages=(language,),
        identifiers=(Identifier("URI", location), Identifier("UUID", f"urn:uuid:{resource_id}")),
        location=location,
        formats=(fmt,),
        aggregation_level=aggregation_level,
        learning_resource_types=learning_resource_types,
        end_user_roles=("learner",) if rng.random() < 0.7 else ("learner", "teacher"),
        contexts=(context,),
        educational_levels=tuple(LEVELS[name] for name in level_names),
        disciplines=(Term(subject.id, subject.label),),
        typical_age_range=rng.choice(AGE_RANGES[context]),
        typical_learning_time=rng.choice((None, 30, 45, 50, 60, 90, 120)),
        cost=rng.random() < 0.03,
        licence=Licence(code, url),
        access_rights=_weighted(rng, ACCESS_RIGHTS),
        contributors=contributors,
    )
    return CorpusItem(resource_id, record, sources, updated_at)


def _weighted(rng: random.Random, choices: Sequence[tuple[_T, int]]) -> _T:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights=weights, k=1)[0]


def _weighted_row(
    rng: random.Random, rows: Sequence[tuple[str, str | None, int]]
) -> tuple[str, str | None, int]:
    return rng.choices(list(rows), weights=[row[2] for row in rows], k=1)[0]


def _lower_first(text: str) -> str:
    # Keep proper nouns (Azië, De Gouden Eeuw's "Gouden Eeuw") as they are.
    first, _, rest = text.partition(" ")
    if first in ("De", "Het", "Een"):
        return first.lower() + (" " + rest if rest else "")
    if first[:1].isupper() and first not in ("Azië", "Afrika", "Zuid-Amerika", "Python", "Scratch"):
        return text[:1].lower() + text[1:]
    return text


def _slug(title: str) -> str:
    return "-".join("".join(ch for ch in word if ch.isalnum()) for word in title.lower().split())[:60]


# -- IMS NL-LOM XML ---------------------------------------------------------------

IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VOCABULARY = {
    "aggregationlevel": "http://purl.edustandaard.nl/vdex_aggregationlevel_czp_20060628.xml",
    "learningresourcetype": "http://purl.edustandaard.nl/vdex_learningresourcetype_czp_20060628.xml",
    "intendedenduserrole": "http://purl.edustandaard.nl/vdex_intendedenduserrole_lomv1p0_20060628.xml",
    "context": "http://purl.edustandaard.nl/vdex_context_czp_20060628.xml",
    "cost": "http://purl.edustandaard.nl/vdex_cost_lomv1p0_20060628.xml",
    "copyrightandotherrestrictions":
        "https://purl.edustandaard.nl/copyrightsandotherrestrictions_nllom_20180530",
    "purpose": "http://purl.edustandaard.nl/classification_purpose_nllom_20180530",
    "taxonpath": "http://purl.edustandaard.nl/begrippenkader",
    "accessrights": "http://purl.edustandaard.nl/classification_accessrights_nllom_20180530",
}


def record_to_ims_xml(record: Record) -> bytes:
    """The record as an NL-LOM document in the IMS binding (`lom`, as Edurep serves it)."""
    from lxml import etree  # benchmarks of the record side need no XML library

    def el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, f"{{{IMSMD}}}{name}")
        if text is not None:
            child.text = text
        return child

    def langstring(parent: etree._Element, name: str, text: str, lang: str = "nl") -> None:
        node = el(parent, name)
        el(node, "langstring", text).set(XML_LANG, lang)

    def vocab(parent: etree._Element, name: str, value: str, source: str) -> None:
        node = el(parent, name)
        el(el(node, "source"), "langstring", source).set(XML_LANG, "x-none")
        el(el(node, "value"), "langstring", value).set(XML_LANG, "x-none")

    lang = record.languages[0] if record.languages else "nl"
    root = etree.Element(f"{{{IMSMD}}}lom", nsmap={None: IMSMD})
    general = el(root, "general")
    langstring(general, "title", record.title or "", lang)
    for identifier in record.identifiers:
        entry = el(general, "catalogentry")
        el(entry, "catalog", identifier.catalog)
        el(el(entry, "entry"), "langstring", identifier.entry).set(XML_LANG, "x-none")
    for language in record.languages:
        el(general, "language", language)
    if record.description:
        langstring(general, "description", record.description, lang)
    for keyword in record.keywords:
        langstring(general, "keyword", keyword, lang)
    if record.aggregation_level is not None:
        vocab(general, "aggregationlevel", str(record.aggregation_level),
              VOCABULARY["aggregationlevel"])
    lifecycle = el(root, "lifecycle")
    for contributor in record.contributors:
        contribute = el(lifecycle, "contribute")
        vocab(contribute, "role", contributor.role, "LOMv1.0")
        if contributor.name:
            vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:{contributor.name}\nEND:VCARD"
            el(el(contribute, "centity"), "vcard", vcard)
        if contributor.date:
            el(el(contribute, "date"), "datetime", contributor.date)
    metametadata = el(root, "metametadata")
    el(metametadata, "metadatascheme", "LOMv1.0")
    el(metametadata, "metadatascheme", "nl_lom_v1p0")
    technical = el(root, "technical")
    for fmt in record.formats:
        el(technical, "format", fmt)
    if record.location:
        el(technical, "location", record.location).set("type", "URI")
    educational = el(root, "educational")
    for kind in record.learning_resource_types:
        vocab(educational, "learningresourcetype", kind, VOCABULARY["learningresourcetype"])
    for role in record.end_user_roles:
        vocab(educational, "intendedenduserrole", role, VOCABULARY["intendedenduserrole"])
    for context in record.contexts:
        vocab(educational, "context", context, VOCABULARY["context"])
    if record.typical_age_range:
        langstring(educational, "typicalagerange", record.typical_age_range, "x-none")
    if record.typical_learning_time:
        el(el(educational, "typicallearningtime"), "datetime",
           f"PT{record.typical_learning_time // 60}H{record.typical_learning_time % 60}M")
    rights = el(root, "rights")
    vocab(rights, "cost", "yes" if record.cost else "no", VOCABULARY["cost"])
    if record.licence:
        vocab(rights, "copyrightandotherrestrictions", record.licence.code,
              VOCABULARY["copyrightandotherrestrictions"])
        if record.licence.url:
            langstring(rights, "description", record.licence.url, "x-none")
    for purpose, terms in (("discipline", record.disciplines),
                           ("educational level", record.educational_levels)):
        if not terms:
            continue
        classification = el(root, "classification")
        vocab(classification, "purpose", purpose, VOCABULARY["purpose"])
        for term in terms:
            path = el(classification, "taxonpath")
            el(el(path, "source"), "langstring", VOCABULARY["taxonpath"]).set(XML_LANG, "x-none")
            taxon = el(path, "taxon")
            el(taxon, "id", term.id)
            if term.label:
                langstring(taxon, "entry", term.label)
    if record.access_rights:
        classification = el(root, "classification")
        vocab(classification, "purpose", "access rights", VOCABULARY["purpose"])
        path = el(classification, "taxonpath")
        el(el(path, "source"), "langstring", VOCABULARY["accessrights"]).set(XML_LANG, "x-none")
        el(el(path, "taxon"), "id", record.access_rights)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
