"""The bundled sample data of `oer demo`, written as OAI-PMH ListRecords pages. I/O: reads fixtures, writes files.

Run `.venv/bin/python -m benchmarks.sample` to (re)write `schemas/sample/`;
the files are committed, so the demo generates nothing at run time, and a
test checks that the committed files are exactly what this module writes.

Two sources, each a chain of ListRecords pages linked by resumption tokens:

- `wikiwijs-sample` (`lom`, NL-LOM in the IMS binding, as Edurep serves it):
  generated sample materials in pages of 25, followed by the two REAL Edurep
  pages of `tests/data/fixtures/oai/edurep/` copied byte for byte (the last
  generated page's token leads to the first real page, whose own token leads
  to the second one, which ends the list).
- `schoolrepo-sample` (`nl_lom`, the IEEE binding): generated materials of a
  fictitious school board's repository (po, vo and so schools), pages of 20.

Every generated material says so: the keyword `voorbeeldmateriaal`, a last
line "Gegenereerd voorbeeldmateriaal ..." in its description, and the catalog
`oer-sample` of its identifier; their links point to the reserved `.example`
domain (RFC 2606). They are written from `Record`s by the product's own
serialiser (`metadata.formats`). A few cover what a demo must show: school
materials that share a location with a Wikiwijs one (one resource, two
sources), arrangements (aggregation level 3) with `haspart` relations to
other sample materials, one all-rights-reserved material, and deleted
records. Discipline ids are real OBK UUIDs where `schemas/vocabularies/obk.json`
knows them (Rekenen, Biologie, Verkeer) and otherwise the synthetic ids of
`benchmarks.corpus` (uuid5 of the label), which carry their label.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from benchmarks.corpus import FIRST_NAMES, LAST_NAMES, SUBJECTS
from harvester.replay_pages import (
    ReplayRequest,
    list_records_body,
    record_element,
    resumption_token_element,
)
from metadata.formats import LOM, NL_LOM, MetadataFormat, record_to_element
from metadata.licence import canonical_url
from metadata.record import Contributor, Identifier, Licence, Record, Relation, Term

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "schemas" / "sample"
EDUREP_FIXTURES = ROOT / "tests" / "data" / "fixtures" / "oai" / "edurep"
EDUREP_PAGES = ("edurep-oaipmh.initial.0.xml", "edurep-oaipmh.initial.1.xml")
LICENCE_FILE = ROOT / "tests" / "data" / "fixtures" / "licenses" / "search-portal-LICENSE.txt"

SEED = 20_240_902
CATALOG = "oer-sample"
LABEL_KEYWORD = "voorbeeldmateriaal"
LABEL_LINE = (
    "Gegenereerd voorbeeldmateriaal voor de demo van deze repository: de beschrijving is "
    "verzonnen en de link wijst niet naar echt lesmateriaal."
)
LABEL_LINE_REAL_LINK = (
    "Gegenereerd voorbeeldmateriaal voor de demo van deze repository: de beschrijving is "
    "verzonnen, de link wijst naar een bestaande video."
)
RESPONSE_DATE = datetime(2024, 9, 2, 8, 0, tzinfo=UTC)
_IDS = uuid.UUID("3b0f5a52-6c1e-4d0a-9f5e-5a1d2c3b4a59")

# OBK educational levels (real ids, from schemas/vocabularies/obk.json).
PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
GROEP_1 = Term("82ca4442-246c-44b3-a562-7b101793feb4", "Groep 1")
GROEP_2 = Term("c007e4dd-a3d4-4f33-902d-778e3bbeeddb", "Groep 2")
GROEP_3 = Term("25a2f4f4-cf91-4b16-94bc-6d9e6fad88f4", "Groep 3")
GROEP_4 = Term("5c072b3f-7f58-40ee-9799-27981f0a6b2b", "Groep 4")
VO = Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "Voortgezet onderwijs")
HAVO = Term("a3ddbe60-8478-4204-b769-6f5e9f4cbca2", "HAVO")
VMBO = Term("c7942bb1-bf4f-409f-bc98-9a0b02f175dc", "VMBO")
SO = Term("e7f1c08f-08fb-48ab-be8e-c131b1bce54a", "Speciaal onderwijs")
SBAO = Term("e05b5eb1-6a65-4f45-9556-79b25cd91da8", "Speciaal basisonderwijs")

_SUBJECT_IDS = {subject.label: subject.id for subject in SUBJECTS}
# Verkeer is a real OBK discipline (schemas/vocabularies/obk.json); the corpus has no such subject.
_SUBJECT_IDS["Verkeer"] = "d45cf1d7-3d8e-476a-a4ef-a39440820199"

CONTEXT_LEVELS = {"PO": (PO,), "VO": (VO,), "SO": (SO,)}
DEFAULT_AGES = {"PO": "6-12", "VO": "12-16", "SO": "6-14"}
ARRANGEMENT_FORMAT = "application/x-Wikiwijs-Arrangement"

KIND_SENTENCES = {
    "informatiebron": "Met uitleg, afbeeldingen en een korte samenvatting.",
    "open opdracht": "Leerlingen werken in tweetallen aan een opdracht met een eigen uitwerking.",
    "gesloten opdracht": "Met oefeningen op drie niveaus en de antwoorden voor de leerkracht.",
    "evaluatie- en toetsmateriaal": "Met antwoordmodel en een overzicht van de leerdoelen per vraag.",
    "handleiding": "Een handleiding voor de leraar met tips voor de voorbereiding en differentiatie.",
    "gereedschap": "Een hulpmiddel dat leerlingen zelfstandig in de les gebruiken.",
    "verkennings- en onderzoeksmateriaal": "Leerlingen doen zelf een klein onderzoek en presenteren hun bevindingen.",
    "professionaliseringsmateriaal": "Voor leraren die hun eigen lespraktijk willen versterken.",
}


@dataclass(frozen=True, slots=True)
class Material:
    """One generated sample material, as the table below writes it."""

    key: str
    subject: str
    context: str
    title: str
    text: str
    kind: str
    keywords: str
    levels: tuple[Term, ...] = ()
    age: str | None = None
    minutes: int | None = None
    aggregation: int = 2
    parts: tuple[str, ...] = ()
    licence: str | None = None
    # Another material this one is (a key in either source, or the URL of a real Edurep record):
    # the record carries that material's location and, as a second catalog entry, its identifier,
    # as a school does that lists a material it took from Wikiwijs. A shared identifier is what
    # makes two sources' records one material; a shared URL alone does not.
    same_as: str | None = None
    fmt: str = "text/html"
    roles: tuple[str, ...] = ("learner",)
    languages: tuple[str, ...] = ("nl",)


M = Material

WIKIWIJS: tuple[Material, ...] = (
    # -- po: rekenen
    M("breuken-vergelijken", "Rekenen", "PO", "Breuken vergelijken met de breukenstok",
      "Leerlingen vergelijken breuken met gelijke en ongelijke noemers met behulp van een breukenstok "
      "en leggen uit welke breuk groter is.", "gesloten opdracht", "breuken, breukenstok",
      age="9-10", minutes=45, licence="cc-by-sa-40"),
    M("breuken-optellen", "Rekenen", "PO", "Breuken optellen en aftrekken",
      "Stap voor stap leren leerlingen breuken gelijknamig maken en daarna optellen en aftrekken.",
      "gesloten opdracht", "breuken, gelijknamig maken", age="10-11", minutes=50, licence="cc-by-40"),
    M("breuken-pizza", "Rekenen", "PO", "Verhaalsommen met breuken: pizza's eerlijk delen",
      "Hoeveel pizza krijgt ieder kind als vier kinderen drie pizza's delen? Leerlingen tekenen en "
      "rekenen hun oplossing uit.", "open opdracht", "breuken, verhaalsommen, delen",
      age="9-11", minutes=45, licence="cc-by-sa-40"),
    M("toets-breuken", "Rekenen", "PO", "Toets breuken groep 6",
      "Een toets van twintig vragen over breuken benoemen, vergelijken en optellen.",
      "evaluatie- en toetsmateriaal", "breuken, toets", age="9-10", minutes=30, licence="cc-by-40"),
    M("lessenserie-breuken", "Rekenen", "PO", "Lessenserie breuken voor groep 6",
      "Vier lessen over breuken, van de breukenstok tot verhaalsommen, afgesloten met een toets.",
      "informatiebron", "breuken, lessenserie", age="9-10", minutes=200, aggregation=3,
      parts=("breuken-vergelijken", "breuken-optellen", "breuken-pizza", "toets-breuken"),
      licence="cc-by-sa-40", fmt=ARRANGEMENT_FORMAT, roles=("learner", "teacher")),
    M("tafels-oefenen", "Rekenen", "PO", "Tafels van vermenigvuldiging oefenen (tafel 6 tot en met 9)",
      "Korte dagelijkse oefeningen en een tafeldiploma om de lastige tafels te automatiseren.",
      "gesloten opdracht", "tafels, vermenigvuldigen, automatiseren", age="7-9", minutes=15,
      licence="cc0-10"),
    M("klokkijken", "Rekenen", "PO", "Klokkijken: hele en halve uren",
      "Leerlingen lezen de analoge klok af en koppelen tijden aan hun eigen dagritme.",
      "gesloten opdracht", "klokkijken, tijd", levels=(PO, GROEP_4), age="7-8", minutes=30,
      licence="cc-by-40"),
    M("procenten-korting", "Rekenen", "PO", "Procenten in de winkel: rekenen met korting",
      "Met folders uit de supermarkt berekenen leerlingen kortingen en vergelijken ze aanbiedingen.",
      "open opdracht", "procenten, geld, korting", age="11-12", minutes=60, licence="cc-by-nc-sa-40"),
    M("omtrek-oppervlakte", "Rekenen", "PO", "Omtrek en oppervlakte van je klaslokaal",
      "Leerlingen meten het lokaal op, maken een plattegrond op schaal en berekenen omtrek en oppervlakte.",
      "verkennings- en onderzoeksmateriaal", "meten, omtrek, oppervlakte", age="10-12", minutes=90,
      licence="cc-by-sa-40"),
    # -- po: taal
    M("hoofdgedachte", "Nederlands", "PO", "Begrijpend lezen: de hoofdgedachte vinden",
      "Aan de hand van korte nieuwsberichten oefenen leerlingen het vinden van de hoofdgedachte en "
      "het onderscheiden van hoofd- en bijzaken.", "gesloten opdracht", "begrijpend lezen, hoofdgedachte",
      age="10-12", minutes=45, licence="cc-by-sa-40"),
    M("voltooid-deelwoord", "Nederlands", "PO", "Werkwoordspelling: het voltooid deelwoord (d of t?)",
      "Met 't kofschip en veel oefenzinnen leren leerlingen wanneer een voltooid deelwoord op d of t eindigt.",
      "gesloten opdracht", "werkwoordspelling, spelling, t kofschip", age="10-12", minutes=30,
      licence="cc-by-40"),
    M("woorden-weer", "Nederlands", "PO", "Woordenschat: woorden over het weer",
      "Plaatjes, woordkaarten en een woordweb rond het thema weer voor de onderbouw.",
      "informatiebron", "woordenschat, weer", levels=(PO, GROEP_4), age="7-8", minutes=30,
      licence="cc-by-sa-40"),
    M("spreekbeurt", "Nederlands", "PO", "Een spreekbeurt voorbereiden in vijf stappen",
      "Van onderwerp kiezen tot oefenen voor publiek: een stappenplan met checklist voor leerlingen.",
      "open opdracht", "spreekbeurt, presenteren, spreken", age="9-12", licence="cc-by-sa-40"),
    M("gedichten", "Nederlands", "PO", "Gedichten schrijven in groep 7",
      "Leerlingen lezen gedichten van bekende kinderdichters en schrijven zelf een elfje en een acrostichon.",
      "open opdracht", "gedichten, schrijven, poëzie", age="10-11", minutes=60, licence="cc-by-nc-40"),
    M("boekenkring", "Nederlands", "PO", "Leesbevordering: een boekenkring opzetten",
      "Hoe organiseer je een boekenkring waarin leerlingen elkaar boeken aanraden? Met gespreksvragen.",
      "handleiding", "leesbevordering, lezen, boekenkring", age="8-12", licence="cc-by-40",
      roles=("teacher",)),
    M("ei-ij", "Nederlands", "PO", "Spelling: woorden met ei en ij",
      "Rijmpjes, een memoryspel en dictees om de lange en korte ij te leren onderscheiden.",
      "gesloten opdracht", "spelling, ei, ij", age="8-9", minutes=20, licence="cc-by-sa-40"),
    # -- po: aardrijkskunde
    M("rivieren-nederland", "Aardrijkskunde", "PO", "De grote rivieren van Nederland",
      "Waar komen de Rijn, de Maas en de Waal vandaan en waar stromen ze naartoe? Met kaarten en "
      "een filmpje over hoogwater.", "informatiebron", "rivieren, water, kaarten", age="9-10",
      minutes=45, licence="cc-by-sa-40"),
    M("provincies", "Aardrijkskunde", "PO", "Topografie: de provincies van Nederland",
      "Oefenkaarten en een quiz om de twaalf provincies en hun hoofdsteden te leren.",
      "gesloten opdracht", "topografie, provincies, kaarten", age="8-10", minutes=20,
      licence="cc-by-40"),
    M("vulkanen", "Aardrijkskunde", "PO", "Vulkanen en aardbevingen",
      "Hoe ontstaat een vulkaan en waarom beeft de aarde? Uitleg met doorsneden en een proefje met "
      "bakpoeder.", "informatiebron", "vulkanen, aardbevingen, aardkorst", age="10-12", minutes=60,
      licence="cc-by-sa-40"),
    M("kaartlezen", "Aardrijkskunde", "PO", "Kaartlezen met legenda en windroos",
      "Leerlingen zoeken routes op een kaart van hun eigen wijk en gebruiken de legenda en de windroos.",
      "open opdracht", "kaartlezen, windroos, legenda", age="8-10", minutes=45, licence="cc-by-nd-40"),
    M("polder", "Aardrijkskunde", "PO", "Leven onder zeeniveau: de polder",
      "Waarom blijven onze voeten droog? Leerlingen onderzoeken dijken, gemalen en de Deltawerken.",
      "verkennings- en onderzoeksmateriaal", "polder, water, deltawerken", age="10-12", minutes=90,
      licence="cc-by-sa-40"),
    # -- po: geschiedenis
    M("voc", "Geschiedenis", "PO", "De Gouden Eeuw: handel met de VOC",
      "Over de schepen, de handel in specerijen en de schaduwkanten van de Verenigde Oost-Indische "
      "Compagnie.", "informatiebron", "gouden eeuw, voc, handel", age="10-11", minutes=45,
      licence="cc-by-sa-40"),
    M("nachtwacht", "Geschiedenis", "PO", "Rembrandt en de Nachtwacht",
      "Leerlingen bekijken het schilderij in detail en zoeken uit wie de schutters waren.",
      "open opdracht", "rembrandt, schilderkunst, gouden eeuw", age="10-11", minutes=45,
      licence="cc-by-40"),
    M("tijdlijn-gouden-eeuw", "Geschiedenis", "PO", "Tijdlijn: de Gouden Eeuw in tien gebeurtenissen",
      "Leerlingen zetten tien gebeurtenissen in de goede volgorde en verbinden ze met de canon.",
      "gesloten opdracht", "tijdlijn, canon, gouden eeuw", age="10-11", minutes=30,
      licence="cc-by-sa-40"),
    M("module-gouden-eeuw", "Geschiedenis", "PO", "Module De Gouden Eeuw (groep 7)",
      "Drie lessen over de Gouden Eeuw: de VOC, Rembrandt en een tijdlijn om het geheel te ordenen.",
      "informatiebron", "gouden eeuw, module", age="10-11", minutes=135, aggregation=3,
      parts=("voc", "nachtwacht", "tijdlijn-gouden-eeuw"), licence="cc-by-sa-40",
      fmt=ARRANGEMENT_FORMAT, roles=("learner", "teacher")),
    M("prehistorie", "Geschiedenis", "PO", "Jagers en boeren: de prehistorie",
      "Hoe leefden de eerste mensen in Nederland? Over hunebedden, vuursteen en de eerste boeren.",
      "informatiebron", "prehistorie, hunebedden, jagers", age="8-9", minutes=45, licence="cc-by-40"),
    M("romeinen-rijn", "Geschiedenis", "PO", "De Romeinen aan de Rijn",
      "Over de limes, legerkampen en wat de Romeinen ons nalieten, met een speurtocht langs vondsten.",
      "informatiebron", "romeinen, limes", age="8-10", minutes=45, licence="cc-by-sa-40"),
    M("oorlog-in-de-straat", "Geschiedenis", "PO", "De Tweede Wereldoorlog in onze straat",
      "Leerlingen interviewen buurtbewoners en zoeken in het archief naar sporen van de oorlog in de wijk.",
      "verkennings- en onderzoeksmateriaal", "tweede wereldoorlog, bronnen, erfgoed", age="11-12",
      minutes=120, licence="cc-by-nc-sa-40"),
    # -- po: natuur en techniek
    M("drijven-zinken", "Natuur en techniek", "PO", "Drijven en zinken: proefjes met water",
      "Leerlingen voorspellen welke voorwerpen drijven, testen het en zoeken een verklaring.",
      "verkennings- en onderzoeksmateriaal", "proefjes, water, drijven", levels=(PO, GROEP_4),
      age="7-8", minutes=45, licence="cc-by-sa-40"),
    M("magneten", "Natuur en techniek", "PO", "Magneten: wat trekt wel en wat niet?",
      "Een onderzoekje met magneten, paperclips en allerlei materialen uit de klas.",
      "verkennings- en onderzoeksmateriaal", "magneten, techniek", age="8-9", minutes=45,
      licence="cc-by-40"),
    M("zaadje-plant", "Natuur en techniek", "PO", "Van zaadje tot plant",
      "Leerlingen zaaien tuinkers en houden een groeidagboek bij met tekeningen en metingen.",
      "verkennings- en onderzoeksmateriaal", "planten, groeien, lente", levels=(PO, GROEP_3),
      age="6-7", licence="cc-by-sa-40"),
    M("zonnestelsel", "Natuur en techniek", "PO", "Het zonnestelsel in de klas",
      "Een schaalmodel van het zonnestelsel op het schoolplein laat zien hoe groot de afstanden zijn.",
      "informatiebron", "zonnestelsel, planeten, ruimte", age="10-12", minutes=60, licence="cc-by-40"),
    M("schakeling", "Natuur en techniek", "PO", "Een elektrische schakeling bouwen",
      "Met batterijen, lampjes en schakelaars bouwen leerlingen een serie- en een parallelschakeling.",
      "open opdracht", "elektriciteit, techniek, schakeling", age="11-12", minutes=90,
      licence="cc-by-nc-40"),
    # -- po: engels, burgerschap, muziek
    M("colours-clothes", "Engels", "PO", "Engels in groep 7: colours and clothes",
      "Woorden voor kleuren en kleding, met liedjes, een modeshow en korte luisteroefeningen.",
      "gesloten opdracht", "engels, woordenschat, kleding", age="10-11", minutes=30,
      licence="cc-by-sa-40", languages=("nl", "en")),
    M("days-of-the-week", "Engels", "PO", "Engelse liedjes: days of the week",
      "Met een liedje en een weekkalender leren leerlingen de dagen van de week in het Engels.",
      "informatiebron", "engels, liedjes, dagen", age="8-9", minutes=20, licence="cc-by-40",
      languages=("nl", "en")),
    M("introducing-yourself", "Engels", "PO", "Engels: jezelf voorstellen",
      "Leerlingen oefenen in tweetallen korte gesprekjes: naam, leeftijd, hobby's en familie.",
      "open opdracht", "engels, spreken, kennismaken", age="11-12", minutes=30, licence="cc-by-sa-40",
      languages=("nl", "en")),
    M("nepnieuws", "Burgerschap", "PO", "Mediawijsheid: nepnieuws herkennen",
      "Leerlingen onderzoeken berichten en foto's en leren vragen stellen: wie zegt dit, en waarom?",
      "open opdracht", "mediawijsheid, nepnieuws, media", age="11-12", minutes=60,
      licence="cc-by-nc-nd-40"),
    M("klassenvergadering", "Burgerschap", "PO", "De klassenvergadering: samen beslissen",
      "Een handleiding om met de klas te vergaderen, te stemmen en afspraken te maken.",
      "handleiding", "burgerschap, democratie, klas", age="8-12", licence="cc-by-40",
      roles=("teacher",)),
    M("bodypercussie", "Muziek", "PO", "Ritme klappen met bodypercussie",
      "Leerlingen klappen, stampen en knippen ritmes na en maken samen een eigen ritmestuk.",
      "open opdracht", "muziek, ritme, bodypercussie", age="8-12", minutes=30, licence="cc-by-sa-40"),
    # -- vo: wiskunde
    M("pythagoras", "Wiskunde", "VO", "De stelling van Pythagoras",
      "Uitleg van de stelling met bewijs in plaatjes, gevolgd door oefeningen met rechthoekige driehoeken.",
      "informatiebron", "pythagoras, meetkunde, driehoeken", levels=(VO, HAVO), age="13-15",
      minutes=50, licence="cc-by-sa-40"),
    M("lineaire-verbanden", "Wiskunde", "VO", "Lineaire verbanden: tabel, grafiek en formule",
      "Leerlingen wisselen tussen tabel, grafiek en formule en zoeken het hellingsgetal en het startgetal.",
      "gesloten opdracht", "lineaire verbanden, grafieken, formules", levels=(VO, VMBO), age="13-14",
      minutes=50, licence="cc-by-40"),
    M("kansrekening", "Wiskunde", "VO", "Kansrekening met dobbelstenen",
      "Door veel te gooien ontdekken leerlingen het verschil tussen verwachte en gemeten kansen.",
      "verkennings- en onderzoeksmateriaal", "kansrekening, statistiek", levels=(VO, HAVO),
      age="14-15", minutes=50, licence="cc-by-sa-40"),
    M("oefentoets-procenten", "Wiskunde", "VO", "Oefentoets procenten en verhoudingen (klas 2)",
      "Vijftien opgaven over procenten en verhoudingstabellen, met uitwerkingen.",
      "evaluatie- en toetsmateriaal", "procenten, verhoudingen, toets", levels=(VO, VMBO),
      age="13-14", minutes=45, licence="cc-by-nc-sa-40"),
    M("geogebra", "Wiskunde", "VO", "Grafieken tekenen met GeoGebra",
      "Een werkblad dat leerlingen stap voor stap door GeoGebra leidt om grafieken te tekenen en te "
      "onderzoeken.", "gereedschap", "geogebra, grafieken, ict", age="13-16", licence="cc-by-40"),
    # -- vo: biologie
    M("fotosynthese", "Biologie", "VO", "Fotosynthese: hoe maakt een plant voedsel?",
      "Over licht, bladgroen, koolstofdioxide en water, en wat een plant met de glucose doet.",
      "informatiebron", "fotosynthese, planten, bladgroen", levels=(VO, HAVO), age="15-16",
      minutes=50, licence="cc-by-sa-40"),
    M("huidmondjes", "Biologie", "VO", "Practicum: huidmondjes onder de microscoop",
      "Leerlingen maken een afdruk van een blad met nagellak en tellen de huidmondjes.",
      "verkennings- en onderzoeksmateriaal", "practicum, microscoop, planten", levels=(VO, HAVO),
      age="15-16", minutes=100, licence="cc-by-40"),
    M("toets-fotosynthese", "Biologie", "VO", "Toets fotosynthese en verbranding",
      "Toetsvragen over fotosynthese en verbranding met correctievoorschrift.",
      "evaluatie- en toetsmateriaal", "fotosynthese, verbranding, toets", levels=(VO, HAVO),
      age="15-16", minutes=45, licence="cc-by-sa-40"),
    M("lessenserie-fotosynthese", "Biologie", "VO", "Lessenserie fotosynthese (havo 4)",
      "Theorie, een practicum en een toets over fotosynthese, samen goed voor twee weken.",
      "informatiebron", "fotosynthese, lessenserie", levels=(VO, HAVO), age="15-16", minutes=195,
      aggregation=3, parts=("fotosynthese", "huidmondjes", "toets-fotosynthese"),
      licence="cc-by-sa-40", fmt=ARRANGEMENT_FORMAT, roles=("learner", "teacher")),
    M("de-cel", "Biologie", "VO", "De cel: bouw en functie",
      "Celkern, celmembraan, mitochondriën: met tekeningen en een 3D-model van een plantencel en een "
      "dierlijke cel.", "informatiebron", "cellen, organellen", levels=(VO, VMBO), age="12-14",
      minutes=50, licence="cc-by-40"),
    M("voedselweb", "Biologie", "VO", "Ecosystemen: voedselketens en voedselwebben",
      "Leerlingen bouwen een voedselweb van een sloot en voorspellen wat er gebeurt als een soort verdwijnt.",
      "gesloten opdracht", "ecosystemen, voedselketen, natuur", levels=(VO, VMBO), age="12-14",
      minutes=50, licence="cc-by-sa-40"),
    # -- vo: natuurkunde, scheikunde
    M("stroom-spanning", "Natuurkunde", "VO", "Elektrische stroom, spanning en weerstand",
      "Uitleg met het watermodel, schakelschema's en rekenvoorbeelden met de wet van Ohm.",
      "informatiebron", "elektriciteit, stroom, spanning", levels=(VO, HAVO), age="14-16",
      minutes=50, licence="cc-by-sa-40"),
    M("wet-van-ohm", "Natuurkunde", "VO", "Practicum: de wet van Ohm meten",
      "Leerlingen meten stroom en spanning bij verschillende weerstanden en tekenen een (U,I)-diagram.",
      "verkennings- en onderzoeksmateriaal", "practicum, wet van ohm, meten", levels=(VO, HAVO),
      age="14-16", minutes=100, licence="cc-by-nd-40"),
    M("newton", "Natuurkunde", "VO", "Krachten en beweging: de eerste wet van Newton",
      "Waarom schuif je naar voren als de bus remt? Over traagheid, nettokracht en evenwicht.",
      "informatiebron", "krachten, beweging, newton", levels=(VO, HAVO), age="14-16", minutes=50,
      licence="cc-by-40"),
    M("energie-thuis", "Natuurkunde", "VO", "Energie besparen thuis: een onderzoek",
      "Leerlingen lezen de meterstanden af, berekenen het verbruik van apparaten en doen een "
      "bespaarvoorstel.", "open opdracht", "energie, duurzaamheid, rekenen", levels=(VO, VMBO),
      age="14-16", minutes=120, licence="cc-by-nc-sa-40"),
    M("geluid", "Natuurkunde", "VO", "Geluid: trillingen en frequentie",
      "Met een telefoonapp meten leerlingen frequenties en ontdekken ze het verband met de toonhoogte.",
      "gesloten opdracht", "geluid, trillingen, frequentie", levels=(VO, VMBO), age="13-15",
      minutes=50, licence="cc-by-sa-40"),
    M("periodiek-systeem", "Scheikunde", "VO", "Het periodiek systeem verkennen",
      "Groepen, periodes en de opbouw van atomen: leerlingen ontdekken de logica van het systeem.",
      "informatiebron", "periodiek systeem, atomen, elementen", levels=(VO, HAVO), age="14-16",
      minutes=50, licence="cc-by-40"),
    M("rodekool", "Scheikunde", "VO", "Zuren en basen: een indicator van rodekool",
      "Leerlingen maken een indicator van rodekoolsap en testen huishoudmiddelen op zuur of basisch.",
      "verkennings- en onderzoeksmateriaal", "zuren, basen, practicum", levels=(VO, VMBO),
      age="14-15", minutes=100, licence="cc-by-sa-40"),
    # -- vo: aardrijkskunde, geschiedenis
    M("zeespiegel", "Aardrijkskunde", "VO", "Klimaatverandering en de zeespiegel",
      "Wat betekent een stijgende zeespiegel voor Nederland en voor Bangladesh? Met kaarten en scenario's.",
      "informatiebron", "klimaat, zeespiegel, water", levels=(VO, HAVO), age="15-17", minutes=50,
      licence="cc-by-sa-40"),
    M("verstedelijking-afrika", "Aardrijkskunde", "VO", "Verstedelijking in Afrika",
      "Leerlingen vergelijken Lagos en Nairobi en onderzoeken waarom steden zo snel groeien.",
      "open opdracht", "verstedelijking, afrika, steden", levels=(VO, HAVO), age="15-17",
      minutes=100, licence="cc-by-nc-40"),
    M("koude-oorlog", "Geschiedenis", "VO", "De Koude Oorlog in tien bronnen",
      "Tien bronnen van de Berlijnse Muur tot de Cubacrisis, met vragen die het bronnenonderzoek oefenen.",
      "open opdracht", "koude oorlog, bronnen, twintigste eeuw", levels=(VO, HAVO), age="15-17",
      minutes=100, licence="cc-by-sa-40"),
    M("franse-revolutie", "Geschiedenis", "VO", "De Franse Revolutie: oorzaken en gevolgen",
      "Over de standenmaatschappij, de Verlichting en de bestorming van de Bastille.",
      "informatiebron", "franse revolutie, verlichting", levels=(VO, HAVO), age="14-16", minutes=50,
      licence="cc-by-40"),
    M("slavernijverleden", "Geschiedenis", "VO", "Het slavernijverleden van Nederland",
      "Over de trans-Atlantische slavenhandel, het leven op de plantages en Keti Koti.",
      "informatiebron", "slavernij, keti koti, canon", levels=(VO,), age="13-16", minutes=50,
      licence="cc-by-sa-40"),
    M("examentraining-geschiedenis", "Geschiedenis", "VO",
      "Examentraining geschiedenis: de tijd van pruiken en revoluties",
      "Oefenvragen in examenstijl over het achttiende-eeuwse tijdvak, met modelantwoorden.",
      "evaluatie- en toetsmateriaal", "examen, tijdvakken, geschiedenis", levels=(VO, HAVO),
      age="16-17", minutes=90, licence="cc-by-nc-sa-40"),
    # -- vo: nederlands, engels, economie, informatica, professionalisering
    M("betogen", "Nederlands", "VO", "Betogen schrijven: van stelling tot conclusie",
      "Leerlingen kiezen een stelling, verzamelen argumenten en schrijven een betoog volgens een vaste opbouw.",
      "open opdracht", "betogen, schrijven, argumenteren", levels=(VO, HAVO), age="15-17",
      minutes=100, licence="cc-by-sa-40"),
    M("leesdossier", "Nederlands", "VO", "Fictie: een leesdossier maken",
      "Opdrachten bij zelfgekozen romans: personages, perspectief, thema en een eigen recensie.",
      "open opdracht", "fictie, lezen, literatuur", levels=(VO, HAVO), age="15-17", licence="cc-by-40"),
    M("zinsontleding", "Nederlands", "VO", "Zinsontleding: onderwerp en gezegde",
      "Met het vraagwoordenschema vinden leerlingen de persoonsvorm, het onderwerp en het gezegde.",
      "gesloten opdracht", "grammatica, zinsontleding", levels=(VO, VMBO), age="12-14", minutes=45,
      licence="cc-by-sa-40"),
    M("irregular-verbs", "Engels", "VO", "Engels: irregular verbs oefenen",
      "Rijtjes, spelletjes en zinnen om de onregelmatige werkwoorden in de verleden tijd te oefenen.",
      "gesloten opdracht", "engels, grammatica, werkwoorden", levels=(VO, VMBO), age="12-14",
      minutes=30, licence="cc-by-sa-40", languages=("nl", "en")),
    M("news-articles", "Engels", "VO", "Engels: reading comprehension met nieuwsartikelen",
      "Korte Engelse nieuwsartikelen met vragen over hoofdgedachte, woordbetekenis en bedoeling van de schrijver.",
      "gesloten opdracht", "engels, lezen, leesvaardigheid", levels=(VO, HAVO), age="14-16",
      minutes=45, licence="cc-by-40", languages=("nl", "en")),
    M("vraag-aanbod", "Economie", "VO", "Vraag en aanbod op de markt",
      "Hoe komt een prijs tot stand? Met een marktspel in de klas en grafieken van vraag en aanbod.",
      "informatiebron", "economie, markt, prijzen", levels=(VO, HAVO), age="14-16", minutes=50,
      licence="cc-by-sa-40"),
    M("scratch-spel", "Informatica", "VO", "Programmeren in Scratch: maak je eigen spel",
      "Leerlingen programmeren een eenvoudig spel met sprites, lussen en voorwaarden.",
      "open opdracht", "programmeren, scratch, computational thinking", levels=(VO,), age="12-14",
      minutes=100, licence="cc-by-sa-40"),
    M("formatief-evalueren", "Burgerschap", "VO", "Formatief evalueren in de les",
      "Technieken zoals wisbordjes en exit tickets om tijdens de les te zien waar leerlingen staan.",
      "professionaliseringsmateriaal", "formatief evalueren, didactiek", levels=(VO,), age="12-18",
      licence="cc-by-40", roles=("teacher",)),
)

SCHOOL: tuple[Material, ...] = (
    # -- so: De Vlinder (speciaal onderwijs): visueel, weinig talig
    M("geld-boodschappen", "Rekenen", "SO", "Rekenen met geld: boodschappen doen",
      "Met echte munten en een winkeltje in de klas betalen leerlingen kleine bedragen af; veel "
      "pictogrammen en weinig tekst.", "open opdracht", "geld, rekenen, zelfredzaamheid",
      age="8-12", minutes=45, licence="cc-by-nc-sa-40"),
    M("dagritme", "Nederlands", "SO", "Pictogrammen: mijn dagritme",
      "Een set pictogrammen om het dagprogramma in de klas zichtbaar te maken.", "gereedschap",
      "pictogrammen, dagritme, structuur", age="6-12", licence="cc-by-40", roles=("teacher",)),
    M("klok-picto", "Rekenen", "SO", "Klokkijken met pictogrammen",
      "Klokkijken gekoppeld aan vaste momenten van de dag, met grote afbeeldingen.",
      "gesloten opdracht", "klokkijken, pictogrammen", age="8-12", minutes=20, licence="cc-by-nc-sa-40"),
    M("woordkaarten-keuken", "Nederlands", "SO", "Woordkaarten: in de keuken",
      "Woordkaarten met foto's van keukenspullen voor woordenschat en zelfredzaamheid.",
      "informatiebron", "woordenschat, woordkaarten, koken", age="6-14", licence="cc-by-sa-40"),
    M("tellen-kralen", "Rekenen", "SO", "Tellen tot twintig met kralen",
      "Leerlingen rijgen kralen in groepjes van vijf en tellen handig door.", "gesloten opdracht",
      "tellen, getallen, kralen", levels=(SO, SBAO), age="6-9", minutes=20, licence="cc-by-40"),
    M("oversteken", "Verkeer", "SO", "Veilig oversteken: een verkeersles op straat",
      "Met foto's van de eigen schoolomgeving oefenen leerlingen stap voor stap veilig oversteken.",
      "open opdracht", "verkeer, oversteken, veiligheid", age="6-14", minutes=60, licence="cc-by-sa-40"),
    M("water-drijven", "Natuur en techniek", "SO", "Water: drijven en zinken met spullen uit huis",
      "Een proefje met spullen uit huis, met plaatjeskaarten om de voorspelling aan te wijzen.",
      "verkennings- en onderzoeksmateriaal", "water, proefjes, drijven", age="6-12", minutes=45,
      licence="cc-by-sa-40"),
    M("water-kraan", "Aardrijkskunde", "SO", "Water: waar komt ons kraanwater vandaan?",
      "Een fotoverhaal van de regen tot de kraan, met een bezoek aan de watertoren.",
      "informatiebron", "water, drinkwater", age="8-14", minutes=45, licence="cc-by-sa-40"),
    M("water-woorden", "Nederlands", "SO", "Water: woordkaarten en plaatjes",
      "Woorden en plaatjes bij het thema water om te benoemen, sorteren en te gebruiken in zinnen.",
      "informatiebron", "water, woordenschat", age="6-12", licence="cc-by-sa-40"),
    M("thema-water", "Natuur en techniek", "SO", "Thema water: lessenserie voor het speciaal onderwijs",
      "Drie lessen over water, visueel ondersteund en met weinig tekst: proefjes, drinkwater en woorden.",
      "informatiebron", "water, thema, lessenserie", age="6-14", minutes=135, aggregation=3,
      parts=("water-drijven", "water-kraan", "water-woorden"), licence="cc-by-sa-40",
      roles=("learner", "teacher")),
    # -- po: De Regenboog
    M("verkeersexamen", "Verkeer", "PO", "Verkeersexamen groep 7: oefenvragen",
      "Oefenvragen met verkeersborden en situaties op het kruispunt, als voorbereiding op het "
      "theoretisch verkeersexamen.", "evaluatie- en toetsmateriaal", "verkeer, verkeersexamen, borden",
      age="10-11", minutes=30, licence="cc-by-40"),
    M("voorrang", "Verkeer", "PO", "Fietsen: voorrangsregels op kruispunten",
      "Wie mag eerst? Leerlingen oefenen voorrangsregels met een verkeersmat en filmpjes.",
      "gesloten opdracht", "verkeer, voorrang, fietsen", age="9-11", minutes=45, licence="cc-by-sa-40"),
    M("module-verkeer", "Verkeer", "PO", "Module verkeer voor groep 7",
      "Twee lessen over voorrangsregels en een oefenexamen, met de verkeersmat van de school.",
      "informatiebron", "verkeer, module", age="10-11", minutes=75, aggregation=3,
      parts=("voorrang", "verkeersexamen"), licence="cc-by-sa-40", roles=("learner", "teacher")),
    M("kleuren-vormen", "Rekenen", "PO", "Kleuren en vormen sorteren",
      "Kleuters sorteren blokken op kleur, vorm en grootte en leggen zelf patronen.",
      "gesloten opdracht", "sorteren, vormen, kleuters", levels=(PO, GROEP_1, GROEP_2), age="4-6",
      minutes=20, licence="cc-by-40"),
    M("klankgebaren", "Nederlands", "PO", "Letters leren met klankgebaren",
      "Bij elke klank een gebaar: zo onthouden leerlingen in groep 3 de letters beter.",
      "informatiebron", "aanvankelijk lezen, letters, klanken", levels=(PO, GROEP_3), age="6-7",
      minutes=20, licence="cc-by-sa-40"),
    M("praatplaten", "Nederlands", "PO", "Voorlezen in groep 2 met praatplaten",
      "Hoe je met praatplaten en open vragen een voorleesmoment interactief maakt.", "handleiding",
      "voorlezen, kleuters, taal", levels=(PO, GROEP_2), age="5-6", licence="cc-by-40",
      roles=("teacher",)),
    M("honderdveld", "Rekenen", "PO", "Rekenen tot 100 met het honderdveld",
      "Sprongen van tien, buurgetallen en patronen ontdekken op het honderdveld.",
      "gesloten opdracht", "getallen, honderdveld, tellen", levels=(PO, GROEP_4), age="7-8",
      minutes=30, licence="cc-by-sa-40"),
    M("school-in-de-wijk", "Aardrijkskunde", "PO", "Onze school in de wijk: een kaart maken",
      "Leerlingen lopen een route door de wijk en tekenen daarna samen een kaart met legenda.",
      "open opdracht", "kaarten, wijk, plattegrond", age="7-9", minutes=90, licence="cc-by-sa-40"),
    M("insecten-schoolplein", "Natuur en techniek", "PO", "Spinnen en insecten op het schoolplein",
      "Met loeppotjes en een zoekkaart brengen leerlingen de kleine beestjes op het plein in kaart.",
      "verkennings- en onderzoeksmateriaal", "insecten, natuur, onderzoeken", age="7-10", minutes=60,
      licence="cc-by-40"),
    M("rivieren-werkblad", "Aardrijkskunde", "PO", "Werkblad: de rivieren van Nederland",
      "De leskaart van de sectie aardrijkskunde bij de rivieren van Nederland, met een werkblad.",
      "informatiebron", "rivieren, werkblad", age="9-10", minutes=45, licence="cc-by-sa-40",
      same_as="rivieren-nederland"),
    # -- vo: Horizon College
    M("pythagoras-ladder", "Wiskunde", "VO", "Stelling van Pythagoras: uitleg en oefeningen",
      "De uitleg die de sectie wiskunde gebruikt, met als eigen toevoeging de ladder tegen de muur.",
      "informatiebron", "pythagoras, meetkunde", levels=(VO, HAVO), age="13-15", minutes=50,
      licence="cc-by-sa-40", same_as="pythagoras"),
    M("big-history", "Geschiedenis", "VO", "Big History: hoe groot is groot?",
      "Een Engelstalige video uit de cursus Big History, door de sectie geschiedenis gebruikt als "
      "start van het project tijd en schaal.", "informatiebron", "big history, tijd, schaal",
      levels=(VO, HAVO), age="15-17", minutes=15, licence="cc-by-40", fmt="video/mp4",
      same_as="https://www.youtube.com/watch?v=Hx0kUX7MZ7g"),
    M("werkwoordspelling-vo", "Nederlands", "VO", "Werkwoordspelling: de oefenmodule van de sectie Nederlands",
      "Een digitale oefenmodule met directe feedback op de tegenwoordige en verleden tijd.",
      "gesloten opdracht", "werkwoordspelling, spelling", levels=(VO, VMBO), age="12-14", minutes=30,
      licence="cc-by-nc-sa-40"),
    M("informal-email", "Engels", "VO", "Engels: writing an informal email",
      "Leerlingen schrijven een e-mail aan een Engelse uitwisselingsleerling met een schrijfkader.",
      "open opdracht", "engels, schrijven, e-mail", levels=(VO, VMBO), age="13-15", minutes=45,
      licence="cc-by-nc-sa-40", languages=("nl", "en")),
    M("voetafdruk", "Aardrijkskunde", "VO", "Duurzaamheid: onze ecologische voetafdruk",
      "Leerlingen berekenen hun eigen voetafdruk en vergelijken die met leeftijdgenoten elders.",
      "verkennings- en onderzoeksmateriaal", "duurzaamheid, voetafdruk, klimaat", levels=(VO, VMBO),
      age="13-15", minutes=90, licence="cc-by-nc-sa-40"),
    M("skelet", "Biologie", "VO", "Het menselijk skelet",
      "Botten, gewrichten en spieren: met een beweegbaar skelet en opdrachten bij een röntgenfoto.",
      "informatiebron", "skelet, botten, lichaam", levels=(VO, VMBO), age="13-15", minutes=50,
      licence="cc-by-nc-sa-40"),
    M("valbeweging", "Natuurkunde", "VO", "Zwaartekracht en valbeweging",
      "Met videometing analyseren leerlingen een vallende bal en bepalen ze de valversnelling.",
      "verkennings- en onderzoeksmateriaal", "valbeweging, zwaartekracht, videometen",
      levels=(VO, HAVO), age="15-17", minutes=100, licence="cc-by-40"),
    M("verbranding", "Scheikunde", "VO", "Verbrandingsreacties",
      "Over de verbrandingsdriehoek, reactievergelijkingen en veilig werken met vuur in het lokaal.",
      "informatiebron", "verbranding, reacties, veiligheid", levels=(VO, HAVO), age="14-16",
      minutes=50, licence="cc-by-nc-sa-40"),
    M("tachtigjarige-oorlog", "Geschiedenis", "VO", "De Tachtigjarige Oorlog in strips",
      "Leerlingen tekenen een strip over een sleutelmoment uit de Opstand, op basis van bronnen.",
      "open opdracht", "tachtigjarige oorlog, opstand, strips", levels=(VO, VMBO), age="12-14",
      minutes=100, licence="cc-by-nc-sa-40"),
    M("loonstrook", "Economie", "VO", "Je eerste loonstrook",
      "Wat betekenen bruto, netto, loonheffing en vakantiegeld? Met de loonstrook van een bijbaan.",
      "gesloten opdracht", "economie, geld, werk", levels=(VO, VMBO), age="14-16", minutes=45,
      licence="cc-by-nc-sa-40"),
    M("spreadsheet", "Informatica", "VO", "Werken met een spreadsheet",
      "Formules, grafieken en filters in een spreadsheet, aan de hand van de eigen klassenlijst.",
      "gesloten opdracht", "spreadsheet, ict, digitale geletterdheid", levels=(VO,), age="12-14",
      minutes=50, licence="cc-by-40"),
    M("onderzoeksvraag", "Nederlands", "VO", "Profielwerkstuk: een goede onderzoeksvraag formuleren",
      "Een handleiding met voorbeelden van sterke en zwakke onderzoeksvragen en een checklist.",
      "handleiding", "profielwerkstuk, onderzoek", levels=(VO, HAVO), age="16-18", licence="cc-by-40"),
    M("rubric-presentaties", "Nederlands", "VO", "Rubric voor presentaties",
      "De rubric waarmee de sectie Nederlands presentaties beoordeelt, met criteria en niveaus.",
      "evaluatie- en toetsmateriaal", "rubric, presenteren, beoordelen", levels=(VO,), age="12-18",
      licence="yes", roles=("teacher",)),
    M("plannen", "Burgerschap", "VO", "Mentorles: plannen en huiswerk",
      "Leerlingen maken een weekplanning en bespreken met hun mentor wat wel en niet werkt.",
      "open opdracht", "plannen, huiswerk, mentoraat", levels=(VO,), age="12-13", minutes=45,
      licence="cc-by-sa-40"),
    M("weer-klimaat-europa", "Aardrijkskunde", "VO", "Weer en klimaat in Europa",
      "Klimaatgrafieken lezen en verklaren waarom het in Lissabon anders is dan in Moskou.",
      "gesloten opdracht", "klimaat, weer, europa", levels=(VO, VMBO), age="12-14", minutes=50,
      licence="cc-by-sa-40"),
    M("rap-schrijven", "Muziek", "VO", "Een eigen rap schrijven",
      "Leerlingen schrijven een rap over hun wijk en nemen die op met een beat van de muzieksectie.",
      "open opdracht", "muziek, rap, schrijven", levels=(VO,), age="12-15", minutes=100,
      licence="cc-by-nc-40"),
    M("gemeenteraad", "Burgerschap", "VO", "De gemeenteraad op bezoek",
      "Een rollenspel waarin leerlingen een raadsvergadering over een nieuw skatepark naspelen.",
      "open opdracht", "burgerschap, politiek, democratie", levels=(VO,), age="13-15", minutes=90,
      licence="cc-by-sa-40"),
)

# OAI identifiers of materials the sources withdrew: served as deleted records.
WIKIWIJS_DELETED = ("oer-sample:wikiwijs:oude-topografie", "oer-sample:wikiwijs:rekenen-verouderd")
SCHOOL_DELETED = ("oai:horizon.oer-sample.example:leermiddel/ingetrokken-1",
                  "oai:horizon.oer-sample.example:leermiddel/ingetrokken-2")


@dataclass(frozen=True, slots=True)
class SampleSourceSpec:
    """One generated source: its materials and how its repository writes them."""

    name: str
    title: str
    description: str
    metadata_prefix: str
    metadata_format: MetadataFormat
    materials: tuple[Material, ...]
    deleted: tuple[str, ...]
    page_size: int
    location_base: str
    publisher: str


WIKIWIJS_SOURCE = SampleSourceSpec(
    name="wikiwijs-sample",
    title="Wikiwijs via Edurep (voorbeeld)",
    description=(
        "Twee echte Edurep-pagina's (NL-LOM, `lom`) en gegenereerd voorbeeldmateriaal in "
        "dezelfde vorm."
    ),
    metadata_prefix="lom",
    metadata_format=LOM,
    materials=WIKIWIJS,
    deleted=WIKIWIJS_DELETED,
    page_size=25,
    location_base="https://wikiwijs.oer-sample.example/materiaal/",
    publisher="Wikiwijs-voorbeeld (gegenereerd)",
)
SCHOOL_SOURCE = SampleSourceSpec(
    name="schoolrepo-sample",
    title="Scholengroep De Horizon (fictief, voorbeeld)",
    description=(
        "De eigen repository van een fictieve scholengroep (po, vo en so), NL-LOM in de "
        "IEEE-binding (`nl_lom`); alle materialen zijn gegenereerd."
    ),
    metadata_prefix="nl_lom",
    metadata_format=NL_LOM,
    materials=SCHOOL,
    deleted=SCHOOL_DELETED,
    page_size=20,
    location_base="https://horizon.oer-sample.example/leermiddelen/",
    publisher="Scholengroep De Horizon (fictief)",
)
SOURCES = (WIKIWIJS_SOURCE, SCHOOL_SOURCE)


# -- records ------------------------------------------------------------------------------------


def material_uuid(source: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_IDS, f'{source}/{key}')}"


def oai_identifier(spec: SampleSourceSpec, key: str) -> str:
    if spec is WIKIWIJS_SOURCE:
        return f"oer-sample:wikiwijs:{key}"
    return f"oai:horizon.oer-sample.example:leermiddel/{key}"


def _locations() -> dict[str, str]:
    return {
        material.key: spec.location_base + material.key
        for spec in SOURCES
        for material in spec.materials
    }


def _identifiers() -> dict[str, str]:
    return {material.key: material_uuid(spec.name, material.key)
            for spec in SOURCES for material in spec.materials}


# The catalog entries of the real Edurep records a generated material is the same as (by URL).
REAL_IDENTIFIERS = {
    "https://www.youtube.com/watch?v=Hx0kUX7MZ7g": Identifier("UUID", "urn:uuid:8936d0a3-4157-45f4-9595-c26d4c029d97"),
}


def _same_as_identifier(same_as: str, identifiers: dict[str, str]) -> Identifier:
    if same_as in identifiers:
        return Identifier(CATALOG, identifiers[same_as])
    return REAL_IDENTIFIERS[same_as]


def material_record(spec: SampleSourceSpec, material: Material, rng: random.Random,
                    datestamp: datetime) -> Record:
    """The NL-LOM record of one generated material."""
    locations, identifiers = _locations(), _identifiers()
    location = locations[material.key]
    if material.same_as is not None:
        location = locations.get(material.same_as, material.same_as)
    label = LABEL_LINE_REAL_LINK if material.same_as and material.same_as.startswith("http") else LABEL_LINE
    description = f"{material.text} {KIND_SENTENCES[material.kind]}\n\n{label}"
    keywords = tuple(dict.fromkeys(
        [word.strip() for word in material.keywords.split(",") if word.strip()] + [LABEL_KEYWORD]))
    authors = tuple(
        Contributor("author", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    (datestamp - timedelta(days=rng.randint(1, 60))).date().isoformat())
        for _ in range(rng.choice((1, 1, 2)))
    )
    licence = _licence(material.licence or "cc-by-sa-40")
    return Record(
        title=material.title,
        titles={"nl": material.title},
        description=description,
        keywords=keywords,
        languages=material.languages,
        identifiers=(Identifier(CATALOG, identifiers[material.key]),
                     *((_same_as_identifier(material.same_as, identifiers),) if material.same_as else ())),
        location=location,
        formats=(material.fmt,),
        aggregation_level=material.aggregation,
        learning_resource_types=(material.kind,),
        end_user_roles=material.roles,
        contexts=(material.context,),
        educational_levels=material.levels or CONTEXT_LEVELS[material.context],
        disciplines=(Term(_SUBJECT_IDS[material.subject], material.subject),),
        typical_age_range=material.age or DEFAULT_AGES[material.context],
        typical_learning_time=material.minutes * 60 if material.minutes else None,
        cost=False,
        licence=licence,
        access_rights="OpenAccess",
        contributors=(*authors, Contributor("publisher", spec.publisher, None)),
        relations=tuple(Relation("haspart", identifiers[part]) for part in material.parts),
    )


def _licence(code: str) -> Licence:
    return Licence(code, canonical_url(code))


ALL_RIGHTS_RESERVED = (
    "Alle rechten voorbehouden. Gebruik in de eigen lessen van de scholengroep is toegestaan; "
    "overnemen of aanpassen alleen met toestemming."
)


def payload(spec: SampleSourceSpec, record: Record) -> bytes:
    """The record's `<lom>` in the source's binding, as it goes inside `<metadata>`."""
    element = record_to_element(record, spec.metadata_format)
    if record.licence is not None and record.licence.code == "yes":
        _add_rights_description(element, ALL_RIGHTS_RESERVED)
    return bytes(etree.tostring(element, encoding="UTF-8", pretty_print=True)).strip()


def _add_rights_description(lom: etree._Element, text: str) -> None:
    # NL-LOM requires rights/description when copyright is plain `yes`; a Record has no field
    # for free text, so it is added to the written element.
    namespace = etree.QName(lom).namespace
    rights = lom.find(f"{{{namespace}}}rights")
    assert rights is not None
    description = etree.SubElement(rights, f"{{{namespace}}}description")
    if spec_is_ims(namespace):
        langstring = etree.SubElement(description, f"{{{namespace}}}langstring")
        langstring.set("{http://www.w3.org/XML/1998/namespace}lang", "nl")
    else:
        langstring = etree.SubElement(description, f"{{{namespace}}}string")
        langstring.set("language", "nl")
    langstring.text = text


def spec_is_ims(namespace: str | None) -> bool:
    return namespace == LOM.namespace


# -- pages --------------------------------------------------------------------------------------


def generated_records(spec: SampleSourceSpec) -> list[tuple[str, str, bytes | None]]:
    """(OAI identifier, datestamp, payload or None for deleted) of a source, in list order."""
    rng = random.Random(f"{SEED}/{spec.name}")
    start = datetime(2019, 3, 1, 9, 0, tzinfo=UTC)
    entries: list[tuple[str, str, bytes | None]] = []
    for material in spec.materials:
        datestamp = start + timedelta(seconds=rng.randrange(0, 5 * 365 * 86_400))
        record = material_record(spec, material, rng, datestamp)
        entries.append((oai_identifier(spec, material.key), _stamp(datestamp), payload(spec, record)))
    # Deleted records come last, as a repository lists the most recent changes last.
    for number, identifier in enumerate(spec.deleted):
        entries.append((identifier, _stamp(datetime(2024, 8, 20 + number, 14, 30, tzinfo=UTC)), None))
    return entries


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def generated_pages(spec: SampleSourceSpec, *, continues_with: int = 0,
                    last_token: str | None = None) -> list[bytes]:
    """The source's ListRecords pages; `continues_with` more records follow after `last_token`."""
    entries = generated_records(spec)
    total = len(entries) + continues_with
    pages: list[bytes] = []
    chunks = [entries[i:i + spec.page_size] for i in range(0, len(entries), spec.page_size)]
    for number, chunk in enumerate(chunks):
        cursor = number * spec.page_size
        if number == 0:
            arguments = {"verb": "ListRecords", "metadataPrefix": spec.metadata_prefix}
        else:
            arguments = {"verb": "ListRecords", "resumptionToken": _token(spec, cursor)}
        next_cursor = cursor + len(chunk)
        is_last = number == len(chunks) - 1
        token = (last_token if is_last else _token(spec, next_cursor))
        token_element = resumption_token_element(token, cursor=cursor, complete_list_size=total)
        records = [
            record_element(identifier, datestamp, metadata, deleted=metadata is None)
            for identifier, datestamp, metadata in chunk
        ]
        request = ReplayRequest(method="GET", path="/oai", arguments=arguments)
        pages.append(list_records_body(request, records, token_element, RESPONSE_DATE))
    return pages


