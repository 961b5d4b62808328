"""A pytest plugin that keeps the test process off the network: loopback and unix sockets only.

Registered from tests/conftest.py. For the whole run, in this process (and each xdist worker),
`socket.socket.connect`, `connect_ex` and `socket.create_connection` refuse a non-loopback
address with `NetworkAccessBlocked`, naming it. Loopback (127.0.0.0/8, ::1, `localhost`) and
unix sockets work as before, as do the hosts of the OER_TEST_* service URLs a developer points
at a shared server. Subprocesses (the `oer` CLI, Chromium) are not guarded.

I/O: none; it patches the socket module while the session runs.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest


class NetworkAccessBlocked(RuntimeError):
    """A test tried to reach a non-loopback address. Not an OSError, so no retry swallows it."""


LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def service_hosts(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """The hosts (names and their addresses) of the OER_TEST_* URLs: real services to reach."""
    hosts: set[str] = set()
    for name, value in environ.items():
        if not name.startswith("OER_TEST_") or "://" not in value:
            continue
        host = urlsplit(value).hostname
        if not host:
            continue
        hosts.add(host.lower())
        with contextlib.suppress(OSError):  # unresolvable: the name itself is still allowed
            hosts.update(str(info[4][0]) for info in socket.getaddrinfo(host, None))
    return frozenset(hosts)


def is_allowed(host: str, allowed: frozenset[str] = frozenset()) -> bool:
    host = host.lower().strip("[]")
    if host in LOCAL_NAMES or host in allowed:
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name other than localhost: refused before any DNS lookup
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1
    return ip.is_loopback


def _check(family: int, address: Any, allowed: frozenset[str]) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return  # unix, netlink, ... sockets are not the network
    host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
    if not is_allowed(host, allowed):
        raise NetworkAccessBlocked(
            f"test tried to connect to {host}:{address[1]}; tests may only use loopback "
            "(127.0.0.0/8, ::1, localhost), unix sockets and the OER_TEST_* services"
        )


@pytest.fixture(scope="session", autouse=True)
def network_guard() -> Iterator[frozenset[str]]:
    """Guards every test of the session; yields the non-loopback hosts it lets through."""
    allowed = service_hosts()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create_connection = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        _check(self.family, address, allowed)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self.family, address, allowed)
        return original_connect_ex(self, address)

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address[0], address[1]
        if not is_allowed(str(host), allowed):
            _check(socket.AF_INET, (host, port), allowed)  # raises, naming the address
        return original_create_connection(address, *args, **kwargs)

    patches: list[tuple[Any, str, Callable[..., Any]]] = [
        (socket.socket, "connect", connect),
        (socket.socket, "connect_ex", connect_ex),
        (socket, "create_connection", create_connection),
    ]
    for target, name, replacement in patches:
        setattr(target, name, replacement)
    try:
        yield allowed
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.create_connection = original_create_connection
