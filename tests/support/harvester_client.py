"""Doubles of the harvester client tests: a fixed clock and a recording sleep."""

from __future__ import annotations

from datetime import UTC, datetime

FIXED_NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