def _token(spec: SampleSourceSpec, cursor: int) -> str:
    return f"{spec.name}!{spec.metadata_prefix}!{cursor}"


def sample_files() -> dict[str, bytes]:
    """Every file of `schemas/sample/` (relative path -> content), built from scratch."""
    files: dict[str, bytes] = {}
    manifest: list[dict[str, object]] = []
    for spec in SOURCES:
        if spec is WIKIWIJS_SOURCE:
            real = [(EDUREP_FIXTURES / name).read_bytes() for name in EDUREP_PAGES]
            real_records = sum(page.count(b"<record>") for page in real)
            # The last generated page's token leads to the first real page (the replay
            # server chains recorded pages by the tokens written in them).
            generated = len(generated_records(spec))
            pages = generated_pages(spec, continues_with=real_records, last_token=_token(spec, generated))
            names = [f"{spec.name}/page-{n}.xml" for n in range(len(pages))]
            names += [f"{spec.name}/{name}" for name in EDUREP_PAGES]
            contents = [*pages, *real]
        else:
            pages = generated_pages(spec)
            names = [f"{spec.name}/page-{n}.xml" for n in range(len(pages))]
            contents = pages
        files.update(zip(names, contents, strict=True))
        manifest.append({
            "name": spec.name,
            "title": spec.title,
            "description": spec.description,
            "metadata_prefix": spec.metadata_prefix,
            "pages": names,
        })
    files["sources.json"] = (json.dumps({"sources": manifest}, ensure_ascii=False, indent=2) + "\n").encode()
    files["LICENSE-edurep-pages.txt"] = LICENCE_FILE.read_bytes()
    return files


def write_sample(target: Path = TARGET) -> list[Path]:
    """Write `sample_files()` under `target`, removing stale generated pages; returns the paths."""
    written = []
    for old in target.glob("*/page-*.xml"):
        old.unlink()
    for name, content in sample_files().items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


def main() -> None:
    for path in write_sample():
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
