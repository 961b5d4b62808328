"""The English catalogue is complete and its compiled .mo says what the .po says."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
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


def _messages(catalogue: Catalog) -> dict[tuple[str | None, object], object]:
    """Every translated message: (context, id) -> translation; plural ids and forms as tuples."""
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {
        (message.context, plain(message.id)): plain(message.string)
        for message in catalogue
        if message.id and message.string and not message.fuzzy
    }


def test_compiled_catalogue_matches_the_po_file() -> None:
    # Compared by content, not bytes: Babel versions lay out the same catalogue differently.
    with (CATALOGUE / "messages.po").open("rb") as handle:
        source = read_po(handle)
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert _messages(compiled) == _messages(source), (
        "messages.mo is stale: run `pybabel compile -d web/translations -l en`")
    assert compiled.plural_forms == source.plural_forms
