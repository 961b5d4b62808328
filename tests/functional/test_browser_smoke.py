"""Chromium, driven by Playwright, renders a page the Flask app serves over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from oer.settings import Settings
from tests.fixtures.browser import Screenshot
from tests.fixtures.loopback import serving
from web.app import create_app

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Rooktest</title>
<style>#status { color: rgb(0, 102, 51); font-size: 24px; }</style></head>
<body>
  <h1>Leermaterialen zoeken</h1>
  <p id="status">Script niet uitgevoerd</p>
  <button type="button" id="tel">Tel</button>
  <output id="teller">0</output>
  <script>
    document.getElementById("status").textContent = "Script uitgevoerd";
    document.getElementById("tel").addEventListener("click", () => {
      const teller = document.getElementById("teller");
      teller.textContent = String(Number(teller.textContent) + 1);
    });
  </script>
</body>
</html>
"""


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    settings = Settings.from_env({"OER_HOME": str(tmp_path), "OER_SECRET_KEY": "test"})
    flask_app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    # The site does not exist yet; this route stands in for one of its pages.
    # The site's policy forbids inline scripts and styles; this stand-in page is all
    # inline, so it carries its own policy (the app leaves an explicit one alone).
    inline_policy = {"Content-Security-Policy": "script-src 'unsafe-inline'; style-src 'unsafe-inline'"}
    flask_app.add_url_rule("/smoke", "smoke", lambda: (PAGE, inline_policy))
    return flask_app


def test_chromium_renders_and_runs_a_page_served_over_loopback(
    app: Flask, page: Page, screenshot: Screenshot
) -> None:
    with serving(app) as base_url:
        response = page.goto(f"{base_url}/smoke")
        assert response is not None and response.status == 200
        expect(page).to_have_title("Rooktest")
        expect(page.get_by_role("heading", level=1)).to_have_text("Leermaterialen zoeken")
        status = page.locator("#status")
        expect(status).to_have_text("Script uitgevoerd")
        expect(status).to_have_css("color", "rgb(0, 102, 51)")
        box = status.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0

        page.get_by_role("button", name="Tel").click()
        page.keyboard.press("Enter")  # the button keeps focus after the click
        expect(page.locator("#teller")).to_have_text("2")
        shot = screenshot(page, "smoke")

    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 800)
