"""A fresh instance for a browser test: OER_HOME in a temporary folder, SQLite, no search server, migrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from oer.settings import Settings
from oer.store.database import migrate
from web.app import create_app


def browser_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Settings of a migrated instance under `tmp_path/home` (embedded search, no broker)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'oer.sqlite3'}", search_url=None,
                        broker_url=None, secret_key="browser-secret", **changes)
    migrate(settings)
    return settings


def browser_app(tmp_path: Path, **changes: Any) -> tuple[Flask, Settings]:
    """The site on a fresh instance; close it with `app.extensions["oer_runtime"].close()`."""
    settings = browser_settings(tmp_path, **changes)
    return create_app({"OER_SETTINGS": settings}), settings
