"""Paths of the test data every test module may need."""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]

DATA_DIR = TESTS_DIR / "data"

FIXTURES_DIR = DATA_DIR / "fixtures"
