"""SURF edusources' Edurep extractor, run unmodified over the served `lom` feed, reads what the JSON API says.

The consumer is `tests/data/consumers/edusources/extraction.py` (MIT; see the
README beside it), the code search-portal's harvester runs over Edurep's `lom`
ListRecords pages: each page parsed with `BeautifulSoup(page, "lxml")`, each
`<record>` handed to its getters. It is loaded from that file as it is; only
what it imports from Django and the portal is stubbed (`edusources`), with the
values search-portal has at the vendored commit.

The harvest is the whole `lom` feed over loopback HTTP: every record of the
real fixtures (Edurep's OAI and SRU records, AnatomyTool, the standalone LOM
documents) and the copies made of them. Each live record's title,
description, URL, language, licence, keywords, publishers, levels,
disciplines, material types, aggregation level, ideas and publication date as
the consumer extracts them are compared with `/api/v1/resources/<id>` on the
same app. Where the consumer cannot agree for a reason of its own, `expected`
says what it reads instead, per record, and the test counts the records each
such exception applies to (`EXPECTED_EXCEPTIONS`); nothing is skipped.
The feed serves each harvested record's whole LOM as its source wrote it
(`metadata.lom.served_tree`), which the API gives as `lom`: where the consumer
reads the source's own text or value and the API gives the normalised one
(a level's label, an older vocabulary's learning resource type, a title's
line breaks), `expected` takes it from there.

Ideas: the consumer reads classification purpose `idea` only for identifiers
starting `surfsharekit` (SURF's own records in Edurep). The feed's identifiers
are `oai:<repository>:<id>`, so it reads none, though the feed now carries
the sources' `idea` classifications (in the API's `lom`): the two agree on the
empty set, which is all this consumer can say about ideas.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
import urllib.parse
import urllib.request
import warnings
from collections import Counter
from collections.abc import Iterator
from itertools import takewhile
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from lxml import etree

from metadata.lom_tree import CONTAINER, LOM_MODEL, Element
from tests.integration.feed.harvests import FIXTURE_MATERIALS
from tests.support.feed_app import COPIES

with warnings.catch_warnings():
    # bs4 probes optional packages (cchardet) on import; pygal, which the app imports for its
    # charts, leaves an old-style import hook that warns when a probe misses.
    warnings.simplefilter("ignore", ImportWarning)
    from bs4 import BeautifulSoup

EXTRACTOR = Path(__file__).resolve().parents[2] / "data" / "consumers" / "edusources" / "extraction.py"
OAI = "{http://www.openarchives.org/OAI/2.0/}"

# search-portal parses the pages with lxml's HTML parser (so tag names keep their `czp:`
# prefix), which BeautifulSoup warns about: that is the consumer as it runs.
pytestmark = [
    pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning"),
    # The extractor's imports (vobject, dateutil) probe through pygal's import hook too.
    pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning"),
]

# search-portal at the vendored commit: harvester/core/constants.py ...
HIGHER_EDUCATION_LEVELS = {
    "BVE": 1, "HBO": 2, "HBO - Bachelor": 2, "HBO - Master": 2, "WO": 3, "WO - Bachelor": 3, "WO - Master": 3,
}
# ... and harvester/harvester/settings/base.py, in part: the extractor's technical type is not
# compared, so only a few of the table's entries are given.
MIME_TYPE_TO_TECHNICAL_TYPE = {
    "application/pdf": "document",
    "text/html": "website",
    "application/x-Wikiwijs-Arrangement": "document",
    "video/mp4": "video",
    "image/jpeg": "image",
    "image/png": "image",
}


# Where the consumer cannot agree with the API for a reason of its own, it reads this instead.
# It takes the first `czp:description` anywhere in the record: with no general/description,
# that is another element's (a contribution date's "Created", rights/description's licence URL).
DESCRIPTION_ELSEWHERE = "description read from another element"
# It takes the first `czp:language` anywhere: with no general/language, educational/language.
LANGUAGE_ELSEWHERE = "language read from another element"
# It pairs the i-th technical/format with the i-th technical/location (`zip`): a location
# with no format at all gives it no file and no URL. The writer writes every format and the
# location the record has; a record that names no format gets none invented.
LOCATION_WITHOUT_FORMAT = "location without a format"
# It reads educational levels by their taxon entry (the label), not their id: a level the
# record has no label for is not among its levels, and a level is read with the label its
# source gave (`VO`), where the API gives the vocabulary's (`Voortgezet onderwijs`).
LEVEL_WITHOUT_LABEL = "level without a label"
LEVEL_LABEL_AS_GIVEN = "level with its source's label"
# It takes every `czp:keyword` in the record: the keywords of classifications (AnatomyTool's
# anatomical terms) join the general ones, each by its first language string.
CLASSIFICATION_KEYWORDS = "classification keywords read as keywords"
# It reads a keyword's first language string; the API lists every language's (`Nederlands`, `Dutch`).
KEYWORD_FIRST_STRING = "first language of a keyword"
# A learning resource type in a vocabulary older than czp (`information resource`) is served as
# the source gave it, which the consumer reads; the API gives the czp value it maps to.
TYPE_AS_GIVEN = "learning resource type as the source gave it"
# How many of the feed's live records each exception applies to.
EXPECTED_EXCEPTIONS = Counter({
    DESCRIPTION_ELSEWHERE: 15, LOCATION_WITHOUT_FORMAT: 12, CLASSIFICATION_KEYWORDS: 10, TYPE_AS_GIVEN: 7,
    LEVEL_WITHOUT_LABEL: 1, KEYWORD_FIRST_STRING: 1, LANGUAGE_ELSEWHERE: 1, LEVEL_LABEL_AS_GIVEN: 1})


def slugify(value: object) -> str:
    """Django's `django.utils.text.slugify` (without allow_unicode), which the extractor imports."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


