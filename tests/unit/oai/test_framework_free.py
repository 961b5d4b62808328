"""The protocol core imports no web framework; only web/oai/views.py may import Flask or Werkzeug."""

from __future__ import annotations

import ast
from pathlib import Path

import web.oai

FRAMEWORKS = {"flask", "werkzeug"}
PACKAGE = Path(web.oai.__file__).parent


def test_only_the_views_module_imports_a_framework() -> None:
    importers = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in FRAMEWORKS for name in names):
                importers.add(path.name)
    assert importers == {"views.py"}
