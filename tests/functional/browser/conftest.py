"""The populated app served over loopback for the browser tests, and axe-core to check pages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.fixtures.loopback import serving
from tests.support.axe import (
    AXE_DIR,
)


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
