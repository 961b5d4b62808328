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
    content = {name: value for name, value in record.items() if name not in NOT_CONTENT}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
