"""What the search page keeps between requests, and when it lets go of it.

The page no longer redoes, per request, work that does not depend on the
search: the quality framework is read at most every `FRAMEWORK_MAX_AGE`
seconds, the "refine by quality" form is rendered once per framework version
and language, and texts, counts, dates and code names are translated and
formatted once per language. Each must give what it gave when it was redone
on every request, and follow a change: a new framework version, the
visitor's language.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import flask_babel
import pytest
from babel import Locale
from babel.numbers import format_decimal
from flask import Flask
from flask.testing import FlaskClient

from metadata.quality import Framework, bundled_framework
from oer.accounts.actor import SYSTEM
from oer.quality import service as quality
from oer.settings import Settings
from oer.store.database import create_engine_from_settings, session_factory
from schemas import resources
from tests.fixtures.webapp import GENEROUS_LIMIT, WebInstance
from web import labels
from web.app import create_app
from web.i18n import Formats, whole_number_format
from web.quality import labels as quality_labels
from web.quality.labels import FRAMEWORK_MAX_AGE, CurrentFramework


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def version_two() -> dict[str, object]:
    """Version 2 of the bundled framework: `didactiek.doelen` renamed to `didactiek.leerdoelen`."""
    document: dict[str, object] = copy.deepcopy(resources.load_json("quality/v1.json"))
    document["version"] = "2"
    document["published"] = "2027-09-01"
    document["replaces"] = {"version": "1", "criteria": {"didactiek.doelen": "didactiek.leerdoelen"}}
    document["groups"][0]["criteria"][0]["id"] = "didactiek.leerdoelen"  # type: ignore[index]
    return document


@pytest.fixture
def own_instance(web_instance: WebInstance, tmp_path: Path) -> Settings:
    """A copy of the web instance (database and index) this test may write to."""
    home = tmp_path / "home"
    shutil.copytree(web_instance.settings.home, home)
    return Settings(home=home, database_url=f"sqlite:///{home / 'oer.sqlite3'}", search_url=None,
                    broker_url=None, secret_key=web_instance.settings.secret_key,
                    rate_limit_search=GENEROUS_LIMIT)


@pytest.fixture
def clocked_app(own_instance: Settings) -> Iterator[tuple[Flask, Clock]]:
    app = create_app({"OER_SETTINGS": own_instance, "TESTING": True})
    clock = Clock()
    quality_labels.init_app(app, clock=clock)
    yield app, clock
    app.extensions["oer_runtime"].close()


def load_version_two(settings: Settings) -> None:
    """What `oer quality load` does, from another process's engine."""
    engine = create_engine_from_settings(settings)
    try:
        with session_factory(engine).begin() as session:
            quality.load_framework(session, SYSTEM, version_two())
    finally:
        engine.dispose()


def refine_options(html: str) -> str:
    start = html.index('id="kwaliteit-criterium"')
    return html[start:html.index("</select>", start)]


def test_the_search_page_follows_a_new_framework_version_within_its_max_age(
    clocked_app: tuple[Flask, Clock], own_instance: Settings,
) -> None:
    app, clock = clocked_app
    client = app.test_client()
    english = app.test_client()
    english.set_cookie("lang", "en")
    assert 'value="didactiek.doelen"' in refine_options(client.get("/search?q=breuken").text)
    assert 'value="didactiek.doelen"' in refine_options(english.get("/search?q=breuken").text)

    load_version_two(own_instance)
    clock.now += FRAMEWORK_MAX_AGE / 2
    # Within the max age the page still names criteria by the version it read.
    assert 'value="didactiek.doelen"' in refine_options(client.get("/search?q=breuken").text)

    clock.now += FRAMEWORK_MAX_AGE
    for visitor in (client, english):
        options = refine_options(visitor.get("/search?q=breuken").text)
        assert 'value="didactiek.leerdoelen"' in options and 'value="didactiek.doelen"' not in options
    # The form's choice becomes a filter by the new version too.
    chosen = client.get("/search?q=breuken&kwaliteit_criterium=didactiek.leerdoelen")
    assert chosen.status_code == 302 and "quality_detail=didactiek.leerdoelen" in chosen.location


