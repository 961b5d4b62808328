"""Shared by every benchmark: describe the machine and write a section of docs/benchmarks.md.

I/O: reads /proc, writes docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"


def machine(*, extra: str = "") -> str:
    """CPU model, cores available to this process, memory and Python version."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        if found := re.search(r"model name\s*:\s*(.+)", cpuinfo):
            cpu = found.group(1).strip()
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        if found := re.search(r"MemTotal:\s*(\d+) kB", meminfo):
            memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    # os.cpu_count() is the machine's; sched_getaffinity is what this process may use.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    described = f"{cpu}, {cores} cores{memory}, Python {platform.python_version()}"
    return f"{described}, {extra}" if extra else described


def write_section(heading: str, text: str, report: Path = REPORT) -> None:
    """Replace (or append) the section starting with `heading` (`## name`), keeping the others."""
    existing = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text, existing)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(updated, encoding="utf-8")


def section_line(heading: str, prefix: str, report: Path = REPORT) -> str | None:
    """The first line of the section `heading` that starts with `prefix`, if the report has one.

    A benchmark that keeps a line across runs (a "before" figure) reads it back with this.
    """
    existing = report.read_text(encoding="utf-8") if report.exists() else ""
    section = re.search(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", existing, re.DOTALL | re.MULTILINE)
    if section is None:
        return None
    return next((line for line in section.group(0).splitlines() if line.startswith(prefix)), None)


def publish(heading: str, text: str, *, write: bool = True, report: Path = REPORT) -> None:
    """Write the section (and say where), or, with `write` false, print it for a look only."""
    if not write:
        print(text)
        return
    write_section(heading, text, report)
    print(f"wrote the {heading!r} section of {report.relative_to(ROOT)}")
