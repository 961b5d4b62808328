"""The feed's payload version follows its serialisation: bytes that change need a new PAYLOAD_VERSION.

Stored payloads are served as long as their version is the code's
(`oer.feed.payloads`); if the writers wrote other bytes under the same
version, the feed would go on serving the old ones. So the digest of sample
records' payloads is recorded per version: a change of `metadata.lom`,
`metadata.dublin_core`, their vocabulary and licence tables or
`oer.feed.oai.formats.payload_bytes` that changes these bytes fails here until
PAYLOAD_VERSION is bumped and the new digest recorded beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from metadata.errors import MetadataError
from metadata.formats import FORMATS
from metadata.normalize import normalize_document, normalize_metadata
from metadata.record import Annotation, Contributor, Identifier, Licence, Record, Relation, Term
from oer.feed.oai.formats import PAYLOAD_VERSION, payload_bytes
from tests.support.paths import FIXTURES_DIR

# PAYLOAD_VERSION -> SHA-256 of the sample records' payloads in every format.
RECORDED = {
    1: "e26fd11c918b59a52f9d64497277e29b82754da0968fee3dcadf7efc91e12a5f",
    # `lom` as Edurep writes it (prefix czp:, LOMv1.0 sources, roles from LOM's vocabulary).
    2: "90ec87dc2e4464cd4042e48f0af0e272b135fa4fb723181b04a37883c2028759",
    # The main-language title first; `nl_lom` date-times with a zone get a fraction (IEEE's pattern).
    # The three earlier samples still write version 2's bytes; the fourth shows the change.
    3: "6ee44505d70a28c0617ca007c604f3d057a37aa17aefdd4dff4509d604268dfa",
    # A record read from LOM is written from its source's whole LOM. The four earlier samples
    # (not read from LOM) still write version 3's bytes; the fifth shows the change.
    4: "3dbff50873dc9a1db4c6eb5840090453073ed75b3c27e0d7af1bc9082dfdd352",
}

REKENEN = Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen")
PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "PO")


def samples() -> list[Record]:
    """Records that use every field the writers write, and text that needs escaping."""
    full = Record(
        oai_identifier="oai:school.example.org:1",
        title="Breuken & procenten <deel 1>",
        titles={"nl": "Breuken & procenten <deel 1>", "en": "Fractions & percentages"},
        description="Leerlingen vergelijken breuken\nop een getallenlijn.",
        keywords=("breuken", "getallenlijn"),
        languages=("nl", "en"),
        identifiers=(Identifier("URI", "https://lessen.example.org/breuken"), Identifier("ISBN", "9789000000000")),
        location="https://lessen.example.org/breuken?deel=1&niveau=2",
        formats=("text/html", "application/pdf"),
        aggregation_level=2,
        learning_resource_types=("open opdracht", "onbekend soort"),
        end_user_roles=("learner", "teacher"),
        contexts=("PO", "school"),
        educational_levels=(PO,),
        disciplines=(REKENEN, Term("6f2c0d1e-0000-4000-8000-000000000000")),
        educational_objectives=(Term("1ed1e736-c541-4b47-9061-34117d70c859", "PO 26"),),
        typical_age_range="9-11",
        typical_learning_time=2700,
        cost=False,
        licence=Licence("cc-by-sa-40", "https://creativecommons.org/licenses/by-sa/4.0/"),
        access_rights="OpenAccess",
        contributors=(
            Contributor("author", "Rik Redacteur", "2024-05-01"),
            Contributor("publisher", "Het Lyceum"),
            Contributor("onbekend", None),
        ),
        relations=(Relation("haspart", "https://lessen.example.org/breuken/1"), Relation("isbasedon", "urn:isbn:1")),
        annotations=(
            Annotation("Otto Outsider", "leraar", "2026-01-05", "Didactiek: goed. \"Heldere\" <doelen>."),
            Annotation(None, None, None, None),
        ),
    )
    bare = Record(title="Alleen een titel")
    untitled = Record(languages=("x-none",), cost=True, licence=Licence("copyright"), location="https://e.org/")
    # Since version 3: a main-language title that is not the first is written first, and a UTC
    # date-time gets a zero fraction in `nl_lom` (its role outside LOM goes in the vCard, as in 2).
    reordered = Record(
        title="Breuken", titles={"en": "Fractions", "nl": "Breuken"}, languages=("nl",),
        contributors=(Contributor("hogeschool", "Hogeschool Utrecht", "2015-12-08T10:33:43Z"),),
    )
    # Since version 4: a record read from LOM is written from its source's whole LOM (`served_tree`).
    harvested = normalize_metadata(HARVESTED_LOM.encode())
    return [full, bare, untitled, reordered, harvested]


HARVESTED_LOM = """<lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2">
  <general><title><langstring xml:lang="nl">Macro, meso &amp; micro</langstring></title>
    <keyword><langstring xml:lang="x-none">economie</langstring></keyword></general>
  <lifecycle><version><langstring xml:lang="nl">2</langstring></version>
    <contribute><role><source><langstring>LOMv1.0</langstring></source><value><langstring>hogeschool</langstring></value></role>
      <centity><vcard>BEGIN:VCARD
FN:Hogeschool Utrecht
ORG:Hogeschool Utrecht
END:VCARD</vcard></centity></contribute></lifecycle>
  <technical><format>application/pdf</format><format>text/html</format>
    <location>https://example.org/download.pdf</location><location>https://example.org/page</location></technical>
  <classification><purpose><source><langstring>LOMv1.0</langstring></source><value><langstring>idea</langstring></value></purpose>
    <taxonpath><source><langstring xml:lang="nl">Begrippen</langstring></source><taxon><id>42</id></taxon></taxonpath></classification>
</lom>"""


def test_the_payload_version_stands_for_the_bytes_it_writes() -> None:
    digest = hashlib.sha256()
    for record in samples():
        for metadata_format in FORMATS:
            digest.update(metadata_format.prefix.encode() + b"\0" + payload_bytes(metadata_format, record) + b"\0")
    assert RECORDED.get(PAYLOAD_VERSION) == digest.hexdigest(), (
        "the feed's payload bytes changed: bump PAYLOAD_VERSION in oer/feed/oai/formats.py "
        "(stored payloads are then rebuilt) and record the new digest here"
    )


def test_the_lom_formats_write_their_payloads_as_text_with_the_bytes_lxml_writes() -> None:
    records = [record for path in sorted(FIXTURES_DIR.rglob("*.xml")) if "Broken" not in path.name
               for record in _normalised(path.read_bytes()) if not record.deleted]
    assert len(records) > 40
    for metadata_format in (FORMATS["lom"], FORMATS["nl_lom"]):
        assert metadata_format.payload is not None
        by_lxml = replace(metadata_format, payload=None)
        for record in [*records, *samples()]:
            assert payload_bytes(metadata_format, record) == payload_bytes(by_lxml, record)


def _normalised(document: bytes) -> list[Record]:
    try:
        return normalize_document(document)
    except MetadataError:  # refused documents are covered elsewhere
        return []