def test_the_refine_form_is_the_visitors_language(client: FlaskClient) -> None:
    dutch = client.get("/search?q=breuken").text
    client.set_cookie("lang", "en")
    english = client.get("/search?q=breuken").text
    client.delete_cookie("lang")
    framework = bundled_framework()
    criterion = framework.criteria["didactiek.doelen"]
    assert f">{criterion.label('nl')}</option>" in refine_options(dutch)
    assert f">{criterion.label('en')}</option>" in refine_options(english)
    assert "Verfijn op kwaliteit" in dutch and "Verfijn op kwaliteit" not in english


def test_a_framework_read_is_kept_for_the_max_age_and_a_failure_is_not() -> None:
    clock = Clock()
    reads: list[Framework | Exception] = [RuntimeError("database down"), bundled_framework(), bundled_framework()]
    calls = []

    def read() -> Framework:
        calls.append(clock.now)
        found = reads.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    current = CurrentFramework(read, clock=clock)
    with pytest.raises(RuntimeError):
        current.get(FRAMEWORK_MAX_AGE)
    # The failure was not kept: the next call reads again, and that read is kept for the max age.
    assert current.get(FRAMEWORK_MAX_AGE).version == "1"
    clock.now += FRAMEWORK_MAX_AGE - 1
    assert current.get(FRAMEWORK_MAX_AGE).version == "1" and len(calls) == 2
    # Pages that give no max age read every time.
    assert current.get().version == "1" and len(calls) == 3


@pytest.mark.parametrize("language", ["nl", "en"])
def test_counts_and_dates_are_formatted_as_flask_babel_formats_them(app: Flask, language: str) -> None:
    formats: Formats = app.extensions["oer_formats"]
    numbers = [0, 1, 7, 999, 1000, 1001, 12_345, 99_999, 100_000, 1_234_567, 2**40, -1, -12_345]
    moments = [
        datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # already 31 March in Amsterdam, and summer time
        datetime(2024, 10, 26, 22, 30, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 5, tzinfo=UTC),  # New Year in Amsterdam
        datetime(2025, 6, 1, 12, 0),  # naive: read as UTC
        date(2024, 2, 29),
    ]
    with app.test_request_context("/search", headers={"Cookie": f"lang={language}"}):
        for number in numbers:
            assert formats.format_number(number) == flask_babel.format_number(number)
        assert formats.format_number(1234.5) == flask_babel.format_number(1234.5)
        for moment in moments:
            for pattern in (None, "short", "medium", "long", "full", "yyyy-MM-dd"):
                expected = flask_babel.format_date(moment, pattern)
                assert formats.format_date(moment, pattern) == expected
                assert formats.format_date(moment, pattern) == expected, "the kept date is the same"


def test_a_kept_date_or_label_is_kept_per_language(app: Flask) -> None:
    formats: Formats = app.extensions["oer_formats"]
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    said: dict[str, list[tuple[str, ...]]] = {}
    for language in ("nl", "en", "nl"):
        with app.test_request_context("/search", headers={"Cookie": f"lang={language}"}):
            said.setdefault(language, []).append((
                formats.format_date(moment, "long"), labels.value_label("contexts", "PO"),
                labels.field_label("learning_resource_types"), labels.language_name("nl"), formats.gettext("Zoeken")))
    assert said["nl"][0] == said["nl"][1]
    assert said["nl"][0] == ("1 mei 2024", "Primair onderwijs", "Soort materiaal", "Nederlands", "Zoeken")
    assert said["en"][0][0] == "May 1, 2024" and said["en"][0][3] == "Dutch" and said["en"][0][4] == "Search"
    assert said["en"][0][1] != said["nl"][0][1] and said["en"][0][2] != said["nl"][0][2]


@pytest.mark.parametrize("locale", ["nl", "en", "es", "fr", "hi_IN", "de_CH"])
def test_whole_numbers_are_grouped_as_babel_groups_them_or_left_to_babel(locale: str) -> None:
    parsed = Locale.parse(locale)
    grouped = whole_number_format(parsed)
    if grouped is None:
        # A locale that groups otherwise (hi_IN: 12,34,567) is left to babel.
        assert locale in ("hi_IN", "de_CH")
        return
    for number in [*range(-1100, 1100, 7), *range(0, 10**7, 9_973), 10**12 + 5]:
        assert grouped(number) == format_decimal(number, locale=parsed)
