"""A harvested title that is only markup shows as "(zonder titel)", never as an empty heading or link."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from metadata.record import Identifier, Record
from oer.accounts.actor import SYSTEM
from oer.collections import service as collections
from oer.discovery.queries import iter_index_entries
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.harvesting.sources import add_source
from oer.search import document_from_record
from oer.search.tantivy_backend import TantivyBackend
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, migrate, session_factory
from web.app import create_app

MARKUP_TITLES = ("<b></b>", "<script>scriptje()</script>", "<p> </p><br/>", "<style>p {}</style><i> </i>")
WORDED_TITLE = "<b>Breuken</b> oefenen"
KEYWORD = "opmaaktitel"
COLLECTION = "opmaak"


def _record(number: int, title: str) -> Record:
    return Record(
        oai_identifier=f"oai:opmaak.example.org:{number}",
        datestamp="2024-03-01T10:00:00Z",
        title=title,
        titles={"nl": title},
        languages=("nl",),
        description="Een materiaal waarvan de titel alleen uit opmaak bestaat.",
        keywords=(KEYWORD,),
        identifiers=(Identifier("URI", f"urn:uuid:0e1d{number:04d}-5e2a-4b7c-9d3e-a1b2c3d4e5f6"),),
        location=f"https://opmaak.example.org/{number}/",
    )


@pytest.fixture(scope="module")
def markup_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, str]]]:
    """A site whose materials have titles of markup only (and one with words in its markup)."""
    home: Path = tmp_path_factory.mktemp("markup") / "home"
    home.mkdir()
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'oer.sqlite3'}", search_url=None,
                        broker_url=None, secret_key="markup titles")
    migrate(settings)
    engine = create_engine_from_settings(settings)
    sessions = session_factory(engine)
    records = [_record(number, title) for number, title in enumerate((*MARKUP_TITLES, WORDED_TITLE))]
    with sessions.begin() as session:
        source = add_source(session, "opmaak", "https://opmaak.example.org/oai", "lom")
        apply_harvested_page(session, source, [
            HarvestedRecord(oai_identifier=r.oai_identifier or "", datestamp=r.datestamp or "", record=r)
            for r in records])
    backend = TantivyBackend.open(settings.index_dir)
    try:
        with sessions.begin() as session:
            entries = list(iter_index_entries(session))
            backend.index(document_from_record(e.id, e.record, sources=e.sources, updated_at=e.updated_at)
                          for e in entries)
            ids = {e.record.title or "": e.id for e in entries}
            collection = collections.create_collection(session, SYSTEM, slug=COLLECTION, title="Opmaak")
            for resource_id in ids.values():
                collections.add_item(session, SYSTEM, collection, resource_id)
    finally:
        backend.close()
        engine.dispose()
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    yield app, ids
    app.extensions["oer_runtime"].close()


@pytest.fixture
def client(markup_app: tuple[Flask, dict[str, str]]) -> FlaskClient:
    return markup_app[0].test_client()


def _links(html: str, pattern: str) -> list[str]:
    return [" ".join(text.split()) for text in re.findall(pattern, html, re.S)]


def test_result_cards_fall_back_to_untitled(client: FlaskClient) -> None:
    html = client.get(f"/search?q={KEYWORD}").text
    titles = _links(html, r'<h3 class="result-title"[^>]*><a [^>]*>(.*?)</a>')
    assert sorted(titles) == sorted(["(zonder titel)"] * len(MARKUP_TITLES) + ["Breuken oefenen"])
    assert "scriptje" not in html


@pytest.mark.parametrize("title", MARKUP_TITLES)
def test_the_detail_page_falls_back_to_untitled(client: FlaskClient, markup_app: tuple[Flask, dict[str, str]],
                                                title: str) -> None:
    html = client.get(f"/resources/{markup_app[1][title]}").text
    assert _links(html, r"<h1>(.*?)</h1>") == ["(zonder titel)"]
    assert "<title>(zonder titel) ·" in html
    # The structured data names nothing rather than an empty or markup name.
    [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "name" not in json.loads(ld)
    client.set_cookie("lang", "en")
    assert _links(client.get(f"/resources/{markup_app[1][title]}").text, r"<h1>(.*?)</h1>") == ["(untitled)"]


def test_a_collection_shows_the_text_of_its_titles(client: FlaskClient) -> None:
    html = client.get(f"/collecties/{COLLECTION}").text
    titles = _links(html, r"<h3><a [^>]*>(.*?)</a>")
    assert sorted(titles) == sorted(["(zonder titel)"] * len(MARKUP_TITLES) + ["Breuken oefenen"])
    assert "&lt;b&gt;" not in html and "scriptje" not in html


def test_suggestions_leave_out_titles_without_text(client: FlaskClient) -> None:
    for typed in ("scr", "bre", "sty"):
        suggestions = client.get(f"/api/v1/suggest?q={typed}").get_json()["suggestions"]
        assert all(suggestion["text"].strip() for suggestion in suggestions), (typed, suggestions)


@pytest.mark.parametrize(("title", "shown"), [
    (None, "(zonder titel)"), ("", "(zonder titel)"), ("<b></b>", "(zonder titel)"),
    ("<script>x</script>", "(zonder titel)"), ("  <b>Breuken</b>\n oefenen ", "Breuken oefenen"),
    ("Breuken & kommagetallen", "Breuken &amp; kommagetallen"),
])
def test_the_title_label_filter(markup_app: tuple[Flask, dict[str, str]], title: str | None, shown: str) -> None:
    with markup_app[0].test_request_context("/"):
        assert render_template_string("{{ title|title_label }}", title=title) == shown
        assert render_template_string("{{ title|title_label('id-1') }}", title=title) in (shown, "id-1")
