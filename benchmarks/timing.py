"""Shared by the benchmarks that time pure functions on one core. I/O: the process's CPU affinity."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def best_rounds(
    works: list[Callable[[], object]],
    repeats: int,
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """For each of `works`, the fastest of `rounds` timings of `repeats` calls, in seconds of `clock`.

    The works take turns round by round, so a busy spell on a shared machine
    slows all of them alike instead of skewing their ratio.
    """
    best = [float("inf")] * len(works)
    for _ in range(rounds):
        for index, work in enumerate(works):
            started = clock()
            for _ in range(repeats):
                work()
            best[index] = min(best[index], clock() - started)
    return best


def pin_to_one_core() -> str:
    """Keep this process on one core (the lowest it may use); says which, for the report."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity)"
