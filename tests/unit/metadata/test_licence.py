"""Licence normalisation: codes, yes + URL, ports, names, conflicts, unknowns."""

from __future__ import annotations

import pytest

from metadata.licence import (
    licence_from_name,
    licence_from_text,
    licence_from_url,
    normalise_licence,
)
from metadata.record import Issue, Licence

PATH = "rights/copyrightandotherrestrictions"


def normalise(value: str | None, *descriptions: str) -> tuple[Licence | None, list[str]]:
    issues: list[Issue] = []
    licence = normalise_licence(value, descriptions, PATH, issues)
    return licence, [issue.code for issue in issues]


@pytest.mark.parametrize("text, licence", [
    ("https://creativecommons.org/licenses/by-sa/4.0/", Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/")),
    ("http://creativecommons.org/licenses/by-nc-nd/4.0", Licence("cc-by-nc-nd-40", "https://creativecommons.org/licenses/by-nc-nd/4.0/")),
    ("see http://www.creativecommons.org/licenses/by/3.0/nl/ for details",
     Licence("cc-by-30", "https://creativecommons.org/licenses/by/3.0/nl/")),
    ("https://creativecommons.org/licenses/by/3.0/deed.nl", Licence("cc-by-30", "https://creativecommons.org/licenses/by/3.0/")),
    ("https://creativecommons.org/publicdomain/zero/1.0/", Licence("cc0-10", "https://creativecommons.org/publicdomain/zero/1.0/")),
    ("https://creativecommons.org/publicdomain/mark/1.0/", Licence("pdm-10", "https://creativecommons.org/publicdomain/mark/1.0/")),
    ("https://creativecommons.org/licenses/by/2.5/", Licence("yes", "https://creativecommons.org/licenses/by/2.5/")),
    ("no url here", None),
])
def test_licence_from_url(text: str, licence: Licence | None) -> None:
    assert licence_from_url(text) == licence


@pytest.mark.parametrize("name, code", [
    ("CC Attribution-NonCommercial-ShareAlike 4.0 International license", "cc-by-nc-sa-40"),
    ("CC Attribution 4.0 International license", "cc-by-40"),
    ("CC BY-SA 3.0", "cc-by-sa-30"),
    ("Creative Commons Naamsvermelding-GelijkDelen 4.0", "cc-by-sa-40"),
    ("CC Naamsvermelding-NietCommercieel-GeenAfgeleideWerken 4.0 Internationaal", "cc-by-nc-nd-40"),
    ("Creative Commons Naamsvermelding 4.0", "cc-by-40"),
    ("CC0", "cc0-10"),
    ("CC BY-SA", None),  # no version: ambiguous
    ("by 4.0", None),  # no mention of Creative Commons
    ("CC BY-SA-ND 4.0", None),  # no such licence
])
def test_licence_from_name(name: str, code: str | None) -> None:
    assert licence_from_name(name) == code


def test_codes_and_reserved_values() -> None:
    assert normalise("cc-by-40") == (Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"), [])
    assert normalise("CC-BY-40") == (Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"),
                                     ["licence-repaired"])
    assert normalise("yes") == (Licence("yes", None), [])
    assert normalise("no") == (Licence("no", None), [])
    assert normalise(None) == (None, [])
    assert normalise("Alle rechten voorbehouden") == (Licence("yes", None), ["licence-repaired"])


def test_yes_with_url_and_port() -> None:
    assert normalise("yes", "https://creativecommons.org/licenses/by-nc/4.0/\n") == (
        Licence("cc-by-nc-40", "https://creativecommons.org/licenses/by-nc/4.0/"), [])
    assert normalise("cc-by-30", "http://creativecommons.org/licenses/by/3.0/nl/") == (
        Licence("cc-by-30", "https://creativecommons.org/licenses/by/3.0/nl/"), [])


def test_conflict_keeps_the_code() -> None:
    assert normalise("cc-by-40", "https://creativecommons.org/licenses/by-sa/4.0/") == (
        Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"), ["licence-conflict"])


def test_url_without_code_and_unknown_values() -> None:
    assert normalise(None, "https://creativecommons.org/licenses/by/4.0/") == (
        Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"), ["licence-repaired"])
    assert normalise("unknown", "https://creativecommons.org/licenses/by/4.0/") == (
        Licence("cc-by-40", "https://creativecommons.org/licenses/by/4.0/"), ["licence-repaired"])
    assert normalise("unknown") == (Licence("unknown", None), ["licence-unknown"])


def test_dublin_core_rights_text() -> None:
    issues: list[Issue] = []
    assert licence_from_text("http://creativecommons.org/licenses/by/4.0/", "dc/rights", issues) == Licence(
        "cc-by-40", "https://creativecommons.org/licenses/by/4.0/")
    assert licence_from_text("cc0-10", "dc/rights", issues) == Licence(
        "cc0-10", "https://creativecommons.org/publicdomain/zero/1.0/")
    assert licence_from_text("© 2011 Sample Publisher", "dc/rights", issues) is None
    assert [issue.code for issue in issues] == ["licence-unknown"]
