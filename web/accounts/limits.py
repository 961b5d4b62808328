"""Abuse limits on sign-in, registration and reset (Flask-Limiter). I/O: the limiter's storage.

One limiter per app (its counters in memory, or in Redis when
`Settings.rate_limit_storage` names one, so gunicorn's workers share them).
In memory, the counters are `MemoryCounters`: limits' own, without the
thread it starts on nearly every request.
Failed sign-ins are counted twice, per client address and per account (the
address typed), and only failures count: after 10 in 15 minutes the answer is
429 with Retry-After until the window has passed. Registration and reset
mails are limited per client address, writes through the API per token.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

SIGN_IN_FAILURES = "10 per 15 minutes"
MAILS_PER_ADDRESS = "10 per hour"
# Writes through the API, per token (a bulk import goes through the import page, not 1000 calls).
WRITES_PER_TOKEN = "120 per minute"
# Feedback and abuse reports anyone may send without an account, per client address.
FEEDBACK_PER_ADDRESS = "20 per hour"
EXTENSION = "oer_limiter"
LIMITS_EXTENSION = "oer_account_limits"


class MemoryCounters(MemoryStorage):
    """limits' in-memory storage (`memory://`), without a thread started for a request.

    limits' own starts a timer thread to drop expired counters whenever the
    last one has ended (10 ms after it started), so on a site that is not
    flooded nearly every limited request starts a thread and waits until it
    runs: milliseconds on a busy machine. An expired counter is dropped when
    it is read either way; the others are dropped here by the request that
    counts, at most once every `SWEEP_SECONDS`.
    """

    STORAGE_SCHEME = ["oer-memory"]  # noqa: RUF012 - the type limits declares it with
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:
        # MemoryStorage calls this (by its private name) whenever it changes a count.
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_SECONDS:
            self._swept_at = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def storage_uri(uri: str) -> str:
    """The limiter's storage for `Settings.rate_limit_storage`: `MemoryCounters` for `memory://`."""
    return f"{MemoryCounters.STORAGE_SCHEME[0]}://" if uri.startswith("memory://") else uri


def _account_key() -> str:
    # The address as typed, folded: "Bea@X" and "bea@x " are one account's attempts.
    return "account:" + (request.form.get("email") or "").strip().lower()


def _token_key() -> str:
    # Per token (its hash, never the secret itself), else per client address.
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "address:" + get_remote_address()


def _failed(_response: Any) -> bool:
    return bool(g.get("sign_in_failed", False))


class AccountLimits:
    """The limits of one app, as decorators for its account views."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def sign_in(self, view: Callable[..., Any]) -> Callable[..., Any]:
        per_address = self.limiter.limit(
            SIGN_IN_FAILURES, methods=["POST"], deduct_when=_failed, scope="sign-in-address")
        per_account = self.limiter.limit(
            SIGN_IN_FAILURES, key_func=_account_key, methods=["POST"], deduct_when=_failed,
            scope="sign-in-account")
        return per_address(per_account(view))

    def registration(self, view: Callable[..., Any]) -> Callable[..., Any]:
        return self.limiter.limit(MAILS_PER_ADDRESS, methods=["POST"], scope="register")(view)

    def reset(self, view: Callable[..., Any]) -> Callable[..., Any]:
        return self.limiter.limit(MAILS_PER_ADDRESS, methods=["POST"], scope="mail-link")(view)

    def feedback(self, view: Callable[..., Any]) -> Callable[..., Any]:
        return self.limiter.limit(FEEDBACK_PER_ADDRESS, methods=["POST"], scope="feedback")(view)

    def write_api(self, view: Callable[..., Any]) -> Callable[..., Any]:
        return self.limiter.limit(WRITES_PER_TOKEN, key_func=_token_key, scope="write-api")(view)


def init_limits(app: Flask, storage: str) -> AccountLimits:
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(storage),
        # Its headers would put Retry-After on every answer of a limited route, and rewrite the one
        # a 503 carries; Retry-After is set on the 429 alone, below.
        headers_enabled=False,
        # Counted from the first failure: a steady trickle of guesses stays locked out.
        strategy="fixed-window",
        # A broken Redis must not lock everyone out of signing in.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    app.extensions[EXTENSION] = limiter

    @app.after_request
    def retry_after(response: Response) -> Response:
        # RFC 9110 15.5.24 (via RFC 6585 4): a 429 says how long to wait, in seconds.
        current = limiter.current_limit
        if response.status_code == 429 and current is not None and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(max(1, current.reset_at - int(time.time())))
        return response

    limits = AccountLimits(limiter)
    app.extensions[LIMITS_EXTENSION] = limits
    return limits


def app_limits(app: Flask) -> AccountLimits:
    """The limits `init_limits` made for this app (for blueprints registered after the accounts')."""
    limits: AccountLimits = app.extensions[LIMITS_EXTENSION]
    return limits
