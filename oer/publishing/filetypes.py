"""What an uploaded file is, read from its first bytes, and whether it may be published. Pure; no I/O.

The allow-list is of types teachers share (documents, slides, spreadsheets,
images, sound, video, e-books, zip archives, plain text and web pages). The
type is sniffed from the content (`filetype` for binary formats, a look at the
text for the rest), never taken from the name or the browser's Content-Type:
a program renamed to `les.pdf` is refused. A name whose extension promises a
different allowed type than the content is is refused as disguised, so a
teacher is never handed a "PDF" that is a web page. What is allowed is served
as a download under a sandboxing policy (web/publishing), so even an HTML or
SVG file can never run script in the site's origin.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

import filetype

# How many leading bytes sniffing reads (filetype needs at most 8 KiB; office files are zips
# whose first entry names their kind).
SNIFF_BYTES = 8192

# Allowed media types, with the Dutch name a refusal or a list shows.
ALLOWED: dict[str, str] = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word-document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint-presentatie",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel-werkblad",
    "application/vnd.oasis.opendocument.text": "OpenDocument-tekst",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument-presentatie",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument-werkblad",
    "application/msword": "Word-document (oud formaat)",
    "application/vnd.ms-powerpoint": "PowerPoint-presentatie (oud formaat)",
    "application/vnd.ms-excel": "Excel-werkblad (oud formaat)",
    "application/epub+zip": "EPUB-boek",
    "application/zip": "zip-archief",
    "image/png": "PNG-afbeelding",
    "image/jpeg": "JPEG-afbeelding",
    "image/gif": "GIF-afbeelding",
    "image/webp": "WebP-afbeelding",
    "image/svg+xml": "SVG-afbeelding",
    "audio/mpeg": "MP3-geluid",
    "audio/ogg": "Ogg-geluid",
    "audio/x-wav": "WAV-geluid",
    "video/mp4": "MP4-video",
    "video/webm": "WebM-video",
    "text/plain": "tekstbestand",
    "text/csv": "CSV-bestand",
    "text/html": "webpagina (HTML)",
}
# Types that are one family: a name saying one while the content is the other is no disguise.
_SAME_FAMILY = {
    "text/csv": "text/plain",
    "text/markdown": "text/plain",
    "application/xml": "text/plain",
    "text/xml": "text/plain",
    "application/x-zip-compressed": "application/zip",
    "audio/wav": "audio/x-wav",
    "image/jpg": "image/jpeg",
}


@dataclass(frozen=True, slots=True)
class Sniffed:
    """A file's sniffed media type, and the refusal when it may not be published (None: allowed)."""

    media_type: str
    refusal: str | None = None
    refusal_en: str | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _text_type(head: bytes) -> str | None:
    """The type of a file that is text (UTF-8, no NUL bytes), or None when it is not text."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The head may end inside a multi-byte character; anything earlier is not UTF-8 text.
        if error.start < len(head) - 3:
            return None
        text = head[: error.start].decode("utf-8-sig")
    sample = text.lstrip().lower()[:2048]
    if sample.startswith(("<!doctype html", "<html")) or "<script" in sample or "<body" in sample:
        return "text/html"
    if "<svg" in sample and (sample.startswith(("<svg", "<?xml", "<!doctype svg"))):
        return "image/svg+xml"
    return "text/plain"


def _family(media_type: str) -> str:
    return _SAME_FAMILY.get(media_type, media_type)


def sniff(head: bytes, name: str) -> Sniffed:
    """Sniff `head` (the first bytes of the file) and judge it; `name` is only checked for disguise."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    media_type = kind.mime if kind is not None else (_text_type(head) or "application/octet-stream")
    if media_type not in ALLOWED:
        return Sniffed(
            media_type,
            f"Dit soort bestand ({media_type}) kan niet worden gepubliceerd. "
            "Gebruik bijvoorbeeld PDF, een Office- of OpenDocument-bestand, een afbeelding, video of zip.",
            f"This kind of file ({media_type}) cannot be published. "
            "Use for instance PDF, an Office or OpenDocument file, an image, video or zip.",
        )
    claimed, _ = mimetypes.guess_type(name.lower(), strict=False)
    if claimed is not None and _family(claimed) in {_family(t) for t in ALLOWED} \
            and _family(claimed) != _family(media_type) and not _plain_text_claim(claimed, media_type):
        return Sniffed(
            media_type,
            f"De naam zegt {ALLOWED.get(claimed, claimed)}, maar het bestand is een {ALLOWED[media_type]}. "
            "Geef het bestand de naam die bij de inhoud past.",
            f"The name says {claimed}, but the file is {media_type}. Give the file a name that fits its content.",
        )
    return Sniffed(media_type)


def _plain_text_claim(claimed: str, media_type: str) -> bool:
    # A CSV or text name on text content is what it says; text content is not sniffed more finely.
    return media_type == "text/plain" and _family(claimed) == "text/plain"


def is_active_content(media_type: str) -> bool:
    """Whether a browser would run script in a file of this type if it rendered it (HTML, SVG)."""
    return media_type in ("text/html", "image/svg+xml")
