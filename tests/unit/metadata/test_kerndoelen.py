"""SLO's kerndoelen: the table, its labels and subject areas, and kerndoelen in LOM and oai_dc."""

from __future__ import annotations

from collections import Counter

from lxml import etree

from metadata.formats import LOM, NL_LOM, OAI_DC, record_to_xml
from metadata.kerndoelen import (
    kerndoel_term,
    kerndoelen,
    kerndoelen_for,
    known_kerndoel,
    replacement_of,
    subject_areas,
)
from metadata.normalize import normalize_metadata
from metadata.record import Record, Term

PO_1 = "8cd7169b-ec2b-4b1a-bc35-e2d2ac49e902"
UNKNOWN = "00000000-0000-4000-8000-00000000abcd"


def test_the_table_holds_slo_s_405_kerndoelen_per_sector() -> None:
    table = kerndoelen()
    assert len(table) == 405
    assert Counter(k.sector for k in table.values()) == {"SO": 153, "VSO": 136, "PO": 58, "VO": 58}
    assert len({k.code for k in table.values()}) == 405
    first = known_kerndoel(PO_1.upper())
    assert first is not None
    assert (first.code, first.label, first.display) == ("PO 1", "Informatie verwerven", "PO 1: Informatie verwerven")
    assert first.subject_area is not None and first.subject_area.label == "Nederlands"
    assert all("\xad" not in k.text for k in table.values())


def test_subject_areas_name_their_obk_vakleergebied() -> None:
    areas = {area.label: area for area in subject_areas()}
    assert len(areas) == 26
    assert areas["Rekenen en wiskunde"].discipline_id == "fdd97fff-f5e5-4b82-b937-9ab302666c50"
    assert sum(1 for k in kerndoelen().values() if k.subject_area is not None) == 188


def test_pickers_filter_by_context_and_subject_area() -> None:
    assert len(kerndoelen_for()) == 405
    assert len(kerndoelen_for(["PO"])) == 58
    # NL-LOM has no VSO context: speciaal onderwijs covers both SO and VSO.
    assert len(kerndoelen_for(["SO"])) == 153 + 136
    dutch = next(a for a in subject_areas() if a.label == "Nederlands")
    po_dutch = kerndoelen_for(["po"], [dutch.id])
    assert po_dutch and all(k.sector == "PO" and k.subject_area == dutch for k in po_dutch)


def test_an_unknown_or_replaced_id_keeps_the_record_s_label() -> None:
    assert kerndoel_term(PO_1) == (Term(PO_1, "PO 1: Informatie verwerven"), True)
    assert kerndoel_term(UNKNOWN, "Eigen doel") == (Term(UNKNOWN, "Eigen doel"), False)
    replaced = replacement_of("d357271b-3cfd-40c4-881d-084b71ca05c8")
    assert replaced is not None and replaced.code == "VO 31"


def test_kerndoelen_travel_in_both_lom_bindings_and_oai_dc() -> None:
    record = Record(title="Luisteren en vertellen", titles={"nl": "Luisteren en vertellen"}, languages=("nl",),
                    educational_objectives=(Term(PO_1, "PO 1: Informatie verwerven"), Term(UNKNOWN, "Eigen doel")))
    for metadata_format in (LOM, NL_LOM):
        xml = record_to_xml(record, metadata_format)
        text = etree.tostring(etree.fromstring(xml), encoding="unicode")
        assert "educational objective" in text and PO_1 in text
        assert normalize_metadata(xml).educational_objectives == record.educational_objectives
    dublin_core = etree.tostring(etree.fromstring(record_to_xml(record, OAI_DC)), encoding="unicode")
    assert "<dc:subject>PO 1: Informatie verwerven</dc:subject>" in dublin_core
    assert "<dc:subject>Eigen doel</dc:subject>" in dublin_core
