"""Pages: per-record failure isolation, single OAI records, payload entry points."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from metadata.errors import RecordError, UnsupportedMetadataError
from metadata.lom import LomReading, read_lom
from metadata.normalize import (
    normalize_document,
    normalize_metadata,
    normalize_oai_record,
    normalize_records,
)
from metadata.xml_input import parse_xml

OAI = "http://www.openarchives.org/OAI/2.0/"
PAGE = f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="{OAI}"><ListRecords>
  <record><header><identifier>oai:x:good</identifier><datestamp>2024-01-01</datestamp></header>
    <metadata><lom xmlns="http://www.imsglobal.org/xsd/imsmd_v1p2"><general><title>
      <langstring xml:lang="nl">Goed</langstring></title></general></lom></metadata></record>
  <record><header><identifier>oai:x:mods</identifier><datestamp>2024-01-02</datestamp></header>
    <metadata><mods xmlns="http://www.loc.gov/mods/v3"><titleInfo/></mods></metadata></record>
  <record><header><identifier>oai:x:empty</identifier><datestamp>2024-01-03</datestamp></header></record>
  <record><header status="deleted"><identifier>oai:x:gone</identifier><datestamp>2024-01-04</datestamp></header></record>
</ListRecords></OAI-PMH>""".encode()


def test_one_broken_record_does_not_stop_the_page() -> None:
    results = normalize_records(PAGE)
    assert [(r.oai_identifier, r.datestamp, r.ok) for r in results] == [
        ("oai:x:good", "2024-01-01", True),
        ("oai:x:mods", "2024-01-02", False),
        ("oai:x:empty", "2024-01-03", False),
        ("oai:x:gone", "2024-01-04", True),
    ]
    assert results[0].record is not None and results[0].record.title == "Goed"
    assert isinstance(results[1].error, UnsupportedMetadataError)
    assert "mods" in str(results[1].error)
    assert isinstance(results[2].error, RecordError)
    assert results[3].record is not None and results[3].record.deleted


def test_normalize_document_raises_the_first_record_error() -> None:
    with pytest.raises(UnsupportedMetadataError, match="neither LOM nor oai_dc"):
        normalize_document(PAGE)


def test_a_single_oai_record_element(fixture_bytes: Callable[[str], bytes]) -> None:
    page = parse_xml(fixture_bytes("oai/anatomytool/anatomy-tool-oaipmh.initial.0.xml")).root
    element = page.find(f"{{{OAI}}}ListRecords/{{{OAI}}}record")
    record = normalize_oai_record(element)
    assert record.oai_identifier == "oai:anatomytool.org:56055"
    assert record.aggregation_level == 1
    # and the same element serialised on its own is a document of one record
    [again] = normalize_document(etree.tostring(element))
    assert again == record


def test_normalize_metadata_accepts_an_element_or_bytes(fixture_bytes: Callable[[str], bytes]) -> None:
    data = fixture_bytes("lom/qti3-ieee-lom.xml")
    from_bytes = normalize_metadata(data)
    from_element = normalize_metadata(parse_xml(data).root, oai_identifier="oai:x:1")
    assert from_element == from_bytes.with_changes(oai_identifier="oai:x:1")
    with pytest.raises(UnsupportedMetadataError):
        normalize_metadata(fixture_bytes("oai/sickle/GetRecord.xml"))


def test_an_unexpected_failure_stays_with_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def flaky(root: Any) -> LomReading:
        if "Goed" in etree.tostring(root, encoding="unicode"):
            raise KeyError("mapping bug")
        return read_lom(root)

    monkeypatch.setattr("metadata.normalize.read_lom", flaky)
    results = normalize_records(PAGE)
    assert isinstance(results[0].error, RecordError)
    assert str(results[0].error) == "record oai:x:good: KeyError: 'mapping bug'"
    assert results[3].ok
