"""The network guard (tests/support/network_guard.py) refuses the network and keeps loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.network_guard import NetworkAccessBlocked, is_allowed, service_hosts

DOCUMENTATION_ADDRESS = ("192.0.2.1", 80)  # TEST-NET-1: routed nowhere


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server
    finally:
        server.close()


def test_connect_to_a_non_loopback_address_raises_naming_it() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkAccessBlocked, match=r"192\.0\.2\.1:80"):
            sock.connect(DOCUMENTATION_ADDRESS)
        with pytest.raises(NetworkAccessBlocked, match=r"192\.0\.2\.1:80"):
            sock.connect_ex(DOCUMENTATION_ADDRESS)


def test_create_connection_is_refused_before_any_dns_lookup() -> None:
    with pytest.raises(NetworkAccessBlocked, match=r"192\.0\.2\.1:80"):
        socket.create_connection(DOCUMENTATION_ADDRESS, timeout=1)
    with pytest.raises(NetworkAccessBlocked, match=r"example\.org:443"):
        socket.create_connection(("example.org", 443), timeout=1)


def test_the_refusal_is_not_an_oserror_that_a_retry_would_swallow() -> None:
    assert not issubclass(NetworkAccessBlocked, OSError)


def test_loopback_works(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    with socket.create_connection(("localhost", port), timeout=5):
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 in this Python")
def test_ipv6_loopback_works() -> None:
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no ::1 on this machine")
    with server, socket.create_connection(("::1", server.getsockname()[1]), timeout=5):
        pass


def test_unix_sockets_work(tmp_path: Path) -> None:
    path = str(tmp_path / "guard.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
        ("::ffff:127.0.0.1", True), ("localhost", True), ("LOCALHOST", True),
        ("192.0.2.1", False), ("10.0.0.1", False), ("2001:db8::1", False),
        ("0.0.0.0", False), ("example.org", False),
    ],
)
def test_what_counts_as_loopback(host: str, allowed: bool) -> None:
    assert is_allowed(host) is allowed


def test_the_hosts_of_the_configured_services_are_let_through() -> None:
    hosts = service_hosts({
        "OER_TEST_DATABASE_URL": "postgresql+psycopg://u:p@192.0.2.7:5432/oer",
        "OER_TEST_CHROMIUM": "/usr/bin/chromium",
        "OER_DATABASE_URL": "postgresql://192.0.2.8/other",
    })
    assert "192.0.2.7" in hosts
    assert "192.0.2.8" not in hosts
    assert is_allowed("192.0.2.7", hosts)
