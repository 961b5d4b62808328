"""The feed's human view: every response names the site's XSLT, which renders it as a page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree, html

from tests.unit.oai.validation import validate_response

STYLESHEET_PI = 'type="text/xsl" href="/static/oai/oai2.xsl?v='


def stylesheet_of(app: Flask) -> etree.XSLT:
    path = f"{app.static_folder}/oai/oai2.xsl"
    return etree.XSLT(etree.parse(path, etree.XMLParser(no_network=True, resolve_entities=False)))


def rendered(app: Flask, body: bytes) -> html.HtmlElement:
    document = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    result = stylesheet_of(app)(document.getroottree())
    return html.fromstring(str(result))


@pytest.mark.parametrize("query", [
    "verb=Identify", "verb=ListSets", "verb=ListMetadataFormats",
    "verb=ListIdentifiers&metadataPrefix=lom", "verb=ListRecords&metadataPrefix=oai_dc",
    "verb=ListRecords&metadataPrefix=nl_lom", "verb=Nonsense",
])
def test_every_response_names_the_stylesheet_and_stays_valid(client: FlaskClient, query: str) -> None:
    body = client.get(f"/oai?{query}").get_data()
    declaration, instruction, _ = body.split(b"\n", 2)
    assert declaration == b"<?xml version='1.0' encoding='UTF-8'?>"
    assert instruction.startswith(b"<?xml-stylesheet " + STYLESHEET_PI.encode())
    root = validate_response(body)
    pi = root.getprevious()
    assert isinstance(pi, etree._XSLTProcessingInstruction)
    assert pi.get("type") == "text/xsl"
    assert pi.get("href").startswith("/static/oai/oai2.xsl?v=")


def test_the_stylesheet_is_served_as_xslt(client: FlaskClient) -> None:
    with client.get("/static/oai/oai2.xsl") as response:
        assert response.status_code == 200
        assert response.mimetype in ("application/xslt+xml", "text/xsl", "application/xml", "text/xml")
    with client.get("/static/oai/oai2.css") as response:
        assert response.status_code == 200


def test_identify_is_a_page_with_the_repository_name(app: Flask, client: FlaskClient) -> None:
    body = client.get("/oai?verb=Identify").get_data()
    name = validate_response(body).findtext("{http://www.openarchives.org/OAI/2.0/}Identify/"
                                            "{http://www.openarchives.org/OAI/2.0/}repositoryName")
    page = rendered(app, body)
    assert page.findtext(".//h1") == name
    assert page.get("lang") == "nl"
    # only the site's own stylesheets, linked relative to /oai; nothing inline
    assert [link.get("href") for link in page.iter("link") if link.get("rel") == "stylesheet"] == [
        "static/css/site.css", "static/oai/oai2.css"]
    assert all(link.get("href").startswith("static/") for link in page.iter("link"))
    assert not list(page.iter("style", "script")) and not page.xpath("//@style")


def test_list_records_links_to_records_and_the_next_page(app: Flask, client: FlaskClient) -> None:
    body = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").get_data()
    root = validate_response(body)
    oai = "{http://www.openarchives.org/OAI/2.0/}"
    token = root.findtext(f"{oai}ListRecords/{oai}resumptionToken")
    identifiers = [e.text for e in root.iter(f"{oai}identifier")]
    page = rendered(app, body)
    [next_link] = page.xpath("//a[@rel='next']")
    assert parse_qs(urlsplit(next_link.get("href")).query) == {
        "verb": ["ListRecords"], "resumptionToken": [token]}
    records = [parse_qs(urlsplit(a.get("href")).query) for a in page.xpath("//a[contains(@href, 'GetRecord')]")]
    assert [r["identifier"][0] for r in records] == identifiers
    assert all(r["metadataPrefix"] == ["oai_dc"] for r in records)
    assert len(page.xpath("//article")) == len(identifiers)
    # the next page, followed as a person would, is a valid response
    validate_response(client.get("/oai" + next_link.get("href")).get_data())


def test_errors_are_shown(app: Flask, client: FlaskClient) -> None:
    page = rendered(app, client.get("/oai?verb=Nonsense").get_data())
    assert "badVerb" in page.text_content()
    assert page.findtext(".//h1").startswith("Fout")
