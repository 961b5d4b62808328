"""A resource's content hash: what says its record changed. Pure; no I/O.

Every writer of resources (harvesting, publishing, arrangements) hashes the
record it shows the same way, so "unchanged" means the same thing whichever
domain wrote it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# Fields of a record's JSON form that say where and when it was read, not what it says.
NOT_CONTENT = ("datestamp", "oai_identifier")


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of a record's content (its JSON form without datestamp and OAI identifier)."""
    return _content_hash(_canonical_content(record))


def encode_record(record: Mapping[str, Any]) -> tuple[str, str]:
    """`(JSON text of the whole record, record_hash)`, from one encoding of the record.

    The text is the canonical content (as hashed) with the fields `NOT_CONTENT`
    put in front: a writer stores it as the record's JSON without encoding the
    record again.
    """
    content = _canonical_content(record)
    where = {name: record[name] for name in NOT_CONTENT if name in record}
    if not where:
        return content, _content_hash(content)
    head = json.dumps(where, separators=(",", ":"), ensure_ascii=False)
    text = head if content == "{}" else head[:-1] + "," + content[1:]
    return text, _content_hash(content)


def _canonical_content(record: Mapping[str, Any]) -> str:
    content = {name: value for name, value in record.items() if name not in NOT_CONTENT}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
