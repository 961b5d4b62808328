"""A real OpenID Connect provider on loopback for the sign-in tests: panva's oidc-provider in Node.

Registered from tests/conftest.py. `oidc_provider` (session scope, one per xdist worker)
installs the provider's modules with `npm ci` when tests/support/oidc/node_modules is
missing (once, under a file lock, so parallel workers do not install over each other),
starts tests/support/oidc/provider.mjs on a free port of 127.0.0.1 with the accounts of
`ACCOUNTS` and one confidential client, waits for its ready line and stops it at the end.
Without Node or the modules the tests are skipped, or fail with CI=true (.ci/oidc.sh
installs them in CI).

I/O: runs npm and node; the provider listens on loopback only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.services import in_ci

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
READY_PREFIX = "oidc-provider ready "
START_TIMEOUT_SECONDS = 30
CLIENT_ID = "oer-test-client"
CLIENT_SECRET = "oer-test-client-secret-that-is-long-enough"
# The Flask test client's host: the provider redirects the browser back to this.
REDIRECT_URI = "http://localhost/account/sso/callback"

# The provider's users, by login (their `sub`). The dev login form takes any password.
ACCOUNTS: Mapping[str, Mapping[str, Any]] = {
    "anna": {"email": "anna@school.example.org", "email_verified": True, "name": "Anna de Vries",
             "schac_home_organization": "12AB"},
    "bram": {"email": "Bram@School.Example.org", "email_verified": True, "name": "Bram Bakker"},
    "chris": {"email": "chris@elders.example.org", "email_verified": False, "name": "Chris Niet"},
}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    accounts: Mapping[str, Mapping[str, Any]]


def _unavailable(reason: str) -> None:
    message = f"the OpenID Connect test provider is unavailable: {reason} (CI installs it with .ci/oidc.sh)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def ensure_modules(directory: Path = PROVIDER_DIR) -> None:
    """`npm ci` in `directory` unless its node_modules is there; one process at a time."""
    modules = directory / "node_modules" / "oidc-provider"
    if modules.is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed")
        return
    with open(directory / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if modules.is_dir():  # another worker installed them while this one waited
                return
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"], cwd=directory, capture_output=True, text=True,
                timeout=300, check=False,
            )
            if result.returncode != 0 or not modules.is_dir():
                _unavailable(f"npm ci failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_provider(
    accounts: Mapping[str, Mapping[str, Any]] = ACCOUNTS, *, redirect_uri: str = REDIRECT_URI,
) -> Iterator[OidcProvider]:
    """Start provider.mjs with these accounts; yield once it listens; stop it after."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    assert node is not None
    ensure_modules()
    port = _free_port()
    environment = {
        **os.environ, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": redirect_uri, "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        [node, str(PROVIDER_DIR / "provider.mjs"), str(port)], cwd=PROVIDER_DIR, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    ready: list[str] = []
    errors: list[str] = []
    signal = threading.Event()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(READY_PREFIX) and not ready:
                ready.append(line[len(READY_PREFIX):].strip())
                signal.set()
        signal.set()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            errors.append(line)

    threads = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        signal.wait(START_TIMEOUT_SECONDS)
        if not ready:
            time.sleep(0.2)
            raise RuntimeError(f"the OpenID Connect provider did not start (exit {process.poll()}): "
                               + "".join(errors[-20:]))
        yield OidcProvider(ready[0], CLIENT_ID, CLIENT_SECRET, redirect_uri, accounts)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for thread in threads:
            thread.join(timeout=5)
        process.stdout.close()
        process.stderr.close()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """The provider with `ACCOUNTS`, for the whole session (of this worker)."""
    with running_provider() as provider:
        yield provider
