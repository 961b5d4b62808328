"""The English catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[3] / "web"
CATALOGUE = WEB / "translations" / "en" / "LC_MESSAGES"


def _extracted() -> set[str | tuple[str, str]]:
    methods = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), methods, keywords=keywords):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_text_has_an_english_translation() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = _extracted() - translated
    assert not missing, f"add these to {CATALOGUE / 'messages.po'} (see web/translations/README.md): {missing}"


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert compiled.getvalue() == (CATALOGUE / "messages.mo").read_bytes(), (
        "messages.mo is stale: run `pybabel compile -d web/translations -l en`")
