"""A search outage is a 503 (page or JSON) with Retry-After, never a traceback or an empty result."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask

from tests.fixtures.webapp import WebInstance
from web.app import create_app


def test_search_outage_gives_503_page_and_json(broken_search_app: tuple[Flask, Path]) -> None:
    app, index = broken_search_app
    client = app.test_client()
    assert client.get("/search?q=breuken").status_code == 200  # working before
    shutil.rmtree(index)

    page = client.get("/search?q=breuken")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "Zoeken lukt even niet" in page.text and "Traceback" not in page.text
    assert "materialen gevonden" not in page.text.lower()
    assert client.get("/").status_code == 503

    for url in ("/api/v1/resources?q=breuken", "/api/v1/suggest?q=bre"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.is_json
        assert response.get_json()["error"]["status"] == 503
        assert response.headers["Retry-After"] == "30"

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True and body["search"]["ok"] is False


def test_detail_pages_do_not_need_search(broken_search_app: tuple[Flask, Path], web_instance: WebInstance) -> None:
    app, index = broken_search_app
    shutil.rmtree(index)
    client = app.test_client()
    assert client.get(f"/resources/{web_instance.ids['arrangement']}").status_code == 200
    assert client.get(f"/api/v1/resources/{web_instance.ids['arrangement']}").status_code == 200


def test_healthz_when_all_is_well(client: object, web_instance: WebInstance) -> None:
    response = client.get("/healthz")  # type: ignore[attr-defined]
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "resources": web_instance.total}
    assert body["search"]["ok"] is True and body["search"]["documents"] == web_instance.total


def test_missing_database_is_a_503_not_an_empty_file(tmp_path: Path, web_instance: WebInstance) -> None:
    settings = web_instance.settings.__class__(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'missing.sqlite3'}", search_url=None,
        broker_url=None, secret_key="s",
    )
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    client = app.test_client()
    response = client.get(f"/resources/{web_instance.ids['arrangement']}")
    assert response.status_code == 503
    assert "De catalogus is even niet bereikbaar" in response.text
    api = client.get("/api/v1/resources/x")
    assert api.status_code == 503 and api.get_json()["error"]["title"] == "Service Unavailable"
    assert not (tmp_path / "missing.sqlite3").exists()
    app.extensions["oer_catalogue"].close()


def test_search_pages_keep_working_while_the_database_is_down(tmp_path: Path, web_instance: WebInstance) -> None:
    # The index is there, the database is not: the home page and search read the index only; the
    # featured collections and the quality framework's names are what they read from the database.
    from oer.search.tantivy_backend import TantivyBackend

    index = tmp_path / "index"
    shutil.copytree(web_instance.settings.index_dir, index)
    backend = TantivyBackend.open(index)
    settings = web_instance.settings.__class__(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'missing.sqlite3'}", search_url=None,
        broker_url=None, secret_key="s",
    )
    app = create_app({"OER_SETTINGS": settings, "TESTING": True, "OER_SEARCH_BACKEND": backend})
    client = app.test_client()
    try:
        home = client.get("/")
        assert home.status_code == 200 and "Uitgelichte collecties" not in home.text
        results = client.get("/search?quality=didactiek.doelen")
        assert results.status_code == 200 and "Verfijn op kwaliteit" in results.text
        assert "Leerdoelen zijn duidelijk" in results.text, "the chip is named by the bundled framework"
    finally:
        backend.close()
        app.extensions["oer_runtime"].engine.dispose()
