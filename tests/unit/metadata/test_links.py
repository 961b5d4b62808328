"""Only http(s) links leave the metadata core: locations and relation targets in every spelling."""

from __future__ import annotations

import pytest

from metadata.formats import LOM, record_to_xml
from metadata.links import is_clean_web_url, is_safe_target, is_web_url
from metadata.normalize import normalize_metadata
from metadata.record import Record, Relation

UNSAFE = [
    "javascript:alert(document.domain)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "jav&#x09;ascript:alert(1)", "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
    "ftp://files.example.org/les.pdf", "//evil.example/", "https://", "http:///pad", "mailto:x@example.org",
]


@pytest.mark.parametrize("link", UNSAFE)
def test_no_unsafe_link_is_a_web_url(link: str) -> None:
    assert not is_web_url(link)


@pytest.mark.parametrize("link", ["https://maken.wikiwijs.nl/12345/Breuken", "HTTPS://Example.org/",
                                  "http://example.org:8080/a?b=c#d", "https://example.org/les 1.pdf"])
def test_http_links_are_web_urls(link: str) -> None:
    assert is_web_url(link)


def test_a_publisher_s_link_has_no_white_space_at_all() -> None:
    assert is_clean_web_url("https://example.org/les-1.pdf")
    assert not is_clean_web_url("https://example.org/les 1.pdf")


@pytest.mark.parametrize("target", ["urn:uuid:6f1c0001-5e2a-4b7c-9d3e-a1b2c3d4e5f6", "oai:wikiwijs.nl:12345",
                                    "wikiwijs:12345", "10.1000/182", "https://example.org/les", "WikiwijsMaken-123"])
def test_identifiers_and_web_links_are_safe_relation_targets(target: str) -> None:
    assert is_safe_target(target)


# (An entity such as &#x09; is text here: escaped wherever it is shown, it is never a scheme.)
@pytest.mark.parametrize("target", [t for t in UNSAFE if t not in ("//evil.example/", "jav&#x09;ascript:alert(1)")]
                         + ["ws://x.example/"])
def test_other_links_are_not_safe_relation_targets(target: str) -> None:
    assert not is_safe_target(target)


@pytest.mark.parametrize("link", ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)",
                                  "java\tscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_the_normaliser_drops_unsafe_locations_and_targets_and_says_so(link: str) -> None:
    record = Record(title="Les", titles={"nl": "Les"}, languages=("nl",), location="https://example.org/les",
                    relations=(Relation("haspart", "https://example.org/deel"),))
    xml = record_to_xml(record, LOM).replace(b"https://example.org/les<", link.encode() + b"<", 1)
    xml = xml.replace(b"https://example.org/deel", link.encode())
    reread = normalize_metadata(xml)
    assert reread.location is None and reread.relations == ()
    unsafe = [issue for issue in reread.issues if issue.code == "unsafe-link"]
    assert [issue.path for issue in unsafe] == ["technical/location", "relation/resource"]
