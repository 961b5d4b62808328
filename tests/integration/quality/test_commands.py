"""`oer quality validate`, `load` and `show` on a migrated instance (and validate without one)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from oer.settings import Settings
from schemas import resources
from tests.support.cli import run_oer


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_validate_load_and_show(store_settings: Settings, tmp_path: Path) -> None:
    version_one = resources.load_json("quality/v1.json")
    ok = run_oer(store_settings, "quality", "validate", str(write(tmp_path / "v1.json", version_one)))
    assert ok.exit_code == 0 and "a valid framework, version 1" in ok.output

    broken = copy.deepcopy(version_one)
    broken["groups"][0]["criteria"][0]["scale"] = "sterren"
    del broken["published"]
    path = write(tmp_path / "broken.json", broken)
    refused = run_oer(store_settings, "quality", "validate", str(path))
    assert refused.exit_code == 1
    assert f"{path}: (top): 'published' is a required property" in refused.output

    two = copy.deepcopy(version_one)
    two["version"] = "2"
    two["replaces"] = {"version": "1", "criteria": {"actualiteit.actueel": "actualiteit.bijgewerkt"}}
    two["groups"][-1]["criteria"][0]["id"] = "actualiteit.bijgewerkt"
    loaded = run_oer(store_settings, "quality", "load", str(write(tmp_path / "v2.json", two)))
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded framework version 2 (9 groups, 20 criteria)" in loaded.output
    shown = run_oer(store_settings, "quality", "show")
    assert "versie 2" in shown.output and "actualiteit.bijgewerkt" in shown.output

    not_json = tmp_path / "x.json"
    not_json.write_text("{", encoding="utf-8")
    assert run_oer(store_settings, "quality", "load", str(not_json)).exit_code == 1


def test_validate_works_without_an_instance(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "none", database_url=f"sqlite:///{tmp_path / 'none' / 'x.sqlite3'}",
                        search_url=None, broker_url=None, secret_key="x")
    ok = run_oer(settings, "quality", "validate", str(write(tmp_path / "v1.json", resources.load_json("quality/v1.json"))))
    assert ok.exit_code == 0, ok.output
