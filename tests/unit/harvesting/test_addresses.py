"""Source URLs: http(s) to public addresses only, whatever the spelling; private ones by setting."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest

from oer.harvesting.addresses import SourceAddressRefused, check_source_url, normalise_source_url


def resolving_to(*addresses: str) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    return resolve


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://0xa9fea9fe/", "http://2852039166/",
    "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/oai", "http://[fd00:ec2::254]/",
])
def test_link_local_and_metadata_addresses_are_refused_always(url: str) -> None:
    for allow_private in (False, True):
        with pytest.raises(SourceAddressRefused, match="link-local or cloud metadata"):
            check_source_url(url, allow_private=allow_private)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://localhost:5432/oai", "http://10.1.2.3/oai",
                                 "http://192.168.1.20/oai", "http://[::1]/oai", "http://0177.0.0.1/"])
def test_loopback_and_private_addresses_need_the_setting(url: str) -> None:
    with pytest.raises(SourceAddressRefused, match="OER_ALLOW_PRIVATE_SOURCES"):
        check_source_url(url, allow_private=False)
    assert check_source_url(url, allow_private=True).startswith("http://")


def test_a_host_is_judged_by_every_address_it_resolves_to() -> None:
    public = resolving_to("145.100.1.1")
    assert check_source_url("https://repository.school.nl/oai", allow_private=False, resolve=public) == \
        "https://repository.school.nl/oai"
    sneaky = resolving_to("145.100.1.1", "127.0.0.1")
    with pytest.raises(SourceAddressRefused, match=r"127\.0\.0\.1"):
        check_source_url("https://repository.school.nl/oai", allow_private=False, resolve=sneaky)


@pytest.mark.parametrize(("url", "says"), [
    ("ftp://repository.school.nl/oai", "http:// or https://"), ("file:///etc/passwd", "http:// or https://"),
    ("https://user:secret@repository.school.nl/oai", "no user name"), ("https:///oai", "http:// or https://"),
    ("https://repository.school.nl/o ai", "no spaces"), ("https://repository.school.nl/oai%0d%0a\r\n", "no spaces"),
    ("http://[::1/oai", "not a URL"), ("javascript:alert(1)", "http:// or https://"),
])
def test_malformed_urls_are_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(SourceAddressRefused, match=re.escape(says)):
        check_source_url(url, allow_private=True, resolve=resolving_to("145.100.1.1"))


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def fails(*_: Any, **__: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror("no such host")
    with pytest.raises(SourceAddressRefused, match="cannot be found"):
        check_source_url("https://bestaat-niet.example/oai", allow_private=False, resolve=fails)


def test_urls_are_normalised_for_comparison() -> None:
    assert normalise_source_url("HTTP://Repository.School.NL:80/oai") == "http://repository.school.nl/oai"
    assert normalise_source_url("https://repository.school.nl:443") == "https://repository.school.nl/"
    assert normalise_source_url("https://repository.school.nl:8443/oai?x=1") == \
        "https://repository.school.nl:8443/oai?x=1"
