"""Fuzzing the value parsers: vCards, durations, datestamps, licences, links, text, submissions.

Each takes text from an untrusted record or a user, and must give a value or
its documented "no value" (None, a problem), never an exception it does not
document, and never output that breaks what is built on it.
"""

from __future__ import annotations

import encodings.aliases
import math
import unicodedata
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from harvester.datestamps import datestamp_or_none, parse_datestamp
from metadata.duration import duration_to_seconds, seconds_to_duration
from metadata.issues import IssueCode
from metadata.licence import (
    licence_family,
    licence_from_name,
    licence_from_text,
    licence_from_url,
    licence_rights,
    normalise_licence,
)
from metadata.links import is_clean_web_url, is_safe_target, is_web_url
from metadata.oai import Granularity
from metadata.record import Issue, Licence
from metadata.submission import SUBMITTED_FIELDS, check_submission
from metadata.text import clean_block, clean_line, xml_safe_text
from metadata.vcard import name_to_vcard, read_vcard_name, read_vcard_role
from tests.fuzz.mutations import HOSTILE_VALUES
from tests.fuzz.profiles import FUZZ_SETTINGS

ISSUE_CODES = {code.value for code in IssueCode}
# Any text, and text from the alphabet the parsers look for.
text = st.one_of(st.text(max_size=200), st.sampled_from(HOSTILE_VALUES))


def _pieces(*pieces: str) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=8)), max_size=25).map("".join)


# vCards: properties, parameters, folding, escapes, encodings and every charset Python knows.
_CHARSETS = sorted({*encodings.aliases.aliases, *encodings.aliases.aliases.values(), "idna", "punycode",
                    "undefined", "unicode_escape", "utf_7", "utf_16_le", "rot13", "base64", "nonsense"})
vcards = st.one_of(
    text,
    _pieces("BEGIN:VCARD", "END:VCARD", "\n", "\r\n", " ", "\t", "FN", "N", "ORG", "ROLE", "item1.", ":",
            ";", ",", "\\", "\\n", "\\;", "ENCODING=QUOTED-PRINTABLE", "=", "=00", "=C2=85", "=FE=FF", "=\n"),
    st.builds(lambda charset, value: f"BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET={charset}:{value}\n"
                                     f"ROLE;ENCODING=QUOTED-PRINTABLE;CHARSET={charset}:{value}\nEND:VCARD",
              st.sampled_from(_CHARSETS).map(lambda name: name.replace("_", "-")),
              _pieces("=00", "=FF", "=FE", "=E2=82", "xn--", "+2D3-", "\\u0000", "a", "=")),
)


def _clean(value: str | None) -> bool:
    """No character XML forbids (a record must stay writable), no control characters but white space."""
    return value is None or (xml_safe_text(value) == value and all(
        unicodedata.category(ch) != "Cc" or ch in "\t\n" for ch in value))


@FUZZ_SETTINGS
@given(card=vcards)
# Found by fuzzing (each once raised, or gave a name no database or XML may hold):
@example(card="\x1b")
@example(card="BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:a=00b\nEND:VCARD")
@example(card="BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=idna:=E2=82\nEND:VCARD")
def test_vcards(card: str) -> None:
    name = read_vcard_name(card)
    assert name.name is None or (name.name == clean_line(name.name) and name.name and _clean(name.name))
    role = read_vcard_role(card)
    assert role is None or (role == clean_line(role) and _clean(role))


@FUZZ_SETTINGS
@given(name=st.text(max_size=60).map(xml_safe_text).map(clean_line).filter(bool),
       role=st.one_of(st.none(), st.text(max_size=20).map(xml_safe_text).map(clean_line).filter(bool)))
def test_vcards_written_read_back(name: str, role: str | None) -> None:
    card = name_to_vcard(name, role)
    assert read_vcard_name(card).name == name
    assert read_vcard_role(card) == role


durations = st.one_of(text, _pieces("P", "T", "Y", "M", "W", "D", "H", "S", ".", ",", "9" * 50, "1", "0",
                                    " "))


@FUZZ_SETTINGS
@given(value=durations)
@example(value="P" + "9" * 400 + "Y")  # found by fuzzing: OverflowError
def test_durations(value: str) -> None:
    seconds = duration_to_seconds(value)
    assert seconds is None or (isinstance(seconds, int) and seconds >= 0)
    if seconds is not None:
        assert duration_to_seconds(seconds_to_duration(seconds)) == seconds


datestamps = st.one_of(
    text, st.datetimes().map(lambda moment: moment.isoformat()),
    _pieces("0001", "9999", "2024", "-", "01", "12", "31", "T", ":", "00", "23", "59", "Z", "+01:00", "-14:00",
            ".", "123456", " "),
)


