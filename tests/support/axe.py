"""axe-core in the page tests: running it and describing its findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_DIR = Path(__file__).resolve().parents[1] / "data" / "axe"


# WCAG 2.0/2.1 A and AA rules, plus axe's best practices (landmarks, headings, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

FAILING_IMPACTS = ("serious", "critical")


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
