"""The catalogue is the one writer of resource state (docs/architecture.md, "Data flow").

Other domains decide what a resource becomes and hand the rows to
`oer.catalogue.service`; they never insert, update or delete `Resource`,
`ResourceKey` or `ResourceRelation` rows themselves. This walks oer/ and web/
with `ast` and finds the ways such a write is spelled: `insert(Resource)`,
`update(Resource)`, `delete(ResourceKey)`, `Resource.__table__`, a model class
handed to a bulk helper (`insert_rows(session, Resource, rows)`,
`session.bulk_update_mappings(Resource, ...)`), `session.query(Resource).update(...)`
and a new instance (`session.add(Resource(...))`). Changing attributes of a loaded
instance is not something a static walk can see; the house style writes with
statements, and those it sees.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MODELS = {"Resource", "ResourceKey", "ResourceRelation"}
# Where writes belong: the catalogue itself, and the migrations that shape its tables.
WRITERS = ("oer/catalogue/", "oer/migrations/")
# Calls that write what their first argument names (SQLAlchemy's statements and the
# session's bulk methods) and helpers that take a model class to write its rows.
WRITE_CALLS = {
    "insert", "update", "delete", "upsert", "merge", "add", "add_all",
    "bulk_insert_mappings", "bulk_update_mappings", "bulk_save_objects",
    "insert_rows", "_insert_rows",
}
# Projections write their own derived columns on Resource rows, from resource state the
# catalogue wrote; they are not resource state (docs/architecture.md, "Data flow through
# projections"). Each one is kept with why; test_every_known_exception_is_still_needed
# fails once it no longer writes, so the table cannot go stale.
KNOWN_EXCEPTIONS = {
    "oer/feed/projection.py": "the feed projection: feed_hash, feed_datestamp, updated_at",
    "oer/discovery/indexing.py": "the search index outbox: index_pending",
}


def _model_names(tree: ast.AST) -> set[str]:
    """Local names bound to the catalogue's models (aliases included)."""
    names = set(MODELS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "oer.catalogue.models":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in MODELS)
    return names


def _is_model(node: ast.AST, names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):  # models.Resource
        return node.attr in MODELS
    return False


def _is_table(node: ast.AST, names: set[str]) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "__table__" and _is_model(node.value, names)


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _queries_a_model(node: ast.AST, names: set[str]) -> bool:
    """Whether an expression contains `query(Resource)` (as in `session.query(Resource).delete()`)."""
    return any(
        isinstance(n, ast.Call) and _call_name(n) == "query" and any(_is_model(a, names) for a in n.args)
        for n in ast.walk(node)
    )


def writes_in(source: str, filename: str = "<source>") -> list[str]:
    """Every write of the catalogue's tables the walk finds in `source`, as "line: what"."""
    tree = ast.parse(source, filename=filename)
    names = _model_names(tree)
    found = []
    for node in ast.walk(tree):
        if _is_table(node, names):
            assert isinstance(node, ast.Attribute)
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in WRITE_CALLS and any(_is_model(arg, names) for arg in node.args):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(<model>)")
        elif name in {"update", "delete"} and isinstance(node.func, ast.Attribute) and _queries_a_model(
            node.func.value, names
        ):
            found.append(f"{node.lineno}: query(<model>).{name}()")
        elif isinstance(node.func, ast.Name) and node.func.id in names:
            found.append(f"{node.lineno}: new {node.func.id}(...)")
    return found


def _walked_files() -> list[Path]:
    return sorted([*(ROOT / "oer").rglob("*.py"), *(ROOT / "web").rglob("*.py")])


def _writers() -> dict[str, list[str]]:
    """File (relative to the root) -> the writes found in it, for files outside the catalogue."""
    writers = {}
    for path in _walked_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(WRITERS):
            continue
        found = writes_in(path.read_text(encoding="utf-8"), str(path))
        if found:
            writers[relative] = found
    return writers


def test_only_the_catalogue_writes_resources_keys_and_relations() -> None:
    violations = {path: found for path, found in _writers().items() if path not in KNOWN_EXCEPTIONS}
    assert violations == {}


def test_harvesting_writes_through_the_catalogue_service() -> None:
    # The rule's first case, spelled out: provenance decides, the catalogue writes.
    assert writes_in((ROOT / "oer/harvesting/provenance.py").read_text(encoding="utf-8")) == []
    assert "oer/harvesting/provenance.py" not in KNOWN_EXCEPTIONS


def test_every_known_exception_is_still_needed() -> None:
    assert set(KNOWN_EXCEPTIONS) <= set(_writers())


def test_the_catalogue_service_is_seen_writing() -> None:
    # Guards the walk itself: were it blind, every check above would pass.
    assert _walked_files()
    service = writes_in((ROOT / "oer/catalogue/service.py").read_text(encoding="utf-8"))
    assert len(service) >= 4


def test_the_walk_finds_each_way_of_writing() -> None:
    cases = {
        "insert(Resource)": "from sqlalchemy import insert\ninsert(Resource)",
        "update(ResourceKey)": "session.execute(update(ResourceKey), rows)",
        "sqlalchemy.delete": "import sqlalchemy\nsqlalchemy.delete(ResourceRelation).where(x)",
        "the table": "session.execute(insert(cast(Table, Resource.__table__)), rows)",
        "a helper": "_insert_rows(self.session, Resource, group)",
        "an alias": "from oer.catalogue.models import Resource as R\ninsert_rows(s, R, rows)",
        "a module attribute": "from oer.catalogue import models\nupdate(models.Resource)",
        "a new instance": "session.add(Resource(id='x'))",
        "bulk mappings": "session.bulk_update_mappings(ResourceKey, rows)",
        "a query": "session.query(ResourceKey).filter(x).delete()",
    }
    missed = [case for case, source in cases.items() if not writes_in(source)]
    assert missed == []


def test_the_walk_lets_reads_be() -> None:
    reads = (
        "select(Resource.id).join(ResourceKey, ResourceKey.resource_id == Resource.id)\n"
        "session.get(Resource, rid)\n"
        "session.execute(update(Provenance), rows)\n"
        "session.query(Resource).filter(Resource.deleted.is_(False)).all()\n"
    )
    assert writes_in(reads) == []