@FUZZ_SETTINGS
@given(value=datestamps)
@example(value="0001-01-01T00:00:00+01:00")  # found by fuzzing: OverflowError, not ValueError
def test_datestamps(value: str) -> None:
    """A datestamp is a UTC moment, or a ValueError (`parse_datestamp`) / None (`datestamp_or_none`)."""
    moment = datestamp_or_none(value)
    assert moment is None or moment.tzinfo is UTC
    try:
        assert parse_datestamp(value) == moment
    except ValueError:
        assert moment is None
    assert isinstance(Granularity.from_identify(value), Granularity)


licence_texts = st.one_of(text, _pieces(
    "https://", "http://", "creativecommons.org/", "licenses/", "licences/", "publicdomain/", "by", "-sa", "-nc",
    "-nd", "zero", "mark", "/", "4.0", "3.0", "2.5", "1.0", "nl", "CC", " ", "BY", "Creative Commons", "cc0",
    "pdm", "Naamsvermelding", "GelijkDelen", "yes", "no"))


def _sound_licence(licence: Licence | None) -> None:
    if licence is None:
        return
    assert isinstance(licence.code, str) and licence.code
    assert licence.url is None or is_web_url(licence.url)
    rights = licence_rights(licence)
    assert rights is not None and rights.to_dict()["code"]
    licence_family(licence.code)


@FUZZ_SETTINGS
@given(value=st.one_of(st.none(), licence_texts), descriptions=st.lists(licence_texts, max_size=3),
       free_text=licence_texts)
def test_licences(value: str | None, descriptions: list[str], free_text: str) -> None:
    issues: list[Issue] = []
    _sound_licence(normalise_licence(value, descriptions, "rights", issues))
    _sound_licence(licence_from_text(free_text, "dc/rights", issues))
    _sound_licence(licence_from_url(free_text))
    named = licence_from_name(free_text)
    assert named is None or licence_rights(Licence(named)) is not None
    assert all(issue.code in ISSUE_CODES for issue in issues)


links = st.one_of(text, _pieces(
    "http", "https", "HTTPS", "javascript", "data", "file", "ftp", ":", "//", "/", "\t", "\n", " ", "\x00",
    "\x7f", "\u0085", "example.org", "[::1]", "@", "?", "#", "%0a", "&#x09;", "java", "script"))


@FUZZ_SETTINGS
@given(link=links)
def test_links(link: str) -> None:
    """Only http(s) survives: whatever the checks accept is http(s) with a host, however it is spelled."""
    if is_web_url(link):
        parts = urlsplit(link.strip())
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in link.strip())
    if is_clean_web_url(link):
        assert is_web_url(link) and not any(ch.isspace() for ch in link.strip())
    if is_safe_target(link):
        compact = "".join(ch for ch in link if not ch.isspace() and ord(ch) >= 32 and ord(ch) != 127).lower()
        assert not compact.startswith(("javascript:", "vbscript:", "data:", "file:"))


@FUZZ_SETTINGS
@given(value=st.one_of(text, st.text(alphabet=st.characters(codec="utf-8"), max_size=200)))
def test_text_cleaning(value: str) -> None:
    line = clean_line(value)
    assert clean_line(line) == line
    assert line == line.strip() and "  " not in line and not any(ch.isspace() and ch != " " for ch in line)
    assert all(unicodedata.category(ch) != "Cc" for ch in line)
    block = clean_block(value)
    assert clean_block(block) == block
    assert all(unicodedata.category(ch) != "Cc" or ch in "\t\n" for ch in block)
    assert all(piece == piece.strip() for piece in block.split("\n"))
    safe = xml_safe_text(value)
    assert xml_safe_text(safe) == safe


# What a form or the JSON API may send: any JSON value in any field (JSON's Infinity and NaN too,
# which Python's JSON reader accepts).
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                   st.sampled_from(HOSTILE_VALUES))
_json = st.one_of(
    _scalar, st.lists(_scalar, max_size=5),
    st.lists(st.dictionaries(st.text(max_size=10), st.one_of(_scalar, st.lists(_scalar, max_size=3)),
                             max_size=4), max_size=3),
)
submissions = st.dictionaries(st.one_of(st.sampled_from(SUBMITTED_FIELDS), st.text(max_size=10)), _json,
                              max_size=8)


@FUZZ_SETTINGS
@given(data=submissions)
@example(data={"aggregation_level": float("inf")})  # found by fuzzing: OverflowError
@example(data={"typical_learning_time": float("inf")})
def test_submissions(data: dict[str, Any]) -> None:
    checked = check_submission(data)
    record = checked.record
    assert all(isinstance(problem.field, str) and problem.code for problem in checked.problems)
    if record.typical_learning_time is not None:
        assert record.typical_learning_time > 0 and math.isfinite(record.typical_learning_time)
    assert record.location is None or is_clean_web_url(record.location)
    assert record.aggregation_level in (None, 1, 2, 3, 4)
