"""Which links may leave the system: http(s) only, judged however they are spelled. Pure; no I/O.

Harvested metadata and everything users submit are untrusted. A location or a
relation target is a link the site, the API, the JSON-LD and the feed hand on to
browsers and other platforms, so only http(s) URLs with a host are kept as
locations. A relation target may also be an identifier that is no link at all
(`urn:uuid:…`, `oai:…`, `wikiwijs:12345`, a DOI): those are kept as they are.
A link of any other kind — `javascript:`, `data:`, `vbscript:`, `file:`, `ftp://`,
and those schemes split by white space or control characters, or in any letter
case — is dropped from the record (the raw record keeps it) and reported.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
# Schemes a browser or client acts on (runs, opens, sends): never handed on, whatever follows them.
LINK_SCHEMES = frozenset({
    "javascript", "vbscript", "livescript", "data", "file", "blob", "filesystem", "about", "jar", "mhtml",
    "mailto", "tel", "sms", "ftp", "ftps", "sftp", "ws", "wss", "gopher", "ldap", "smb", "view-source",
})


# What a browser ignores inside a scheme: white space (`\s` is exactly what str.isspace() calls
# white space) and the C0 control characters and DEL.
_IGNORED = re.compile(r"[\s\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s")


def _compact(text: str) -> str:
    # What a browser makes of a scheme: white space and control characters inside it are ignored.
    return _IGNORED.sub("", text)


def _scheme(text: str) -> str | None:
    # Only the part before the first colon is compacted: compacting never removes a colon, so
    # that part, compacted, is the compacted text's part before its first colon.
    head, colon, _ = text.partition(":")
    if not colon:
        return None
    head = _compact(head)
    if not head or not head[0].isalpha() or not all(ch.isalnum() or ch in "+-." for ch in head):
        return None
    return head.lower()


def is_web_url(text: str) -> bool:
    """An absolute http(s) URL with a host, however its scheme is spelled (`HTTPS:` counts)."""
    stripped = text.strip()
    if _scheme(stripped) not in WEB_SCHEMES:
        return False
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return False
    # The scheme must be http(s) as written too, not only once white space is taken out of it,
    # and the host must be one: a space or control character there is no host at all. (A space in
    # the path of a harvested URL is sloppy, not dangerous: browsers encode it.)
    if _CONTROL.search(stripped) is not None:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname) and _IGNORED.search(parts.netloc) is None


def is_clean_web_url(text: str) -> bool:
    """`is_web_url`, with no white space anywhere: what a publisher here must give."""
    return is_web_url(text) and _SPACE.search(text.strip()) is None


def is_safe_target(text: str) -> bool:
    """A relation target that may travel: an http(s) URL, or an identifier that is not a link."""
    scheme = _scheme(text.strip())
    if scheme is None:
        return True
    if scheme in WEB_SCHEMES:
        return is_web_url(text)
    if scheme in LINK_SCHEMES:
        return False
    # `other://host/...` is a link of some other kind; `wikiwijs:12345` an identifier.
    return not _compact(text).partition(":")[2].startswith("//")
