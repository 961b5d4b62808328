"""The protocol core (`oer.feed.oai`) imports no web framework; only `web.oai` wires it to Flask."""

from __future__ import annotations

import ast
from pathlib import Path

import oer.feed.oai

FRAMEWORKS = {"flask", "werkzeug"}
PACKAGE = Path(oer.feed.oai.__file__).parent


def test_the_protocol_core_imports_no_framework() -> None:
    importers = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in FRAMEWORKS for name in names):
                importers.add(path.name)
    assert importers == set()
