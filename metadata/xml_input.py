"""Safe parsing of untrusted metadata XML (no network, no entities, no DTD). Pure; no I/O.

Harvested XML is untrusted. The parser never loads a DTD, never resolves an
entity, never touches the network and keeps libxml2's size limits
(`huge_tree=False`), so billion-laughs and external-entity documents are
refused within milliseconds. Documents that declare entities are refused
outright: no metadata format this product reads needs them.

Real repositories send two kinds of dirt that are repaired here rather than
refused: a UTF-8 byte-order mark (or whitespace) before the XML declaration,
and characters that XML 1.0 forbids (C0 control characters, U+FFFE/U+FFFF,
and character references to them). Those characters are removed and the
lines they were on are reported, so the caller can attach an issue to the
record that contained them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from metadata.errors import XMLInputError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ENCODING_DECLARATION = re.compile(rb"^(<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']")
_LXML_SUFFIX = re.compile(r"\s*\(<string>, line \d+\)$")

# XML 1.0 section 2.2 (Char): everything below U+0020 except TAB, LF and CR is
# forbidden, and so are U+FFFE and U+FFFF (here in their UTF-8 form). The
# second alternative catches numeric character references to the same
# characters (and to surrogates), which libxml2 refuses just the same.
_ILLEGAL_CHARACTERS = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]"
    rb"|&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])"
    rb"|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}"
    rb"|573[0-3][0-9]|5734[0-3]|6553[45]));"
)


def _new_parser() -> Any:
    # resolve_entities=False: an entity reference stays a reference (and the
    # document is refused below); no_network/load_dtd=False: nothing is ever
    # fetched; huge_tree=False keeps libxml2's depth, size and entity
    # amplification limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_blank_text=True,
        remove_pis=True,
    )


_PARSER = _new_parser()


@dataclass(frozen=True, slots=True)
class ParsedXml:
    """A safely parsed document and where illegal characters were removed from it.

    `removed_characters` holds one `(line, count)` pair per line (1-based, as
    lxml's `sourceline`) from which characters illegal in XML 1.0 were removed.
    """

    root: Any
    removed_characters: tuple[tuple[int, int], ...] = ()

    @property
    def removed_count(self) -> int:
        return sum(count for _, count in self.removed_characters)


def parse_xml(data: bytes) -> ParsedXml:
    """Parse untrusted XML bytes; raise XMLInputError if they cannot be read safely.

    The fast path parses the bytes as they are; only when that fails are
    illegal characters removed and the parse retried, so clean input pays
    nothing for the repair.
    """
    if not isinstance(data, bytes):
        raise XMLInputError("expected XML as bytes")
    data = _strip_preamble(data)
    if not data:
        raise XMLInputError("not XML: the input is empty")
    removed: tuple[tuple[int, int], ...] = ()
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as first_error:
        cleaned, removed = remove_illegal_characters(data)
        if not removed:
            raise XMLInputError(f"not well-formed XML: {_one_line(first_error)}") from None
        try:
            root = etree.fromstring(cleaned, _PARSER)
        except etree.XMLSyntaxError as error:
            raise XMLInputError(f"not well-formed XML: {_one_line(error)}") from None
    if root is None:
        raise XMLInputError("not XML: no root element")
    _refuse_entities(root)
    return ParsedXml(root=root, removed_characters=removed)


def remove_illegal_characters(data: bytes) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """Remove characters (and character references) illegal in XML 1.0.

    Returns the cleaned bytes and `(line, count)` per affected line. Works
    byte-wise, so on ASCII-compatible encodings (UTF-8, Latin-1, ...); UTF-16
    input is re-encoded to UTF-8 by `parse_xml` before it gets here.
    """
    per_line: dict[int, int] = {}
    line, position = 1, 0
    for match in _ILLEGAL_CHARACTERS.finditer(data):
        # Removing these never removes a newline, so line numbers of the
        # cleaned document equal those of the original.
        line += data.count(b"\n", position, match.start())
        position = match.start()
        per_line[line] = per_line.get(line, 0) + 1
    if not per_line:
        return data, ()
    return _ILLEGAL_CHARACTERS.sub(b"", data), tuple(per_line.items())


def local_name(tag: str) -> str:
    """The part of a Clark-notation tag (`{namespace}name`) after the namespace."""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    """The namespace of a Clark-notation tag, or '' for none."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _strip_preamble(data: bytes) -> bytes:
    if data[:2] in _UTF16_BOMS:
        # Re-encoded so the byte-wise repairs below apply; the declaration's
        # encoding would now be wrong, so it goes.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise XMLInputError(f"not XML: broken UTF-16 ({error.reason})") from None
        data = _ENCODING_DECLARATION.sub(rb"\1", data, count=1)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if data[:1].isspace():
        # Some servers emit a newline before the XML declaration, which XML
        # forbids; nothing of meaning can be lost by dropping it.
        data = data.lstrip()
    return data


def _refuse_entities(root: Any) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise XMLInputError("unsafe XML: the document declares entities (DTD); refused")


def _one_line(error: Exception) -> str:
    # lxml appends "(<string>, line N)", which names no file the user knows.
    return _LXML_SUFFIX.sub("", " ".join(str(error).split()))
