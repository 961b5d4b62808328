"""The display name (FN) of a vCard as LOM entities carry it, and a minimal vCard to write. Pure; no I/O.

LOM contributors are vCard 3.0 text (RFC 2426) inside `<vcard>` (IMS) or
`<entity>` (IEEE). Harvested vCards are often indented along with the XML
around them, wrapped in CDATA, or folded (RFC 2425 section 5.8.1: a line
starting with a space or tab continues the previous one). The common
indentation is removed first, so indentation and folding can be told apart.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass

from metadata.text import clean_line, xml_safe_text

# Possessive `*+`/`++`: what follows each of them cannot start with a character they take
# (a blank is followed by a name character, a name by "."), so giving some back never
# leads to a match; not trying it halves the search on indented vCards (the usual kind).
_FN_LINE = re.compile(r"^([ \t]*+)(?:[A-Za-z0-9-]++\.)?FN(;[^:\r\n]*)?:(.*)$", re.MULTILINE | re.IGNORECASE)
_PROPERTY = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": " ", "N": " "}


@dataclass(frozen=True, slots=True)
class VcardName:
    """The name read from an entity, and why it is not a plain FN when it is not."""

    name: str | None
    problem: str | None = None


def read_vcard_name(text: str | None) -> VcardName:
    """The FN of a vCard; N or ORG when FN is missing; the text itself when it is no vCard."""
    if text is None or not text.strip():
        return VcardName(None, "empty entity")
    quick = _plain_full_name(text)
    if quick:
        return VcardName(quick)
    properties = _properties(_unfold(text))
    if not properties:
        return VcardName(clean_line(text) or None, "entity is not a vCard; its text is used as the name")
    problem = None
    if properties[0][0] != "BEGIN" or properties[0][2].strip().upper() != "VCARD":
        problem = "entity does not start with BEGIN:VCARD"
    values: dict[str, str] = {}
    for name, params, value in properties:
        if name in ("FN", "N", "ORG") and name not in values:
            values[name] = _decode(params, value)
    full_name = clean_line(_unescape(values.get("FN", "")))
    if full_name:
        return VcardName(full_name, problem)
    structured = _structured_name(values.get("N", ""))
    organisation = clean_line(_unescape(_components(values.get("ORG", ""))[0]))
    reason = problem or "vCard has no FN"
    if structured:
        return VcardName(structured, f"{reason}; name taken from N")
    if organisation:
        return VcardName(organisation, f"{reason}; name taken from ORG")
    return VcardName(None, f"{reason}; no name found")


def _plain_full_name(text: str) -> str | None:
    """The FN of an ordinary vCard without unfolding every line, or None to take the long way.

    Most harvested vCards are a handful of unfolded lines; this finds their
    FN with one regular-expression search. Anything unusual (no BEGIN:VCARD
    first, a folded FN line, quoted-printable, an empty FN) goes the long way.
    """
    if text.lstrip()[:11].upper() != "BEGIN:VCARD":
        return None
    match = _FN_LINE.search(text)
    if match is None or "QUOTED-PRINTABLE" in (match.group(2) or "").upper():
        return None
    following = text[match.end():].lstrip("\r\n")
    indent = len(following) - len(following.lstrip(" \t"))
    if following.strip() and indent > len(match.group(1)):
        return None  # the next line continues the FN line (folding)
    return clean_line(_unescape(match.group(3))) or None


def name_to_vcard(name: str, role: str | None = None) -> str:
    """A minimal vCard 3.0 for a contributor name (FN and N are required by RFC 2426), with a ROLE."""
    escaped = _escape(name)
    role_line = f"ROLE:{_escape(role)}\n" if role else ""
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{escaped}\nN:{escaped};;;;\n{role_line}END:VCARD"


def with_vcard_role(vcard: str, role: str) -> str:
    """The vCard with ROLE `role` added before its END, unless it has a ROLE already."""
    if read_vcard_role(vcard) is not None:
        return vcard
    line = f"ROLE:{_escape(role)}"
    end = vcard.upper().rfind("END:VCARD")
    if end < 0:
        return f"{vcard.rstrip()}\n{line}"
    head = vcard[:end]
    # The END line's own indentation (Edurep indents vCards inside the XML) for the new line.
    indent = head[len(head.rstrip(" \t")):]
    return f"{head}{line}\n{indent}{vcard[end:]}"


def read_vcard_role(text: str | None) -> str | None:
    """The ROLE of a vCard (RFC 2426 section 3.5.2), or None."""
    if not text:
        return None
    for name, params, value in _properties(_unfold(text)):
        if name == "ROLE":
            return clean_line(_unescape(_decode(params, value))) or None
    return None


def _unfold(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first, rest = lines[0].strip(), lines[1:]
    indents = [len(line) - len(line.lstrip(" \t")) for line in rest if line.strip()]
    indent = min(indents) if indents else 0
    unfolded: list[str] = [first] if first else []
    for line in rest:
        line = line[indent:].rstrip() if line.strip() else ""
        if not line:
            continue
        if line[0] in " \t" and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def _properties(lines: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for line in lines:
        match = _PROPERTY.fullmatch(line.strip())
        if match:
            found.append((match.group(1).upper(), match.group(2), match.group(3)))
    return found


def _decode(params: str, value: str) -> str:
    upper = params.upper()
    if "QUOTED-PRINTABLE" not in upper:
        return value
    charset = re.search(r"CHARSET=([A-Za-z0-9_-]+)", upper)
    try:
        decoded = quopri.decodestring(value.encode("ascii", "replace")).decode(
            charset.group(1) if charset else "utf-8", "replace")
    except (LookupError, UnicodeError):
        # A charset Python does not know, or one that is no text encoding (`idna` refuses "replace").
        return value
    # The decoded text never passed the XML parser's checks: `=00` is a NUL, and some charsets
    # decode to U+FFFE or lone surrogates. None of those may be stored or written out.
    return xml_safe_text(decoded)


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value  # nothing escaped (the usual case)
    return _ESCAPE.sub(lambda match: _UNESCAPED.get(match.group(1), match.group(1)), value)


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\n", "\\n"))


def _components(value: str) -> list[str]:
    """Split a structured value on unescaped semicolons."""
    parts, current, escaped = [], "", False
    for ch in value:
        if escaped:
            current += "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _structured_name(value: str) -> str:
    # N is family;given;additional;prefix;suffix (RFC 2426 section 3.1.2).
    parts = [clean_line(_unescape(part)) for part in _components(value)] + [""] * 5
    family, given, additional, prefix, suffix = parts[:5]
    return " ".join(part for part in (prefix, given, additional, family, suffix) if part)