@pytest.fixture
def edusources(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The vendored extractor module, its Django and portal imports stubbed for this test only.

    The stubs go into `sys.modules` through monkeypatch, so they are gone when the
    test ends; the extractor module itself is executed from its file without
    being registered there.
    """
    stubs = {
        "django": ModuleType("django"),
        "django.conf": ModuleType("django.conf"),
        "django.utils": ModuleType("django.utils"),
        "django.utils.text": ModuleType("django.utils.text"),
        "core": ModuleType("core"),
        "core.constants": ModuleType("core.constants"),
    }
    stubs["django.conf"].settings = SimpleNamespace(  # type: ignore[attr-defined]
        MIME_TYPE_TO_TECHNICAL_TYPE=MIME_TYPE_TO_TECHNICAL_TYPE)
    stubs["django.utils.text"].slugify = slugify  # type: ignore[attr-defined]
    stubs["core.constants"].HIGHER_EDUCATION_LEVELS = HIGHER_EDUCATION_LEVELS  # type: ignore[attr-defined]
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    spec = importlib.util.spec_from_file_location("edusources_edurep_extraction", EXTRACTOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def list_records_pages(feed: str, **arguments: str) -> Iterator[bytes]:
    """The raw ListRecords pages of a harvest, following resumption tokens."""
    query: dict[str, str] = {"verb": "ListRecords", **arguments}
    while True:
        status, page = get(f"{feed}?{urllib.parse.urlencode(query)}")
        assert status == 200
        yield page
        token = etree.fromstring(page).find(f"{OAI}ListRecords/{OAI}resumptionToken")
        if token is None or not token.text:
            return
        query = {"verb": "ListRecords", "resumptionToken": token.text}


def extracted(edusources: ModuleType, soup: Any, el: Any) -> dict[str, Any]:
    """The compared fields as the consumer extracts them (lists as sets where it dedups with set())."""
    extract = edusources.EdurepDataExtraction
    return {
        "title": words(extract.get_title(soup, el)),
        "description": words(extract.get_description(soup, el)),
        "url": extract.get_url(soup, el),
        "language": extract.get_language(soup, el),
        "licence": extract.get_copyright(soup, el),
        "keywords": once(extract.get_keywords(soup, el)),
        "publishers": extract.get_publishers(soup, el),
        "levels": set(extract.get_educational_levels(soup, el)),
        "disciplines": set(extract.get_studies(soup, el)),
        "material_types": once(extract.get_material_types(soup, el)),
        "aggregation_level": extract.get_aggregation_level(soup, el),
        "ideas": set(extract.get_ideas(soup, el)),
        "publication_date": extract.get_publisher_date(soup, el),
    }


def once(values: list[str]) -> list[str]:
    """The values in order, each once: the feed writes a value as often as the source gave it
    (Edurep's SRU records repeat learning resource types), the API lists it once."""
    return list(dict.fromkeys(values))


def words(text: str | None) -> str | None:
    """A text's words: the feed carries a title or description as the source wrote it, line
    breaks and indentation included, where the API gives it cleaned for display."""
    return None if text is None else " ".join(text.split())


def first_in_document(tree: dict[str, Any], name: str, model: Element = LOM_MODEL) -> Any:
    """The first value of element `name` in the served LOM tree, in document (the model's) order."""
    for child_name, child in model.children.items():
        for value in tree.get(child_name, ()):
            if child_name == name:
                return value
            if child.kind == CONTAINER and child is not model:
                found = first_in_document(value, name, child)
                if found is not None:
                    return found
    return None


def contribution_date(contributors: list[dict[str, Any]], role: str) -> str | None:
    """The date of the first `<contribute>` with `role` (the writer writes a run of one role and date as one)."""
    return next((c["date"] for c in contributors if c["role"] == role), None)


def expected(resource: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The compared fields as the consumer should read them from the JSON API's record, and the
    exceptions (see `EXCEPTIONS`) that apply to this record."""
    contributors = resource["contributors"]
    licence = resource["licence"]
    exceptions = []
    lom = resource["lom"] or {}
    description = resource["description"]
    elsewhere = first_in_document(lom, "description")
    if description is None and elsewhere is not None:
        exceptions.append(DESCRIPTION_ELSEWHERE)
        description = elsewhere[0][1]
    language = resource["languages"][0] if resource["languages"] else None
    elsewhere = first_in_document(lom, "language")
    if language is None and elsewhere is not None:
        exceptions.append(LANGUAGE_ELSEWHERE)
        language = elsewhere
    url = resource["location"]
    if url is not None and not resource["formats"]:
        exceptions.append(LOCATION_WITHOUT_FORMAT)
        url = None
    keywords = resource["keywords"]
    general_keywords = [strings for general in lom.get("general", ()) for strings in general.get("keyword", ())]
    if any(len(strings) > 1 for strings in general_keywords):
        exceptions.append(KEYWORD_FIRST_STRING)
        keywords = once([strings[0][1] for strings in general_keywords])
    classification_keywords = [strings[0][1] for classification in lom.get("classification", ())
                               for strings in classification.get("keyword", ())]
    if classification_keywords:
        exceptions.append(CLASSIFICATION_KEYWORDS)
        keywords = once(keywords + classification_keywords)
    material_types = resource["learning_resource_types"]
    given_types = once([entry["value"] for educational in lom.get("educational", ())
                        for entry in educational.get("learningresourcetype", ())])
    if lom and given_types != material_types:
        exceptions.append(TYPE_AS_GIVEN)
        material_types = given_types
    levels = {term["label"] for term in resource["educational_levels"]}
    if None in levels:
        exceptions.append(LEVEL_WITHOUT_LABEL)
        levels.remove(None)
    given_levels = {taxon["entry"][0][0][1] for classification in lom.get("classification", ())
                    if classification.get("purpose", [{}])[0].get("value") == "educational level"
                    for path in classification.get("taxonpath", ()) for taxon in path.get("taxon", ())
                    if taxon.get("entry")}
    if lom and given_levels != levels:
        exceptions.append(LEVEL_LABEL_AS_GIVEN)
        levels = given_levels
    # The writer leaves out contributions that name no one and have no date, and writes a run
    # of contributors with one role and date as one <contribute>; the consumer reads the first.
    written = [c for c in contributors if c["name"] is not None or c["date"]]
    start = next((i for i, c in enumerate(written) if c["role"] == "publisher"), len(written))
    publishers = list(takewhile(
        lambda c: (c["role"], c["date"], c["name"] is not None)
        == ("publisher", written[start]["date"], written[start]["name"] is not None),
        written[start:]))
    return {
        "title": words(resource["title"]),
        "description": words(description),
        "url": url,
        "language": language,
        "licence": licence["code"] if licence else "yes",
        "keywords": keywords,
        "publishers": [c["name"] for c in publishers if c["name"]],
        "levels": levels,
        "disciplines": {term["id"] for term in resource["disciplines"]},
        "material_types": material_types,
        "aggregation_level": None if resource["aggregation_level"] is None else str(resource["aggregation_level"]),
        "ideas": set(),
        "publication_date": contribution_date(written, "publisher")
        or contribution_date(written, "content provider"),
    }, exceptions


def test_edusources_extractor_reads_the_lom_feed_as_the_api_says(live_feed: str, edusources: ModuleType) -> None:
    base = live_feed.removesuffix("/oai")
    extract = edusources.EdurepDataExtraction
    differences: dict[str, dict[str, tuple[Any, Any]]] = {}
    exceptions: Counter[str] = Counter()
    live = 0
    for page in list_records_pages(live_feed, metadataPrefix="lom"):
        soup = BeautifulSoup(page, "lxml")
        for el in extract.get_oaipmh_records(soup):
            identifier = extract.get_oaipmh_external_id(soup, el)
            assert not identifier.startswith("surfsharekit")  # see the module docstring on ideas
            status, body = get(f"{base}/api/v1/resources/{identifier.split(':', 2)[2]}")
            if extract.get_oaipmh_record_state(soup, el) == "deleted":
                assert status == 410, identifier
                continue
            assert status == 200, identifier
            live += 1
            theirs = extracted(edusources, soup, el)
            ours, applying = expected(json.loads(body))
            exceptions.update(applying)
            found = {name: (theirs[name], ours[name]) for name in ours if theirs[name] != ours[name]}
            if found:
                differences[identifier] = found
    assert differences == {}
    # Every live record of the feed (the fixtures' materials and their copies), and how many
    # of them each exception applies to.
    assert live == FIXTURE_MATERIALS + COPIES
    assert exceptions == EXPECTED_EXCEPTIONS
