"""The package dependency direction of STYLE.md, enforced by walking every import.

metadata imports no project package and no framework; harvester imports
metadata; oer imports harvester and metadata; web imports oer and metadata
(and harvester through oer's services). Nothing imports web except its own
entry points. `schemas` is a data package anyone may read.

Inside oer/, the domain DAG of docs/architecture.md: infrastructure (store,
search, tasks, settings) <- catalogue <- harvesting <- feed, discovery <- the
entry points (runtime, the worker's app, commands). A known exception would be
listed with its reason, and the test fails once it is no longer needed.
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


# --- The domain DAG inside oer/ (docs/architecture.md, "Dependency rules") -------------------
# Each part of oer/ (a sub-package, or a top-level module) with the other parts it may import.
# Infrastructure first, then catalogue, the writing domains, the read sides; entry points last.
INFRASTRUCTURE = {"errors", "settings", "store", "search", "tasks", "mail"}
OER_PARTS: dict[str, set[str]] = {
    "errors": set(),
    "settings": {"errors"},
    "store": {"errors", "settings"},
    "search": {"errors", "settings"},
    "mail": {"errors", "settings"},
    # The task registry and dispatch; the worker's entry point (tasks/app.py) is below.
    "tasks": {"errors", "settings"},
    "migrations": {"errors", "settings", "store"},
    # The Resource everything points at: no other domain.
    "catalogue": INFRASTRUCTURE,
    # Users, organisations, roles, tokens, the audit log: the writing domains build on it.
    "accounts": INFRASTRUCTURE | {"catalogue"},
    # The writing domains: each on the catalogue and accounts (its actor), never on another.
    "harvesting": INFRASTRUCTURE | {"catalogue", "accounts"},
    "publishing": INFRASTRUCTURE | {"catalogue", "accounts"},
    "remix": INFRASTRUCTURE | {"catalogue", "accounts"},
    "quality": INFRASTRUCTURE | {"catalogue", "accounts"},
    "collections": INFRASTRUCTURE | {"catalogue", "accounts"},
    # Demand signals and the wensenlijst: written by the site, read by the insight pages.
    "demand": INFRASTRUCTURE | {"catalogue", "accounts"},
    # Read sides: they read the domains that write, and nothing reads them but entry points.
    "feed": INFRASTRUCTURE | {"catalogue", "harvesting", "quality", "collections"},
    "discovery": INFRASTRUCTURE | {"catalogue", "harvesting", "publishing", "remix", "quality", "collections",
                                   "accounts"},
    "insights": INFRASTRUCTURE | {"catalogue", "harvesting", "publishing", "accounts", "quality"},
}
# Entry points compose everything: the composition root, the Celery worker's app (it registers
# the projections through the root), the CLI commands and the demo.
OER_ENTRY_POINTS = ("runtime.py", "tasks/app.py", "commands/", "demo.py")
# Imports against the DAG that are known and kept, each with why. A fixed one must leave this
# table: test_every_known_exception_is_still_needed fails until it does.
# A harvest's index catch-up, an earlier one, reaches discovery through the port the runtime
# fills now (oer/harvesting/index_catch_up.py).
KNOWN_EXCEPTIONS: set[tuple[str, str]] = {
    # Revision 0009 fills the feed's stored payloads with the feed's own writer: a payload is the
    # bytes of the running serialiser, stamped with its version, and a copy of that code in the
    # revision would store bytes the feed then serves as its own (oer/migrations/versions/0009_*).
    ("migrations", "feed"),
}


def _part_of(path: Path) -> str:
    relative = path.relative_to(ROOT / "oer")
    return relative.parts[0].removesuffix(".py")


def _is_entry_point(path: Path) -> bool:
    relative = path.relative_to(ROOT / "oer").as_posix()
    return any(relative == entry or relative.startswith(entry) for entry in OER_ENTRY_POINTS)


def _domain_edges() -> dict[tuple[str, str], list[str]]:
    """(importer part, imported part) -> the files making that edge, for non-entry-point files."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in _python_files("oer"):
        if _is_entry_point(path) or (path.parent == ROOT / "oer" and path.name == "__init__.py"):
            continue
        importer = _part_of(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "oer" or len(parts) < 2 or parts[1] == importer:
                continue
            edges.setdefault((importer, parts[1]), []).append(str(path.relative_to(ROOT)))
    return edges


def test_every_part_of_oer_is_in_the_dag() -> None:
    parts = {_part_of(path) for path in _python_files("oer") if not _is_entry_point(path)}
    assert parts - {"__init__"} <= set(OER_PARTS), "a new part of oer/ needs its row in OER_PARTS"


def test_oer_parts_import_only_along_the_dag() -> None:
    violations = sorted(
        f"{', '.join(files)} ({importer} -> {imported})"
        for (importer, imported), files in _domain_edges().items()
        if imported not in OER_PARTS[importer] and (importer, imported) not in KNOWN_EXCEPTIONS
    )
    assert violations == []


def test_catalogue_imports_no_other_domain() -> None:
    imported = {target for (importer, target) in _domain_edges() if importer == "catalogue"}
    assert imported <= INFRASTRUCTURE


def test_every_known_exception_is_still_needed() -> None:
    assert set(_domain_edges()) >= KNOWN_EXCEPTIONS


def test_the_dag_has_no_cycle_besides_the_known_exceptions() -> None:
    # The table itself must be a DAG, or "may import" would allow a cycle.
    graph = {part: allowed - {part} for part, allowed in OER_PARTS.items()}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(part: str) -> None:
        assert part not in visiting, f"OER_PARTS has a cycle through {part}"
        if part in done:
            return
        visiting.add(part)
        for target in graph[part]:
            visit(target)
        visiting.discard(part)
        done.add(part)

    for part in graph:
        visit(part)


FORBIDDEN_IN_HARVESTER = {"flask", "sqlalchemy", "alembic", "celery", "click", "tantivy", "elasticsearch"}


def test_harvester_imports_no_framework() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _python_files("harvester")
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN_IN_HARVESTER
    ]
    assert violations == []


def test_oer_imports_no_web_framework() -> None:
    # The site is web's: oer's commands read their settings from the command context, and
    # `oer serve` is handed the app factory by the console script, so no oer module needs Flask.
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _python_files("oer")
        for name in _imports(path)
        if name.split(".")[0] in {"flask", "flask_babel", "flask_wtf", "flask_login", "werkzeug"}
    ]
    assert violations == []
