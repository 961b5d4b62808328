"""An arrangement as files: offline HTML, and an IMS Content Package. Pure; builds zip bytes in memory.

Both exports hold the arrangement's own content (its pages and adaptations,
rendered from Markdown and sanitised) and link to every material it includes,
at that material's own location: a part is never packaged, so a part that may
only be linked to (all rights reserved, an unknown licence) is linked to, like
every other. Both carry the attribution of every part.

The content package follows IMS Content Packaging 1.1.3 (the format Wikiwijs
exports arrangements in): `imsmanifest.xml` with the arrangement's LOM record
(IMS binding) in its metadata, one organization whose items are the sections
and their parts, a `webcontent` resource per part: a file for a local page, the
material's URL for an included one.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from html import escape
from typing import Any

from lxml import etree

from metadata.lom import record_to_lom
from metadata.lom_bindings import IMS_BINDING
from metadata.record import Record
from oer.remix.models import PartKind
from oer.remix.queries import ArrangementView, PartView
from oer.remix.text import markdown_to_html

CP_NAMESPACE = "http://www.imsglobal.org/xsd/imscp_v1p1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = (f"{CP_NAMESPACE} http://www.imsglobal.org/xsd/imscp_v1p1.xsd "
                    "http://www.imsglobal.org/xsd/imsmd_v1p2 http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd")
# A fixed time for every entry: the same arrangement makes the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

_STYLE = """body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1,h2{line-height:1.2}ol.parts li{margin:.4rem 0}.meta{color:#555;font-size:.92rem}
.attribution{border-top:1px solid #ccc;margin-top:2rem;padding-top:1rem;font-size:.92rem}
@media print{a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;color:#555}}"""


def _page_name(part: PartView) -> str:
    return f"pages/onderdeel-{part.id}.html"


def _target(part: PartView) -> str:
    return part.source_url or part.page_url or ""


def _document(title: str, body: str, *, language: str = "nl") -> str:
    return (f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>\n")


def _attribution_html(view: ArrangementView) -> str:
    lines = "".join(f"<li>{escape(line)}</li>" for line in view.attributions())
    return (f'<section class="attribution"><h2>Naamsvermelding</h2>'
            f"<p>{escape(view.title)}: licentie {escape(view.licence or 'nog niet bepaald')}.</p>"
            f"<ul>{lines}</ul></section>") if lines else ""


def _page_html(view: ArrangementView, part: PartView) -> str:
    source = ""
    if part.kind is PartKind.ADAPT and part.attribution:
        source = f'<p class="meta">Bewerking van: {escape(part.attribution)}</p>'
    body = f"<p><a href=\"../index.html\">{escape(view.title)}</a></p><h1>{escape(part.title)}</h1>" \
           f"{source}{markdown_to_html(part.body or '')}"
    return _document(part.title, body)


def _index_html(view: ArrangementView) -> str:
    sections = []
    for section in view.sections:
        items = []
        for part in section.parts:
            if part.kind is PartKind.INCLUDE:
                link = f'<a href="{escape(_target(part))}">{escape(part.title)}</a>'
                meta = f" <span class=\"meta\">({escape(part.licence or 'licentie onbekend')})</span>"
            else:
                link = f'<a href="{_page_name(part)}">{escape(part.title)}</a>'
                meta = " <span class=\"meta\">(bewerkt)</span>" if part.kind is PartKind.ADAPT else ""
            items.append(f"<li>{link}{meta}</li>")
        sections.append(f"<h2>{escape(section.title)}</h2><ol class=\"parts\">{''.join(items)}</ol>")
    description = f"<p>{escape(view.description)}</p>" if view.description else ""
    return _document(view.title, f"<h1>{escape(view.title)}</h1>{description}{''.join(sections)}"
                                 f"{_attribution_html(view)}")


def _local_parts(view: ArrangementView) -> list[PartView]:
    return [part for part in view.parts if part.kind is not PartKind.INCLUDE]


def _zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def attribution_text(view: ArrangementView) -> str:
    """The attribution as plain text, to copy or to keep beside the files."""
    lines = [f"{view.title}", f"Licentie: {view.licence or 'nog niet bepaald'}", "", "Naamsvermelding:"]
    lines += [f"- {line}" for line in view.attributions()]
    return "\n".join(lines) + "\n"


def offline_html_zip(view: ArrangementView) -> bytes:
    """The arrangement as a folder of HTML files: index.html, one file per own page, the attribution."""
    files = [("index.html", _index_html(view).encode()), ("naamsvermelding.txt", attribution_text(view).encode())]
    files += [(_page_name(part), _page_html(view, part).encode()) for part in _local_parts(view)]
    return _zip(files)


def manifest(view: ArrangementView, record: Record) -> Any:
    """The `imsmanifest.xml` root of the arrangement (an lxml element)."""
    def sub(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
        element = etree.SubElement(parent, f"{{{CP_NAMESPACE}}}{name}", attributes)
        if text is not None:
            element.text = text
        return element

    root = etree.Element(f"{{{CP_NAMESPACE}}}manifest", {"identifier": f"MANIFEST-{view.id}"},
                         nsmap={None: CP_NAMESPACE, "imsmd": IMS_BINDING.namespace, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    metadata = sub(root, "metadata")
    sub(metadata, "schema", "IMS Content")
    sub(metadata, "schemaversion", "1.1.3")
    metadata.append(record_to_lom(record, IMS_BINDING))
    organizations = sub(root, "organizations", default="ORGANISATION")
    organization = sub(organizations, "organization", identifier="ORGANISATION")
    sub(organization, "title", view.title)
    resources = sub(root, "resources")
    for number, section in enumerate(view.sections, start=1):
        section_item = sub(organization, "item", identifier=f"SECTION-{number}")
        sub(section_item, "title", section.title)
        for part in section.parts:
            item = sub(section_item, "item", identifier=f"ITEM-{part.id}", identifierref=f"RESOURCE-{part.id}")
            sub(item, "title", part.title)
            if part.kind is PartKind.INCLUDE:
                # Linked, never packaged: the material stays where its maker keeps it.
                sub(resources, "resource", identifier=f"RESOURCE-{part.id}", type="webcontent", href=_target(part))
            else:
                resource = sub(resources, "resource", identifier=f"RESOURCE-{part.id}", type="webcontent",
                               href=_page_name(part))
                sub(resource, "file", href=_page_name(part))
    return root


def content_package_zip(view: ArrangementView, record: Record) -> bytes:
    """An IMS Content Package: `imsmanifest.xml`, the own pages, the attribution."""
    xml = etree.tostring(manifest(view, record), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    files = [("imsmanifest.xml", xml), ("naamsvermelding.txt", attribution_text(view).encode())]
    files += [(_page_name(part), _page_html(view, part).encode()) for part in _local_parts(view)]
    return _zip(files)

