"""The populated app served over loopback for the browser tests, and axe-core to check pages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.fixtures.loopback import serving

AXE_DIR = Path(__file__).resolve().parents[2] / "data" / "axe"
# WCAG 2.0/2.1 A and AA rules, plus axe's best practices (landmarks, headings, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def site_url(populated_app: Flask) -> Iterator[str]:
    """Base URL of the populated app, served by a real HTTP server on a loopback port."""
    with serving(populated_app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def axe_source() -> str:
    source = (AXE_DIR / "axe.min.js").read_bytes()
    expected = (AXE_DIR / "axe.min.js.sha256").read_text().split()[0]
    assert hashlib.sha256(source).hexdigest() == expected, "tests/data/axe/axe.min.js was changed"
    return source.decode("utf-8")


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return the serious and critical violations."""
    # Evaluated by the test driver, not loaded by the page: the site's CSP stays as it is.
    page.evaluate(axe_source)
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return "\n".join(lines)
