"""Dedup keys: which identifiers and URLs make two records the same material. No database."""

from __future__ import annotations

import pytest

from metadata.record import Identifier, Record
from oer.catalogue.keys import KeyKind, normalise_location, record_keys, target_key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.org/a/b", "https://example.org/a/b"),
        ("http://WWW.Example.org:80/a/b/", "https://example.org/a/b"),
        ("https://example.org:8443/a#section", "https://example.org:8443/a"),
        ("https://example.org/a?utm_source=x&b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org//a///b", "https://example.org/a/b"),
        ("mailto:someone@example.org", None),
        ("not a url", None),
        ("https://[bad", None),
    ],
)
def test_normalise_location(url: str, key: str | None) -> None:
    assert normalise_location(url) == key


def test_record_keys() -> None:
    record = Record(
        identifiers=(
            Identifier("UUID", " urn:uuid:5AF0E26F-C4D2-4DDD-94AB-7DD0BD531751\n"),
            Identifier("Wikiwijs", "123"),
            Identifier("DOI", "https://doi.org/10.1000/ABC"),
            Identifier("URI", "http://example.org/les/1/"),
            Identifier("x", "  "),
        ),
        location="https://www.school.nl/",
    )
    assert record_keys(record) == {
        (KeyKind.IDENTIFIER, "urn:uuid:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"),
        (KeyKind.IDENTIFIER, "wikiwijs:123"),
        (KeyKind.IDENTIFIER, "doi:10.1000/abc"),
        (KeyKind.LOCATION, "https://example.org/les/1"),
    }


def test_overlong_values_are_not_keys() -> None:
    record = Record(location="https://example.org/" + "a" * 3000)
    assert record_keys(record) == frozenset()
    assert target_key("5af0e26f-c4d2-4ddd-94ab-7dd0bd531751") == (
        KeyKind.IDENTIFIER, "urn:uuid:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751",
    )
