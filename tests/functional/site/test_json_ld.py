"""The schema.org JSON-LD of detail pages: each property, its type, and URLs that are URLs.

The pages are those of the populated instance: real harvested records (Edurep, AnatomyTool)
and the generated arrangement with its parts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from oer.discovery.queries import iter_index_entries
from oer.store.database import create_engine_from_settings, session_factory
from tests.fixtures.webapp import WebInstance


@pytest.fixture(scope="module")
def resource_ids(web_instance: WebInstance) -> Iterator[dict[str, str]]:
    engine = create_engine_from_settings(web_instance.settings)
    try:
        with session_factory(engine)() as session:
            yield {e.record.oai_identifier or "": e.id for e in iter_index_entries(session)}
    finally:
        engine.dispose()


def json_ld_of(client: FlaskClient, resource_id: str) -> dict[str, Any]:
    html = client.get(f"/resources/{resource_id}").text
    [block] = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    data: dict[str, Any] = json.loads(block)
    return data


EDUREP_WHOLE = "surfsharekit:oai:surfsharekit.nl:3c2b4e81-e9a1-41bc-8b6a-97bfe7e4048b"
EDUREP_PART = "surfsharekit:oai:surfsharekit.nl:a18cdda7-e9c7-40d7-a7ad-6e875d9015ce"
EDUREP_PUBLISHED = "wikiwijs:oai:surfsharekit.nl:63903863-6c93-4bda-b850-277f3c9ec00e"
ANATOMY = "oai:anatomytool.org:56055"
URL_KEYS = ("url", "@id", "license")


def links_in(data: Any) -> Iterator[tuple[str, str]]:
    """Every (key, value) of a property that must hold a URL, anywhere in the JSON-LD."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in URL_KEYS and isinstance(value, str):
                yield key, value
            yield from links_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from links_in(item)


def assert_urls_are_web_urls(data: dict[str, Any]) -> None:
    for key, value in links_in(data):
        assert urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc, (key, value)
        assert not value.startswith("oai:"), (key, value)


def test_real_edurep_record(client: FlaskClient, resource_ids: dict[str, str]) -> None:
    data = json_ld_of(client, resource_ids[EDUREP_PUBLISHED])
    assert data["@type"] == "LearningResource"
    assert data["typicalAgeRange"] == "16-90"
    # the publisher's lifecycle date
    assert data["datePublished"] == "2017-09-27"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+Z", data["dateModified"])
    assert {item["@type"] for item in data["publisher"]} == {"Organization"}
    assert_urls_are_web_urls(data)


def test_open_age_range_and_author_date(client: FlaskClient, resource_ids: dict[str, str]) -> None:
    data = json_ld_of(client, resource_ids[ANATOMY])
    # NL-LOM's "16+" in schema.org's spelling of an open range
    assert data["typicalAgeRange"] == "16-"
    # no publisher date: the author's (2016-06-05T23:30:00+02:00), as a date
    assert data["datePublished"] == "2016-06-05"
    assert all(item["@type"] == "Person" and item["name"] for item in data["author"])
    assert_urls_are_web_urls(data)


def test_parts_named_by_their_origin_s_oai_identifier_link_to_their_pages(
        client: FlaskClient, resource_ids: dict[str, str]) -> None:
    whole = json_ld_of(client, resource_ids[EDUREP_WHOLE])
    # Edurep's relations name parts by the OAI identifier at their origin (oai:surfsharekit.nl:…),
    # which Edurep's own records give in <about><provenance>: the parts it serves link to their pages.
    assert whole["hasPart"]
    known = [part for part in whole["hasPart"] if "url" in part]
    assert f"http://localhost/resources/{resource_ids[EDUREP_PART]}" in [part["url"] for part in known]
    for part in whole["hasPart"]:
        assert part["@type"] == "LearningResource"
        if "url" in part:
            assert part["@id"] == part["url"] and part["url"].startswith("http://localhost/resources/")
        else:  # a part not harvested here keeps only its identifier
            assert part["identifier"].startswith("oai:surfsharekit.nl:")
    part = json_ld_of(client, resource_ids[EDUREP_PART])
    assert [whole["url"] for whole in part["isPartOf"]] == [
        f"http://localhost/resources/{resource_ids[EDUREP_WHOLE]}"]
    assert_urls_are_web_urls(whole)
    assert_urls_are_web_urls(part)


def test_arrangement_and_its_parts(client: FlaskClient, web_instance: WebInstance) -> None:
    ids = web_instance.ids
    data = json_ld_of(client, ids["arrangement"])
    part_pages = [f"http://localhost/resources/{ids[f'part{n}']}" for n in (1, 2, 3)]
    assert [part["url"] for part in data["hasPart"]] == part_pages
    assert [part["@id"] for part in data["hasPart"]] == part_pages
    assert [part["name"] for part in data["hasPart"]] == [
        "Breuken vergelijken", "Breuken optellen", "Breuken vermenigvuldigen"]
    assert data["datePublished"] == "2023-09-01"
    assert data["author"] == [{"@type": "Person", "name": "Juf Auteur 1"}]
    assert data["publisher"] == [{"@type": "Organization", "name": "Wikiwijs"}]
    assert data["educationalLevel"] == [{
        "@type": "DefinedTerm", "termCode": "512e4729-03a4-43a2-95ba-758071d1b725",
        "name": "Primair onderwijs", "inDefinedTermSet": "http://purl.edustandaard.nl/begrippenkader"}]
    assert_urls_are_web_urls(data)

    part = json_ld_of(client, ids["part1"])
    assert part["typicalAgeRange"] == "10-12"
    assert part["isPartOf"] == [{
        "@type": "LearningResource", "@id": f"http://localhost/resources/{ids['arrangement']}",
        "url": f"http://localhost/resources/{ids['arrangement']}",
        "name": "Lessenserie breuken voor groep 7 en 8"}]
    assert_urls_are_web_urls(part)


def test_no_page_has_an_identifier_where_a_url_belongs(client: FlaskClient,
                                                       resource_ids: dict[str, str]) -> None:
    for resource_id in resource_ids.values():
        assert_urls_are_web_urls(json_ld_of(client, resource_id))
