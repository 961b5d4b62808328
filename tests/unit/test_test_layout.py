"""Test modules share helpers through tests/support, never by importing a conftest.py.

A conftest holds fixtures and hooks only: importing one as a module runs it a
second time under another name, and ties test modules to a directory layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _conftest_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "conftest":
            found.append(f"{path.relative_to(TESTS)}:{node.lineno} imports {'.' * node.level}{node.module}")
        elif isinstance(node, ast.ImportFrom) and any(alias.name == "conftest" for alias in node.names):
            found.append(f"{path.relative_to(TESTS)}:{node.lineno} imports conftest")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[-1] == "conftest" for a in node.names):
            found.append(f"{path.relative_to(TESTS)}:{node.lineno} imports a conftest")
    return found


def test_no_test_module_imports_a_conftest() -> None:
    modules = sorted(TESTS.rglob("*.py"))
    assert len(modules) > 100, "the walk found the test modules"
    assert [found for path in modules for found in _conftest_imports(path)] == []


def test_the_support_package_holds_the_shared_helpers() -> None:
    assert (TESTS / "support" / "__init__.py").exists()
    assert (TESTS / "support" / "memory_sink.py").exists(), "test doubles live in tests/support"
