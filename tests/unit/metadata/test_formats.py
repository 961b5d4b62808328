"""The one registry of metadata formats: prefixes, namespaces, schemas, and writers and readers that agree."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from metadata.formats import (
    FORMATS,
    LOM,
    NL_LOM,
    OAI_DC,
    MetadataFormat,
    MetadataFormats,
    record_to_xml,
)
from metadata.record import Record

XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
RECORD = Record(title="Breuken vergelijken", titles={"nl": "Breuken vergelijken"}, languages=("nl",))


def test_the_registry_lists_the_three_formats_in_order() -> None:
    assert [(f.prefix, f.namespace, f.schema) for f in FORMATS] == [
        ("lom", "http://www.imsglobal.org/xsd/imsmd_v1p2", "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"),
        ("nl_lom", "http://ltsc.ieee.org/xsd/LOM", "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"),
        ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
    ]
    assert [FORMATS[prefix] for prefix in ("lom", "nl_lom", "oai_dc")] == [LOM, NL_LOM, OAI_DC]
    assert FORMATS.get("LOMv1.0") is None
    assert len(FORMATS) == 3


@pytest.mark.parametrize("metadata_format", list(FORMATS), ids=lambda f: f.prefix)
def test_each_writer_writes_in_its_format_and_names_its_schema(metadata_format: MetadataFormat) -> None:
    element = metadata_format.write(RECORD)
    assert etree.QName(element).namespace == metadata_format.namespace
    assert element.get(XSI_SCHEMA_LOCATION) == metadata_format.schema_location
    assert metadata_format.schema_location == f"{metadata_format.namespace} {metadata_format.schema}"


@pytest.mark.parametrize("metadata_format", list(FORMATS), ids=lambda f: f.prefix)
def test_each_reader_reads_what_its_writer_wrote(metadata_format: MetadataFormat) -> None:
    reread = metadata_format.read(etree.fromstring(record_to_xml(RECORD, metadata_format)))
    assert reread.title == RECORD.title


def test_a_prefix_must_be_an_oai_pmh_metadata_prefix() -> None:
    with pytest.raises(ValueError, match="not a valid metadata prefix"):
        replace(LOM, prefix="no spaces")


def test_a_registry_takes_each_prefix_once() -> None:
    with pytest.raises(ValueError, match="given twice"):
        MetadataFormats([LOM, replace(NL_LOM, prefix="lom")])
