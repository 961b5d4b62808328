"""Charts as inline SVG, drawn on the server with pygal: no script, no CDN, nothing inline that the CSP forbids. Pure; no I/O.

pygal writes a `<style>` and a `<script>` into every chart and a `style`
attribute on its tooltip; the site's Content-Security-Policy allows neither
inline styles nor inline scripts. So the script and the tooltip go (a static
chart needs neither: the table beside it carries the figures), the style goes
to one stylesheet served from the site (`chart_stylesheet`, the same for every
chart, as every chart has the same look), and the chart's own id (a random
one per chart) becomes the class every chart has. The `<svg>` gets
`role="img"` with its title and description as its accessible name, so a
screen reader announces one image and then reads the table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from functools import cache
from itertools import count
from typing import TypeVar

import pygal
from flask_babel import gettext
from lxml import etree
from markupsafe import Markup
from pygal.graph.graph import Graph
from pygal.style import Style

# Importing pygal appends a finder to sys.meta_path (for its optional `pygal.maps` plugins, not
# used here) that has only the `find_module` API Python no longer calls: every import that is not
# found then warns (an error under the tests' filterwarnings). Taken out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]

T = TypeVar("T")
SVG = "http://www.w3.org/2000/svg"
_ID = re.compile(r"#chart-[0-9a-f-]+")
_SERIAL = count(1)

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#616e7c",
    font_family="system-ui, sans-serif",
    colors=("#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9", "#0e7490"),
)


def _config() -> dict[str, object]:
    return {
        "no_data_text": gettext("Nog geen gegevens"),
        "style": STYLE, "js": [], "disable_xml_declaration": True, "width": 640, "height": 320,
        "explicit_size": False, "legend_at_bottom": True, "truncate_label": 24, "print_values": False,
        "show_y_guides": True,
    }


def _clean(svg_text: str) -> tuple[etree._Element, str]:
    root = etree.fromstring(svg_text.encode("utf-8"))
    css = []
    for element in list(root.iter()):
        tag = etree.QName(element).localname if isinstance(element.tag, str) else None
        if tag in ("script", "style"):
            if tag == "style" and element.text:
                css.append(element.text)
            element.getparent().remove(element)
        elif tag is None:
            # Comments (pygal's banner and the date it drew the chart).
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    for element in root.iter(f"{{{SVG}}}g"):
        if "tooltip" in (element.get("class") or "").split():
            element.getparent().remove(element)
    for element in root.iter():
        if isinstance(element.tag, str):
            element.attrib.pop("style", None)
    root.attrib.pop("id", None)
    return root, _ID.sub(".pygal-chart", "\n".join(css))


@cache
def chart_stylesheet() -> str:
    """The CSS every chart uses (what pygal would have put inside each)."""
    chart = pygal.Bar(**_config())
    chart.add("x", [1])
    return _clean(chart.render(is_unicode=True))[1]


def _svg(chart: Graph, title: str, description: str) -> Markup:
    chart.title = None
    root, _ = _clean(chart.render(is_unicode=True))
    serial = next(_SERIAL)
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-title-{serial} chart-desc-{serial}")
    root.set("focusable", "false")
    title_element = etree.Element(f"{{{SVG}}}title", id=f"chart-title-{serial}")
    title_element.text = title
    desc_element = etree.Element(f"{{{SVG}}}desc", id=f"chart-desc-{serial}")
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    # Inner <title>s are pygal's tooltips for values; the image's name is the one above.
    for element in root.iter(f"{{{SVG}}}title"):
        if element is not title_element:
            element.getparent().remove(element)
    return Markup(etree.tostring(root, encoding="unicode"))


def bar_chart(title: str, description: str, labels: Sequence[str],
              series: Sequence[tuple[str, Sequence[float | None]]], *, horizontal: bool = True,
              stacked: bool = False, percent: bool = False) -> Markup:
    """A bar chart of one or more series over `labels`."""
    kind = {(True, False): pygal.HorizontalBar, (True, True): pygal.HorizontalStackedBar,
            (False, False): pygal.Bar, (False, True): pygal.StackedBar}[(horizontal, stacked)]
    config = _config()
    if percent:
        config["value_formatter"] = lambda value: f"{value:.0%}"
        config["range"] = (0, 1)
    chart = kind(show_legend=len(series) > 1, **config)
    # pygal draws a horizontal chart's first label at the bottom; the table beside it starts at the top.
    order: Callable[[Sequence[T]], list[T]] = (lambda items: list(reversed(items))) if horizontal else list
    chart.x_labels = order(labels)
    for name, values in series:
        chart.add(name, order(values))
    return _svg(chart, title, description)


def line_chart(title: str, description: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[float | None]]]) -> Markup:
    """Lines over time (`labels` are the months)."""
    chart = pygal.Line(x_label_rotation=30, show_legend=len(series) > 1, **_config())
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _svg(chart, title, description)
