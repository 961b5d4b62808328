"""The rate limits' in-memory counters: limits' own semantics, without a thread per request."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from web.accounts.limits import EXTENSION, MemoryCounters, init_limits, storage_uri


def test_memory_is_counted_by_memory_counters_and_redis_stays_redis() -> None:
    assert storage_uri("memory://") == "oer-memory://"
    assert storage_uri("redis://localhost:6379/0") == "redis://localhost:6379/0"
    app = Flask(__name__)
    init_limits(app, "memory://")
    assert isinstance(app.extensions[EXTENSION].storage, MemoryCounters)


def test_a_fixed_window_counts_and_ends_as_limits_counts_it() -> None:
    limiter = FixedWindowRateLimiter(MemoryCounters())
    limit = parse("2/second")
    assert limiter.hit(limit, "address") and limiter.hit(limit, "address")
    assert not limiter.hit(limit, "address"), "the third in the window is refused"
    assert limiter.hit(limit, "another address")
    time.sleep(1.1)
    assert limiter.hit(limit, "address"), "a new window counts again"


def test_counting_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    counters = MemoryCounters()
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    limiter = FixedWindowRateLimiter(counters)
    for _ in range(20):
        limiter.hit(parse("100/minute"), "address")
        # More than limits' 10 ms timer: its own storage would start a thread for each of these.
        time.sleep(0.015)
    assert started == []


def test_expired_counters_nobody_reads_again_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    counters = MemoryCounters()
    monkeypatch.setattr(MemoryCounters, "SWEEP_SECONDS", 0.05)
    counters.incr("gone", expiry=0.01)
    time.sleep(0.06)
    counters.incr("kept", expiry=60)
    assert "gone" not in counters.storage and counters.get("kept") == 1
