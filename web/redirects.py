"""Where a `next` parameter may send a visitor back to: a path on this site, nothing else. Pure.

Browsers forgive a lot in a Location header: they drop tabs and newlines, read
a backslash as a slash, and take `//host` as another site. So a target is
refused unless it is a plain path: it starts with one `/`, holds no white space,
control character or backslash, and parses with no scheme and no host.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target
