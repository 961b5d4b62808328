"""Hypothesis strategies for hostile input: real fixture documents mutated, and hostile snippets.

The seeds are the project's own copies of real records and pages
(tests/data/fixtures) and its edge files (tests/data/edge). Two kinds of
mutation:

- `mutated`, on the bytes, for the parser: a few of a flipped byte, a
  truncation, a deleted or repeated slice, a hostile snippet inserted (an
  entity reference, a character reference to a forbidden character, a CDATA
  end, deep nesting, a stray BOM), text inserted between tags (any
  characters, including control characters), or a DTD declaring entities
  (billion laughs, external entities, parameter entities) put in front.
  Most such documents are refused, which is the point.
- `tree_mutated`, on the elements, for the normaliser: the document stays
  well-formed, so the mutation reaches the reader. A few of an element's text
  replaced (by hostile values: links in other schemes, broken vCards,
  overflowing durations, licence names, control characters, very long or
  repeated text), an element deleted, emptied, renamed or repeated (up to
  past the list limits), or a language attribute changed.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st
from lxml import etree

from metadata.errors import XMLInputError
from metadata.text import xml_safe_text
from metadata.xml_input import parse_xml
from tests.support.metadata_fixtures import EDGE_DIR
from tests.support.paths import FIXTURES_DIR


def _seeds(*patterns: str) -> list[bytes]:
    paths = sorted({path for pattern in patterns for path in FIXTURES_DIR.glob(pattern)})
    return [path.read_bytes() for path in paths]


# Single metadata records (LOM in both bindings) and our edge files.
RECORD_SEEDS = _seeds("lom/*.xml") + [path.read_bytes() for path in sorted(EDGE_DIR.glob("*.xml"))]
# OAI-PMH and SRU pages: many records each, and protocol envelopes.
PAGE_SEEDS = _seeds("oai/**/*.xml", "sru/*.xml")
ALL_SEEDS = RECORD_SEEDS + PAGE_SEEDS

# What a file the parser must never read holds; see `external_entity_target`.
SECRET = "fuzz-secret-4b1d"
# What a billion-laughs entity expands to: it must never show up in a parsed document.
LAUGH = "HAHA-EXPANDED"

HOSTILE_SNIPPETS = (
    b"&laugh;", b"&secret;", b"&amp;", b"&", b"&#0;", b"&#x1;", b"&#xFFFE;", b"&#55296;", b"&#x10FFFF;",
    b"]]>", b"<![CDATA[", b"<![CDATA[x]]>", b"</", b"<", b">", b"\x00", b"\x1b", b"\x7f", b"\xc2\x85",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xed\xa0\x80", b"<?xml version='1.0'?>", b"<?pi x?>", b"<!-- c -->",
    b"<!DOCTYPE lom>", b"xmlns:x='urn:x'", b"<x:y/>", b"xml:lang='nl'", b"<a>" * 300, b"<b>" * 5000,
    b"javascript:alert(1)", b" https://example.org/a b",
    b"BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:=00=C2=85\n",
    b"P" + b"9" * 400 + b"Y", b"PT1H30M", b"cc-by-sa-40", b"https://creativecommons.org/licenses/by/4.0/",
)


def _dtd(entities: str) -> bytes:
    return f"<?xml version=\"1.0\"?>\n<!DOCTYPE lom [\n{entities}\n]>\n".encode()


def hostile_prologs(secret_path: Path) -> tuple[bytes, ...]:
    """DTDs that declare entities: each must make the document refused (or never expanded)."""
    laughs = f'<!ENTITY laugh0 "{LAUGH}">' + "".join(
        f'<!ENTITY laugh{n} "{("&laugh" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
    ) + '<!ENTITY laugh "&laugh9;">'
    uri = secret_path.as_uri()
    return (
        _dtd(laughs),
        _dtd(f'<!ENTITY secret SYSTEM "{uri}">'),
        _dtd(f'<!ENTITY % remote SYSTEM "{uri}"> %remote;'),
        _dtd('<!ENTITY secret SYSTEM "http://127.0.0.1:9/secret">'),
        _dtd(f'<!ENTITY laugh "{LAUGH}">'),
    )


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], prologs: tuple[bytes, ...] = ()) -> bytes:
    """One of `seeds` with one to four mutations (see the module docstring)."""
    data = bytearray(draw(st.sampled_from(seeds)))
    kinds = ["flip", "truncate", "delete", "repeat", "snippet", "text"] + (["prolog"] if prologs else [])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(kinds))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "delete":
            del data[at:at + draw(st.integers(min_value=1, max_value=200))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(min_value=1, max_value=2000))]
        elif kind == "snippet":
            data[at:at] = draw(st.sampled_from(HOSTILE_SNIPPETS))
        elif kind == "text":
            # Between two tags, where a parser takes it for an element's text.
            gap = data.find(b">", at)
            if gap >= 0:
                data[gap + 1:gap + 1] = draw(st.text(max_size=60)).encode("utf-8", "surrogatepass")
        elif kind == "prolog":
            body = bytes(data)
            if body.startswith(b"<?xml"):
                body = body[body.find(b"?>") + 2:]
            data = bytearray(draw(st.sampled_from(prologs)) + body)
    return bytes(data)


# Mostly-XML from XML's own pieces: tags, entity and character references, declarations.
_PIECES = st.sampled_from([
    "<lom>", "</lom>", "<general>", "</general>", "<title>", "</title>", "<langstring xml:lang='nl'>",
    "</langstring>", "<dc xmlns='http://www.openarchives.org/OAI/2.0/oai_dc/'>", "</dc>",
    "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>", "</OAI-PMH>", "<ListRecords>", "<record>",
    "<metadata>", "<header>", "</header>", "<identifier>", "</identifier>", "&amp;", "&lt;", "&#65;", "&#0;",
    "&x;", "<!DOCTYPE a [<!ENTITY x 'y'>]>", "<?xml version='1.0' encoding='utf-16'?>", "<![CDATA[",
    "]]>", "<!--", "-->", "text", " ", "\n", "\x00", "\ufeff",
])
xml_like = st.lists(st.one_of(_PIECES, st.text(max_size=10)), max_size=40).map(
    lambda pieces: "".join(pieces).encode("utf-8", "surrogatepass"))


# Values that have broken, or could break, a reader: each aimed at one parser of the core.
HOSTILE_VALUES = (
    # links (metadata.links)
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:x", "data:text/html,<b>", "vbscript:x",
    "file:///etc/passwd", "ftp://example.org/x", "//example.org/x", "http://", "https://exa mple.org/",
    " https://example.org/ok ", "HTTPS://EXAMPLE.ORG/", "http://[::1", "http://a\u0085b.org/",
    # vCards (metadata.vcard)
    "BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:=00=1B=7F=C2=85\nEND:VCARD",
    "BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-16-le:=FE=FF\nEND:VCARD",
    "BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-7:+2D3-\nEND:VCARD",
    "BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=nonsense:=41\nEND:VCARD",
    "BEGIN:VCARD\nN:;;;;\nORG:\\;\nEND:VCARD", "BEGIN:VCARD\n  FN:a\n   b\nEND:VCARD", "FN:", ";;;:",
    "BEGIN:VCARD\nROLE;ENCODING=QUOTED-PRINTABLE:=00\nEND:VCARD",
    # durations (metadata.duration)
    "P" + "9" * 400 + "Y", "PT" + "9" * 30 + "S", "P1,5DT0.5H", "PT", "P-1D", "P1e5D",
    # licences (metadata.licence)
    "cc-by-sa-40", "CC BY-NC 4.0", "https://creativecommons.org/licenses/by/4.0/",
    "creativecommons.org/licenses/" + "a" * 600 + "/4.0/", "creativecommons.org/publicdomain/zero/1.0/",
    "yes", "Alle rechten voorbehouden", "cc0", "CC 4.0",
    # vocabulary values and terms
    "learner", " LEARNER ", "2", "5", "no", "educational objective", "discipline", "access rights",
    "2b363227-8633-4652-ad57-c61f1efc02c8", "urn:uuid:x",
    # dates
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2020-02-30", "",
    # text the display must not trip over
    "a\x7fb\x85c\x92d", "\u202eevil", "zero\u200bwidth", "<script>alert(1)</script>", "&amp;lt;",
)


def _well_formed(seeds: list[bytes]) -> list[bytes]:
    found = []
    for seed in seeds:
        try:
            parse_xml(seed)
        except XMLInputError:
            continue
        found.append(seed)
    return found


# The seeds the parser accepts, for `tree_mutated`.
WELL_FORMED_RECORDS = _well_formed(RECORD_SEEDS)
WELL_FORMED_PAGES = _well_formed(PAGE_SEEDS)


_texts = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=40),
    # Long text, over the limits: a word or phrase repeated.
    st.tuples(st.sampled_from(["woord ", "x", "lang\n", "一二三"]), st.integers(1, 60_000)).map(
        lambda piece: piece[0] * piece[1]),
)


@st.composite
def tree_mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """One of the well-formed `seeds` with one to eight element mutations (see the module docstring)."""
    root = parse_xml(draw(st.sampled_from(seeds))).root
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        elements = [element for element in root.iter() if isinstance(element.tag, str)]
        element = elements[draw(st.integers(min_value=0, max_value=len(elements) - 1))]
        parent = element.getparent()
        kind = draw(st.sampled_from(["text", "text", "text", "delete", "empty", "rename", "repeat", "lang"]))
        if kind == "text":
            element.text = xml_safe_text(draw(_texts))
        elif kind == "delete" and parent is not None:
            parent.remove(element)
        elif kind == "empty":
            element.clear()
        elif kind == "rename":
            namespace, name = (element.tag[1:].split("}", 1) if element.tag.startswith("{")
                               else ("", element.tag))
            name = draw(st.sampled_from([name.upper(), name.capitalize(), "x" + name, "lom", "dc", "record"]))
            element.tag = f"{{{namespace}}}{name}" if namespace else name
        elif kind == "repeat" and parent is not None:
            # Small elements past the list limits; a large one (a whole record) a few times.
            copy = etree.tostring(element, with_tail=False)
            for _ in range(draw(st.integers(min_value=1, max_value=300 if len(copy) < 2000 else 3))):
                parent.append(etree.fromstring(copy))
        elif kind == "lang":
            element.set("{http://www.w3.org/XML/1998/namespace}lang",
                        xml_safe_text(draw(st.one_of(st.sampled_from(["nl", "EN", "", "x-none", "nl-NL"]),
                                                     st.text(max_size=20)))))
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))
