"""A source that sends a 10 MB description and 100 000 keywords: the record is kept, cut to size.

Harvested over real HTTP from a loopback source, then read back the way users
read the catalogue (the JSON API and the detail page) and the way an operator
re-normalises (the raw archive): what is stored and shown is bounded and says
what was cut, the archive holds the record as it was sent, and the ordinary
record on the same page is untouched. A record too large to read at all is a
failed record of its page, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harvester.outcome import Outcome
from harvester.replay_pages import GeneratedCorpus, PageSource, nl_lom_record
from harvester.replay_server import OaiReplayServer
from metadata import limits
from oer.harvesting.archive import ArchivedVersion, iter_archived_records
from oer.harvesting.service import harvest
from oer.harvesting.sources import get_source
from oer.settings import Settings
from oer.store.database import store_sessions
from tests.support.harvesting import add, stored
from web.app import create_app

IDENTIFIER = "oai:generated.example.org:{}"
# 10 MB: the most the XML parser takes in one text node (libxml2 without its huge-tree option).
DESCRIPTION = ("Een les over breuken met uitleg en opgaven. " * 230_000)[:10_000_000]
KEYWORDS = 100_000


def _description_element(text: str) -> bytes:
    return f'<description><langstring xml:lang="nl">{text}</langstring></description>'.encode()


def bloated(index: int) -> bytes:
    """Record 0: a 10 MB description and 100 000 keywords; the others as a repository sends them."""
    record = nl_lom_record(index)
    if index != 0:
        return record
    keywords = b"".join(b'<keyword><langstring xml:lang="nl">trefwoord %d</langstring></keyword>' % i
                        for i in range(KEYWORDS))
    record = re.sub(rb"<description>.*?</description>", lambda _: _description_element(DESCRIPTION), record,
                    count=1)
    return record.replace(b"</general>", keywords + b"</general>", 1)


def oversized(index: int) -> bytes:
    """Record 0 larger than a record may be (in text nodes the parser takes); the others ordinary."""
    record = nl_lom_record(index)
    if index != 0:
        return record
    descriptions = _description_element("x" * 9_000_000) * (limits.RECORD_XML_MAX // 9_000_000 + 1)
    return record.replace(b"</general>", descriptions + b"</general>", 1)


def archived(settings: Settings, source_name: str) -> dict[str, ArchivedVersion]:
    with store_sessions(settings) as sessions, sessions() as session:
        source = get_source(session, source_name)
        return {version.oai_identifier: version for version in iter_archived_records(session, source)}


def test_a_10_mb_description_and_100k_keywords_are_cut_to_size_and_archived_whole(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(GeneratedCorpus(2, record=bloated))
    add(instance, "opgeblazen", server.url)
    [report] = harvest(instance, ["opgeblazen"])
    assert report.ok and report.records == 2

    found = stored(instance)
    assert found.failed == {}
    big_id = found.resource_of("opgeblazen", IDENTIFIER.format(0))
    normal_id = found.resource_of("opgeblazen", IDENTIFIER.format(1))

    app = create_app({"OER_SETTINGS": instance, "TESTING": True})
    try:
        client = app.test_client()
        big = client.get(f"/api/v1/resources/{big_id}").get_json()
        assert len(big["description"]) <= limits.DESCRIPTION_MAX
        assert DESCRIPTION.startswith(big["description"].removesuffix(limits.ELLIPSIS))
        assert len(big["keywords"]) == limits.KEYWORDS_MAX
        issues = {(issue["code"], issue["path"]): issue["message"] for issue in big["issues"]}
        assert issues[("value-too-long", "general/description")] == (
            f"description has {len(DESCRIPTION.strip())} characters, more than the limit of "
            f"{limits.DESCRIPTION_MAX}; cut to fit")
        assert issues[("too-many-values", "general/keyword")].startswith(
            f"{KEYWORDS + 2} keyword values, more than the limit of {limits.KEYWORDS_MAX}")
        page = client.get(f"/resources/{big_id}")
        assert page.status_code == 200
        # Unbounded, a 10 MB description made a 20 MB page.
        assert len(page.get_data()) < 5 * limits.DESCRIPTION_MAX, "the detail page is bounded"

        # The ordinary record on the same page is as the source sent it.
        normal = client.get(f"/api/v1/resources/{normal_id}").get_json()
        assert normal["title"] == re.search(
            r'<title><langstring xml:lang="nl">([^<]*)<', nl_lom_record(1).decode()).group(1)
        assert normal["description"].startswith("Lesmateriaal over")
        assert len(normal["keywords"]) == 2
        assert not [i for i in normal["issues"] if i["code"] in ("value-too-long", "too-many-values")]
    finally:
        app.extensions["oer_runtime"].close()

    # The raw archive keeps the record whole: cutting happened in normalisation only.
    raw = archived(instance, "opgeblazen")[IDENTIFIER.format(0)].xml
    assert DESCRIPTION.encode() in raw
    assert raw.count(b"<keyword>") == KEYWORDS + 2


def test_a_record_larger_than_a_record_may_be_fails_alone_with_the_reason(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(GeneratedCorpus(2, record=oversized))
    add(instance, "te-groot", server.url)
    [report] = harvest(instance, ["te-groot"])
    assert report.ok and report.records == 2
    assert report.count(Outcome.FAILED) == 1 and report.count(Outcome.CREATED) == 1

    found = stored(instance)
    reason = found.failed[IDENTIFIER.format(0)]
    assert reason is not None and f"more than the limit of {limits.RECORD_XML_MAX} bytes" in reason
    assert ("te-groot", IDENTIFIER.format(1)) in found.provenances
    assert found.live[found.resource_of("te-groot", IDENTIFIER.format(1))]
    assert len(archived(instance, "te-groot")[IDENTIFIER.format(0)].xml) > limits.RECORD_XML_MAX
