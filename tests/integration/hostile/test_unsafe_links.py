"""A source that sends javascript:, data: and other links: none of them travel, anywhere.

Harvested over real HTTP from a loopback source; then read back the way users and platforms
read the catalogue: the JSON API, the detail page's JSON-LD and the OAI-PMH feed in every format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from harvester.replay_pages import GeneratedCorpus, PageSource, nl_lom_record
from harvester.replay_server import OaiReplayServer
from oer.harvesting.service import harvest
from oer.settings import Settings
from tests.support.harvesting import add
from web.app import create_app

SPELLINGS = [
    "javascript:alert(document.domain)", "JaVaScRiPt:alert(document.domain)", " javascript:alert(1)",
    "java&#x09;script:alert(1)", "java\nscript:alert(1)", "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
    "vbscript:msgbox(1)", "file:///etc/passwd",
]


def hostile_record(index: int) -> bytes:
    record = nl_lom_record(index)
    link = SPELLINGS[index % len(SPELLINGS)].encode()
    record = re.sub(rb"<location>[^<]*</location>", b"<location>" + link + b"</location>", record, count=1)
    # The same link as the target of a relation (a part, a related material).
    relation = (b"<relation><kind><source><langstring xml:lang=\"x-none\">LOMv1.0</langstring></source>"
                b"<value><langstring xml:lang=\"x-none\">haspart</langstring></value></kind><resource>"
                b"<description><langstring xml:lang=\"nl\">Onderdeel</langstring></description>"
                b"<catalogentry><catalog>URI</catalog><entry><langstring xml:lang=\"x-none\">" + link
                + b"</langstring></entry></catalogentry></resource></relation>")
    return record.replace(b"</lom>", relation + b"</lom>")


def test_unsafe_links_in_every_spelling_never_reach_the_api_json_ld_or_feed(
    instance: Settings, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(GeneratedCorpus(len(SPELLINGS), record=hostile_record))
    add(instance, "vijandig", server.url)
    [report] = harvest(instance, ["vijandig"])
    assert report.ok

    app = create_app({"OER_SETTINGS": instance, "TESTING": True})
    try:
        client = app.test_client()
        listing = client.get("/api/v1/resources?size=50").get_json()
        assert listing["total"] == len(SPELLINGS), "the records are kept; only their links are dropped"
        for item in listing["items"]:
            assert item["url"] is None
            detail = client.get(f"/api/v1/resources/{item['id']}").get_json()
            assert detail["location"] is None
            # Dropped and said so (the issue quotes it as text); no relation keeps it as a target.
            unsafe = [issue["message"] for issue in detail["issues"] if issue["code"] == "unsafe-link"]
            assert any("relation target" in message for message in unsafe)
            shown = json.dumps({key: value for key, value in detail.items() if key != "issues"}).lower()
            assert "script:" not in shown.replace(" ", "").replace("\\t", "").replace("\\n", "")
            assert "data:text" not in shown and "file:///" not in shown
            assert any(issue["code"] == "unsafe-link" for issue in detail["issues"])
            page = client.get(f"/resources/{item['id']}").get_data(as_text=True)
            [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
            assert "url" not in json.loads(ld)
        for prefix in ("lom", "nl_lom", "oai_dc"):
            feed = client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}").get_data(as_text=True).lower()
            assert "script:" not in feed.replace(" ", "").replace("\t", "") and "data:text" not in feed
            assert "file:///" not in feed and "vbscript" not in feed
    finally:
        app.extensions["oer_runtime"].close()
