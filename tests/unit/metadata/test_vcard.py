"""vCard FN extraction: indentation, folding, CDATA, escapes, fallbacks."""

from __future__ import annotations

import pytest

from metadata.vcard import VcardName, name_to_vcard, read_vcard_name


@pytest.mark.parametrize("text, name", [
    ("BEGIN:VCARD\nVERSION:3.0\nFN:Digischool\nEND:VCARD", "Digischool"),
    # Edurep: every line after the first indented with the XML
    ("BEGIN:VCARD\n      VERSION:3.0\n      FN:Wageningen University & Research\n      END:VCARD\n   ",
     "Wageningen University & Research"),
    # AnatomyTool: a space after the colon and a trailing comma
    ("BEGIN:VCARD\nVERSION:3.0\nFN: O. Paul Gobée,\nEND:VCARD", "O. Paul Gobée,"),
    # RFC 2425 folding: the line break and one whitespace are removed
    ("BEGIN:VCARD\nFN:Jan van der Ber\n g\nEND:VCARD", "Jan van der Berg"),
    ("BEGIN:VCARD\r\nFN:Windows\r\n  line endings\r\nEND:VCARD", "Windows line endings"),
    (r"BEGIN:VCARD" "\n" r"FN:Smith\, John \; Co\\" "\n" "END:VCARD", "Smith, John ; Co\\"),
    ("BEGIN:VCARD\nitem1.FN;CHARSET=UTF-8:Grouped Name\nEND:VCARD", "Grouped Name"),
    ("begin:vcard\nfn:lower case\nend:vcard", "lower case"),
])
def test_full_name(text: str, name: str) -> None:
    assert read_vcard_name(text) == VcardName(name)


def test_fallbacks_are_reported() -> None:
    assert read_vcard_name("BEGIN:VCARD\nN:Jansen;Piet;;Dr.;\nEND:VCARD") == VcardName(
        "Dr. Piet Jansen", "vCard has no FN; name taken from N")
    assert read_vcard_name("BEGIN:VCARD\nORG:Kennisnet;Team\nEND:VCARD") == VcardName(
        "Kennisnet", "vCard has no FN; name taken from ORG")
    assert read_vcard_name("Plain Name") == VcardName(
        "Plain Name", "entity is not a vCard; its text is used as the name")
    assert read_vcard_name("BEGIN:WRONGTAG\nEX:Example\nEND:VCARD").name is None
    assert read_vcard_name("   ").name is None


@pytest.mark.parametrize("name", ["Anne de Vries", "Smith, John; Co \\ Ltd", "Gérard Ōtsuka", "a:b"])
def test_written_vcard_reads_back(name: str) -> None:
    text = name_to_vcard(name)
    assert text.startswith("BEGIN:VCARD\nVERSION:3.0\n") and text.endswith("END:VCARD")
    assert read_vcard_name(text) == VcardName(name)


@pytest.mark.parametrize("text, name", [
    # `=00` decodes to NUL, which no database text and no XML may hold.
    ("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:Piet=00=1B Jansen\nEND:VCARD", "Piet Jansen"),
    ("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-16-le:=FE=FFa=00\nEND:VCARD", "a"),
    # Charsets that are no text encoding: the value is kept undecoded instead of raising.
    ("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=idna:Jan\nEND:VCARD", "Jan"),
    ("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=punycode:=E2=82\nEND:VCARD", "=E2=82"),
])
def test_decoded_names_hold_only_text(text: str, name: str) -> None:
    assert read_vcard_name(text).name == name


def test_an_entity_of_control_characters_has_no_name() -> None:
    assert read_vcard_name("\x1b\x7f").name is None
