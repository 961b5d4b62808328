"""Which source URLs this server may fetch: http(s) to public addresses only. I/O: DNS lookups.

Registering a source makes the server fetch that URL, so a source URL must not
point inside the network the server runs in (server-side request forgery):
loopback, private ranges, link-local addresses and cloud metadata services. The
check resolves the host and judges every address it resolves to, so every
spelling of an address (`0xa9fea9fe`, `2852039166`, `[::ffff:169.254.169.254]`)
is judged as the address it is. `allow_private` (the setting
`OER_ALLOW_PRIVATE_SOURCES`, for a school harvesting its own network, the demo
and the tests) lets loopback and private ranges through; link-local and
metadata addresses are refused always.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from oer.harvesting.errors import InvalidSourceError

Resolver = Callable[..., Sequence[tuple[Any, ...]]]

# Cloud metadata services that are not link-local (AWS's IPv6 one; Alibaba's).
_METADATA = frozenset({ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SourceAddressRefused(InvalidSourceError):
    """The source URL is not http(s), or points at an address this server may not fetch."""


def judge_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool) -> str | None:
    """Why this server may not connect to `address` (None: it may).

    Asked at registration and of every address the harvester connects to, redirects
    included (`harvester.oai_client.ClientSettings.address_policy`).
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA or address.is_link_local:
        return "a link-local or cloud metadata address"
    if address.is_multicast or address.is_unspecified:
        return "not an address of a host"
    if address.is_loopback or address.is_private:
        return None if allow_private else "a loopback or private address (set OER_ALLOW_PRIVATE_SOURCES for " \
                                          "a repository on your own network)"
    if address.is_reserved or not address.is_global:
        return "not a public address"
    return None


def normalise_source_url(url: str) -> str:
    """The URL with scheme and host in lower case and a default port left out (for comparing)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def endpoint_identity(url: str) -> str:
    """What two source URLs share when they name one endpoint: normalised, without a trailing slash."""
    normalised = normalise_source_url(url)
    parts = urlsplit(normalised)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") or "/", parts.query, ""))


def check_source_url(url: str, *, allow_private: bool, resolve: Resolver = socket.getaddrinfo,
                     must_resolve: bool = True) -> str:
    """The normalised URL when this server may harvest it; else SourceAddressRefused saying why.

    With `must_resolve` off, a host name that cannot be found now is let through (an operator
    registering a repository that is down): the harvester checks every address it connects to.
    """
    text = url.strip()
    # Also percent-encoded: %0d%0a in a URL is a header injection waiting for a careless client.
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text + unquote(text)):
        raise SourceAddressRefused("a source URL has no spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise SourceAddressRefused(f"not a URL: {error}") from error
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise SourceAddressRefused("a source URL is http:// or https:// with a host name")
    if parts.username is not None or parts.password is not None:
        raise SourceAddressRefused("a source URL carries no user name or password")
    try:
        answers = resolve(parts.hostname, port or _DEFAULT_PORTS[parts.scheme.lower()], type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        if not must_resolve:
            return normalise_source_url(text)
        raise SourceAddressRefused(f"the host {parts.hostname!r} cannot be found") from error
    addresses = {ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers}
    if not addresses:
        raise SourceAddressRefused(f"the host {parts.hostname!r} has no address")
    for address in sorted(addresses, key=str):
        reason = judge_address(address, allow_private=allow_private)
        if reason is not None:
            raise SourceAddressRefused(f"{parts.hostname} is {address}: {reason}")
    return normalise_source_url(text)
