"""Comparing materials on the store (SQLite and PostgreSQL): what differs, unknown and withdrawn ids, quality rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from metadata.licence import canonical_url
from metadata.quality import AnnotatorRole
from metadata.record import Identifier, Licence, Record, Term
from oer.accounts.models import User
from oer.catalogue.models import Resource
from oer.discovery.compare import Aspect, compare, load_materials
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.quality import service as quality
from oer.store.types import utcnow
from tests.support.accounts import People

REKENEN = Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen")
PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
VO = Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "Voortgezet onderwijs")


def harvested(number: int, *, context: str = "PO", level: Term = PO, licence: str = "cc-by-40",
              language: str = "nl", kind: str = "informatiebron", minutes: int = 45) -> Record:
    title = f"Breuken {number}"
    return Record(
        oai_identifier=f"oai:elders:{number}", title=title, titles={"nl": title}, languages=(language,),
        identifiers=(Identifier("URI", f"urn:uuid:00000000-0000-4000-8000-{number:012d}"),),
        location=f"https://elders.example.org/les/{number}", aggregation_level=2, contexts=(context,),
        educational_levels=(level,), disciplines=(REKENEN,), learning_resource_types=(kind,),
        typical_learning_time=minutes * 60, licence=Licence(licence, canonical_url(licence)),
    )


@dataclass(frozen=True)
class Shelf:
    people: People
    ids: dict[str, str]


@pytest.fixture
def shelf(people: People) -> Shelf:
    session = people.session
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.flush()
    apply_harvested_page(session, source, [
        HarvestedRecord("oai:elders:1", "2026-01-01", harvested(1)),
        # The same as 1 but for the kind of material.
        HarvestedRecord("oai:elders:2", "2026-01-01", harvested(2, kind="oefening")),
        HarvestedRecord("oai:elders:3", "2026-01-01", harvested(
            3, context="VO", level=VO, licence="cc-by-nc-nd-40", language="en", minutes=90)),
        HarvestedRecord("oai:elders:4", "2026-01-01", harvested(4)),
    ])
    apply_harvested_page(session, source, [HarvestedRecord("oai:elders:4", "2026-02-01", deleted=True)])
    session.commit()
    ids = {r.title: r.id for r in session.scalars(select(Resource))}
    return Shelf(people, {"one": ids["Breuken 1"], "two": ids["Breuken 2"], "three": ids["Breuken 3"],
                          "withdrawn": ids["Breuken 4"]})


def test_only_the_aspects_that_differ_are_marked(shelf: Shelf) -> None:
    session = shelf.people.session
    loaded = load_materials(session, [shelf.ids["one"], shelf.ids["two"]])
    assert loaded.unknown == ()
    result = compare(loaded.materials)
    assert result.ids == (shelf.ids["one"], shelf.ids["two"])
    assert {aspect for aspect, differs in result.differs.items() if differs} == {Aspect.MATERIAL_TYPE}

    result = compare(load_materials(session, [shelf.ids["one"], shelf.ids["two"], shelf.ids["three"]]).materials)
    differing = {aspect for aspect, differs in result.differs.items() if differs}
    assert differing == {Aspect.SECTOR, Aspect.LEVEL, Aspect.MATERIAL_TYPE, Aspect.LEARNING_TIME,
                         Aspect.LICENCE, Aspect.PERMISSIONS, Aspect.LANGUAGES}
    assert not result.differs[Aspect.SUBJECT] and not result.differs[Aspect.SOURCE]
    three = result.materials[2]
    assert three.licence is not None and three.licence.kind == "cc-by-nc-nd"
    assert three.used_in == 0 and three.sources == ("elders",)


def test_unknown_and_withdrawn_ids_are_reported_and_an_identifier_names_its_material(shelf: Shelf) -> None:
    session = shelf.people.session
    loaded = load_materials(session, ["nope", shelf.ids["one"], shelf.ids["withdrawn"],
                                      "urn:uuid:00000000-0000-4000-8000-000000000002",
                                      # The same material again, by its identifier: loaded once.
                                      "urn:uuid:00000000-0000-4000-8000-000000000001"])
    assert loaded.unknown == ("nope", shelf.ids["withdrawn"])
    assert [m.id for m in loaded.materials] == [shelf.ids["one"], shelf.ids["two"]]


def test_completeness_is_assessed_when_the_record_never_was(shelf: Shelf) -> None:
    [material] = load_materials(shelf.people.session, [shelf.ids["one"]]).materials
    assert 0 < material.completeness.score < 1
    assert "rights/cost" in material.completeness.missing_required


def test_quality_rows_per_criterion_and_role(shelf: Shelf) -> None:
    people = shelf.people
    user = people.session.get(User, people.outsider)
    assert user is not None
    user.created_at = utcnow() - timedelta(days=quality.NEW_ACCOUNT_DAYS + 1)
    user.email_verified = True
    teacher = people.actor(people.outsider)
    for key, value in (("one", "goed"), ("two", "goed"), ("three", "voldoende")):
        stored = quality.annotate(people.session, teacher, shelf.ids[key], AnnotatorRole.LERAAR,
                                  "didactiek.doelen", value, "Zo ervaren in groep 7.")
        assert not stored.pending
    session = people.session
    same = compare(load_materials(session, [shelf.ids["one"], shelf.ids["two"]]).materials)
    [row] = same.quality_rows
    assert (row.criterion_id, row.role, row.differs) == ("didactiek.doelen", AnnotatorRole.LERAAR, False)
    assert row.criterion is not None and row.criterion.id == "didactiek.doelen"

    mixed = compare(load_materials(session, [shelf.ids["one"], shelf.ids["three"]]).materials)
    [row] = mixed.quality_rows
    assert row.differs
    assert [[c.value for c in cell.counts] if cell else None for cell in row.cells] == [["goed"], ["voldoende"]]
