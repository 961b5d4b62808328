"""The package dependency direction of STYLE.md, enforced by walking every import.

metadata imports no project package and no framework; harvester imports
metadata; oer imports harvester and metadata; web imports oer and metadata
(and harvester through oer's services). Nothing imports web except its own
entry points. `schemas` is a data package anyone may read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"oer", "harvester", "metadata", "web", "schemas"}

ALLOWED = {
    "metadata": {"metadata", "schemas"},
    "harvester": {"harvester", "metadata", "schemas"},
    "oer": {"oer", "harvester", "metadata", "schemas"},
    "web": {"web", "oer", "harvester", "metadata", "schemas"},
    "schemas": {"schemas"},
}

# Frameworks and I/O libraries the pure core must not touch.
FORBIDDEN_IN_METADATA = {
    "flask", "sqlalchemy", "alembic", "celery", "requests", "sickle", "tantivy",
    "elasticsearch", "redis", "click", "rich", "socket", "urllib.request", "http",
    "subprocess",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    violations = []
    for path in _python_files(package):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in PROJECT_PACKAGES and top not in ALLOWED[package]:
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert violations == []


def test_metadata_imports_no_framework_or_io_library() -> None:
    violations = []
    for path in _python_files("metadata"):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IN_METADATA):
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert violations == []


def test_only_entry_points_import_web() -> None:
    importers = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("oer", "harvester", "metadata", "schemas")
        for path in _python_files(package)
        for name in _imports(path)
        if name.split(".")[0] == "web"
    ]
    assert importers == []


def test_the_walk_sees_the_packages() -> None:
    # Guards the test itself: an empty walk would pass every check above.
    assert all(_python_files(package) for package in ALLOWED)
