"""Deduplication keys: what makes two records the same material. Pure; no I/O.

Two records are taken to describe the same material when they share a key:
- an identifier key, from a general/catalogentry: a UUID (`urn:uuid:…` or bare),
  a DOI, or else the catalog-qualified entry (`catalog:entry`, catalog lower-cased);
- a location key, from technical/location or from an identifier that is a URL:
  the URL normalised (scheme http/https folded, host lower-cased without `www.`,
  default port, fragment, tracking parameters and trailing slash dropped, query
  parameters sorted). A bare host (`https://school.nl/`) is not a key: many
  records point at a repository's home page, and they are not the same material.
Values longer than MAX_KEY_BYTES (UTF-8) are not used as keys: database indexes
have a size limit, and such values are practically never shared.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from metadata.record import Record

MAX_KEY_BYTES = 2000

_UUID = re.compile(r"^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
_TRACKING_PARAMETERS = re.compile(r"^(utm_.*|fbclid|gclid)$", re.I)


class KeyKind(enum.Enum):
    IDENTIFIER = "identifier"
    LOCATION = "location"


Key = tuple[KeyKind, str]


def normalise_location(url: str) -> str | None:
    """The location key of `url`, or None when it is not an absolute http(s) URL."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path)
    if path.endswith("/"):
        path = path.rstrip("/")
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING_PARAMETERS.match(name)
        )
    )
    # Scheme folded: the same material is often listed once as http and once as https.
    return urlunsplit(("https", host, path, query, ""))


def identifier_key(catalog: str | None, entry: str) -> Key | None:
    """The key of a catalogentry (catalog may be unknown, as in a relation's target)."""
    value = entry.strip()
    if not value:
        return None
    if match := _UUID.match(value):
        return KeyKind.IDENTIFIER, f"urn:uuid:{match.group(1).lower()}"
    if match := _DOI.match(value):
        return KeyKind.IDENTIFIER, f"doi:{match.group(1).lower()}"
    if location := normalise_location(value):
        return KeyKind.LOCATION, location
    scope = (catalog or "").strip().lower()
    return KeyKind.IDENTIFIER, f"{scope}:{value}" if scope else value


def record_keys(record: Record) -> frozenset[Key]:
    """Every dedup key of a record."""
    keys: set[Key | None] = {identifier_key(i.catalog, i.entry) for i in record.identifiers}
    if record.location:
        location = normalise_location(record.location)
        keys.add((KeyKind.LOCATION, location) if location else None)
    return frozenset(_usable(keys))


# Relations that say a record is the same material as their target (another version or format of
# it): a shared target identifier then is as strong as a shared catalog entry.
SAME_MATERIAL_RELATIONS = frozenset({"isversionof", "hasformat", "isformatof"})


def same_material_keys(record: Record) -> frozenset[Key]:
    """Identifier keys of what a record says it is a version or another format of."""
    keys = (target_key(relation.target) for relation in record.relations
            if relation.kind.strip().lower() in SAME_MATERIAL_RELATIONS)
    return frozenset(key for key in keys if key is not None and key[0] is KeyKind.IDENTIFIER)


# The oai-identifier scheme (OAI-PMH 2.0 guidelines): `oai:` namespace-identifier `:` local part.
_OAI_IDENTIFIER = re.compile(r"^oai:[A-Za-z][A-Za-z0-9\-]*(\.[A-Za-z][A-Za-z0-9\-]*)+:\S+$")
_OAI_RECORD = "oai-record:"


def oai_record_keys(identifiers: Iterable[str]) -> frozenset[Key]:
    """Keys for OAI identifiers of a record: its own, and those of its origins (`<about><provenance>`).

    The oai-identifier scheme makes them unique across repositories, so a repository that
    re-serves a record (Edurep) and names its origin names the material the origin serves.
    They live in a namespace of their own, which a relation target in the oai-identifier
    scheme names too (`target_key`): Edurep's parts name their wholes that way.
    """
    keys = (_OAI_RECORD + value.strip() for value in identifiers if value.strip())
    return frozenset((KeyKind.IDENTIFIER, key) for key in keys if fits_index(key))


def target_key(target: str) -> Key | None:
    """The key a relation's target (an identifier entry, an OAI identifier or a URL) would match."""
    if _OAI_IDENTIFIER.match(target.strip()):
        key = _OAI_RECORD + target.strip()
        return (KeyKind.IDENTIFIER, key) if fits_index(key) else None
    keys = list(_usable([identifier_key(None, target)]))
    return keys[0] if keys else None


def fits_index(value: str) -> bool:
    """Whether `value` is short enough for an indexed text column on every backend."""
    return len(value.encode("utf-8")) <= MAX_KEY_BYTES


def _usable(keys: Iterable[Key | None]) -> Iterable[Key]:
    for key in keys:
        if key is None or not fits_index(key[1]):
            continue
        if key[0] is KeyKind.LOCATION:
            parts = urlsplit(key[1])
            if not parts.path and not parts.query:
                continue
        yield key
