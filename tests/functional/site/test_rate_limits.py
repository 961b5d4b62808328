"""Search, the read API and the feed answer 429 with Retry-After past their limits, per client address."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.fixtures.webapp import WebInstance
from web.app import create_app
from web.rate_limits import Budget, budgets

SEARCH_LIMIT, API_LIMIT, FEED_LIMIT = 3, 4, 2
VISITOR, NEIGHBOUR = "198.51.100.7", "198.51.100.8"


@pytest.fixture
def limited_app(web_instance: WebInstance) -> Iterator[Flask]:
    """Small limits, behind one proxy (so X-Forwarded-For names the client)."""
    settings = dataclasses.replace(
        web_instance.settings, proxy_hops=1, rate_limit_search=f"{SEARCH_LIMIT}/minute",
        rate_limit_api=f"{API_LIMIT} per minute", rate_limit_feed=f"{FEED_LIMIT}/minute")
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    yield app
    app.extensions["oer_runtime"].close()


class Visitor:
    """A client whose requests come through the proxy from one address."""

    def __init__(self, app: Flask, address: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.headers = {"X-Forwarded-For": address}

    def get(self, url: str) -> TestResponse:
        return self.client.get(url, headers=self.headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})

    def post(self, url: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(url, data=data, headers=self.headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})


def assert_limited(response: TestResponse) -> None:
    assert response.status_code == 429
    # Seconds until the minute's window ends, rounded up.
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_search_pages_and_api_search_share_one_budget(limited_app: Flask) -> None:
    visitor = Visitor(limited_app, VISITOR)
    first = [visitor.get("/search?q=breuken"), visitor.get("/"), visitor.get("/api/v1/resources?q=breuken")]
    assert [r.status_code for r in first] == [200] * SEARCH_LIMIT
    assert not any("Retry-After" in r.headers for r in first)
    page = visitor.get("/search?q=vulkanen")
    assert_limited(page)
    assert "Te veel verzoeken" in page.text and "text/html" in page.content_type
    api = visitor.get("/api/v1/resources?q=vulkanen")
    assert_limited(api)
    assert api.get_json()["error"]["status"] == 429
    # The English page, for a visitor who chose English.
    visitor.client.set_cookie("lang", "en")
    assert "Too many requests" in visitor.get("/search").text


def test_the_read_api_has_its_own_budget(limited_app: Flask, web_instance: WebInstance) -> None:
    visitor = Visitor(limited_app, VISITOR)
    resource = f"/api/v1/resources/{web_instance.ids['arrangement']}"
    urls = [resource, "/api/v1/suggest?q=bre", "/api/v1/openapi.json", resource]
    assert [visitor.get(url).status_code for url in urls] == [200] * API_LIMIT
    answer = visitor.get("/api/v1/suggest?q=vul")
    assert_limited(answer)
    assert answer.get_json()["error"]["status"] == 429
    # Searching is counted apart.
    assert visitor.get("/api/v1/resources?q=breuken").status_code == 200


def test_the_feed_counts_get_and_post_alike(limited_app: Flask) -> None:
    visitor = Visitor(limited_app, VISITOR)
    assert visitor.get("/oai?verb=Identify").status_code == 200
    assert visitor.post("/oai", {"verb": "Identify"}).status_code == 200
    for answer in (visitor.get("/oai?verb=Identify"), visitor.post("/oai", {"verb": "ListSets"})):
        assert_limited(answer)
        assert answer.content_type.startswith("text/plain")
        assert "Retry-After" in answer.text


def test_another_client_address_is_not_affected(limited_app: Flask) -> None:
    visitor, neighbour = Visitor(limited_app, VISITOR), Visitor(limited_app, NEIGHBOUR)
    for _ in range(SEARCH_LIMIT):
        visitor.get("/search?q=breuken")
    for _ in range(FEED_LIMIT):
        visitor.get("/oai?verb=Identify")
    assert_limited(visitor.get("/search?q=breuken"))
    assert_limited(visitor.get("/oai?verb=Identify"))
    assert neighbour.get("/search?q=breuken").status_code == 200
    assert neighbour.get("/oai?verb=Identify").status_code == 200


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(web_instance: WebInstance) -> None:
    settings = dataclasses.replace(web_instance.settings, rate_limit_search="1/minute")
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    try:
        assert Visitor(app, VISITOR).get("/search").status_code == 200
        # A made-up X-Forwarded-For does not buy a fresh budget: the address is the connection's.
        assert_limited(Visitor(app, NEIGHBOUR).get("/search"))
    finally:
        app.extensions["oer_runtime"].close()


def test_health_and_static_files_are_never_limited(limited_app: Flask) -> None:
    visitor = Visitor(limited_app, VISITOR)
    for _ in range(SEARCH_LIMIT + 1):
        visitor.get("/search")
    assert_limited(visitor.get("/search"))
    answers = [visitor.get("/healthz") for _ in range(3 * API_LIMIT)]
    answers += [visitor.get("/static/favicon.svg") for _ in range(3 * API_LIMIT)]
    for answer in answers:
        answer.close()
    assert {answer.status_code for answer in answers} == {200}
    assert all("Retry-After" not in answer.headers for answer in answers)


def test_every_read_of_the_api_is_limited_and_nothing_else(limited_app: Flask) -> None:
    limited = budgets(limited_app)
    assert limited["site.search"] is limited["site.index"] is limited["api.resources"] is Budget.SEARCH
    assert limited["oai.endpoint"] is Budget.FEED
    for rule in limited_app.url_map.iter_rules():
        reads = (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}
        if rule.rule.startswith("/api/") and reads:
            assert rule.endpoint in limited, rule.rule
        if not reads and rule.endpoint != "oai.endpoint":
            assert rule.endpoint not in limited, rule.rule
    assert "health.healthz" not in limited and "static" not in limited
