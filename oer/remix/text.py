"""A teacher's own page: Markdown in, sanitised HTML out. Pure; no I/O.

Markdown is read as CommonMark with raw HTML switched off, and what it makes is
sanitised again with nh3 (a kept sanitiser, Rust's ammonia) to an allow-list:
text structure, lists, tables, code, quotes and links. Links keep only http(s)
targets and get `rel="noopener noreferrer nofollow"`; no script, no inline
handler, no style, no `javascript:` link can come out, whatever the Markdown says.
Images are left out: a page here links to what it shows.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_to_html(text: str) -> str:
    """Sanitised HTML of a Markdown text (safe to put in a page as it is)."""
    return nh3.clean(
        _MARKDOWN.render(text or ""),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
