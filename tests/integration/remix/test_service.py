"""Arrangements on the store (SQLite and PostgreSQL): parts, licences, publication, lineage, forks, who may."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from lxml import etree
from sqlalchemy import select

from metadata.conformance import ims_cp_errors, ims_lom_errors
from metadata.licence import canonical_url
from metadata.record import Identifier, Licence, Record, Term
from oer.accounts.models import User
from oer.catalogue.models import Origin, Resource, ResourceRelation
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.publishing import service as publishing
from oer.remix import export, service
from oer.remix.errors import AdaptationNotAllowed, ArrangementNotAllowed, LicenceConflict, UnknownArrangement
from oer.remix.models import PartKind
from oer.remix.parts import PartStatus
from oer.remix.queries import get_arrangement, my_arrangements, published_arrangements_using
from tests.support.accounts import People
from tests.support.publishing import SITE, SUBMISSION

PO = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
VO = Term("2a1401e9-c223-493b-9b86-78f6993b1a8d", "Voortgezet onderwijs")


@dataclass(frozen=True)
class Catalogue:
    people: People
    harvested: dict[str, str]
    published: str


def harvested_record(number: int, licence: str, context: str, level: Term, minutes: int) -> Record:
    title = f"Geharvest {number} ({licence})"
    return Record(
        oai_identifier=f"oai:elders:{number}", title=title, titles={"nl": title}, languages=("nl",),
        identifiers=(Identifier("URI", f"urn:uuid:00000000-0000-4000-8000-{number:012d}"),),
        location=f"https://elders.example.org/les/{number}", aggregation_level=2, end_user_roles=("learner",),
        contexts=(context,), educational_levels=(level,), typical_age_range="10-12",
        disciplines=(Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen"),),
        typical_learning_time=minutes * 60, cost=False, licence=Licence(licence, canonical_url(licence)),
        learning_resource_types=("informatiebron",),
    )


@pytest.fixture
def catalogue(people: People) -> Catalogue:
    session = people.session
    for user in session.scalars(select(User)):
        user.email_verified = True
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.flush()
    licences = {"by-sa": ("cc-by-sa-40", "PO", PO, 30), "by-nc": ("cc-by-nc-40", "PO", PO, 20),
                "by-nd": ("cc-by-nd-40", "VO", VO, 15), "all-rights": ("yes", "VO", VO, 10)}
    items = [HarvestedRecord(f"oai:elders:{n}", "2026-01-01", harvested_record(n, *values))
             for n, values in enumerate(licences.values(), start=1)]
    apply_harvested_page(session, source, items)
    published = publishing.publish_submission(session, people.actor(people.redacteur), SITE,
                                              {**SUBMISSION, "licence": "cc-by-40"},
                                              organisation_id=people.school)
    session.commit()
    by_title = {r.title: r.id for r in session.scalars(select(Resource).where(Resource.origin == Origin.HARVESTED))}
    harvested = {key: by_title[f"Geharvest {n} ({values[0]})"] for n, (key, values) in
                 enumerate(licences.items(), start=1)}
    return Catalogue(people, harvested, published.id)


def test_an_arrangement_of_a_harvested_and_a_published_material_is_published_with_its_lineage(
    catalogue: Catalogue,
) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Breuken in drie lessen")
    [section] = get_arrangement(session, arrangement, SITE, teacher).sections
    service.add_part(session, teacher, arrangement, section.id, PartKind.INCLUDE,
                     resource_id=catalogue.harvested["by-sa"])
    service.add_part(session, teacher, arrangement, section.id, PartKind.INCLUDE, resource_id=catalogue.published)
    second = service.add_section(session, teacher, arrangement, "Les 2")
    service.add_part(session, teacher, arrangement, second, PartKind.PAGE, title="Afsluiting",
                     body="# Terugblik\n\nWat heb je geleerd?")
    view = get_arrangement(session, arrangement, SITE, teacher)
    assert view.licence_check.possible and view.licence == "cc0-10", "unchanged parts leave the licence free"
    assert len(view.attributions()) == 2
    assert view.attributions()[0].startswith("\u201cGeharvest 1 (cc-by-sa-40)\u201d") and "CC BY-SA 4.0" in \
        view.attributions()[0]

    published = service.publish(session, teacher, arrangement, SITE)
    session.commit()

    resource = session.get(Resource, arrangement)
    assert resource is not None and resource.origin is Origin.ARRANGED and published.version == 1
    record = Record.from_dict(resource.record)
    assert record.aggregation_level == 3 and record.formats == ("text/html",)
    assert record.location == f"https://oer.example.org/resources/{arrangement}"
    assert record.contexts == ("PO",) and record.typical_learning_time == (30 + 45) * 60
    assert [(c.role, c.name) for c in record.contributors] == [("author", "Otto Outsider")]
    assert record.licence is not None and record.licence.code == "cc0-10"
    assert [r.kind for r in record.relations] == ["haspart", "haspart"]
    targets = dict(session.execute(select(ResourceRelation.target, ResourceRelation.target_resource_id)
                                   .where(ResourceRelation.resource_id == arrangement)).all())
    assert set(targets.values()) == {catalogue.harvested["by-sa"], catalogue.published}, "resolved to both ends"
    assert published_arrangements_using(session, catalogue.published) == [(arrangement, "Breuken in drie lessen")]


def test_an_nd_material_may_be_included_but_not_adapted(catalogue: Catalogue) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Natuurkunde")
    section = get_arrangement(session, arrangement, SITE, teacher).sections[0].id
    with pytest.raises(AdaptationNotAllowed) as refused:
        service.add_part(session, teacher, arrangement, section, PartKind.ADAPT, resource_id=catalogue.harvested["by-nd"])
    assert refused.value.finding.code.value == "adapt-no-derivatives"
    with pytest.raises(AdaptationNotAllowed):
        service.add_part(session, teacher, arrangement, section, PartKind.ADAPT,
                         resource_id=catalogue.harvested["all-rights"])
    service.add_part(session, teacher, arrangement, section, PartKind.INCLUDE, resource_id=catalogue.harvested["by-nd"])
    service.add_part(session, teacher, arrangement, section, PartKind.INCLUDE,
                     resource_id=catalogue.harvested["all-rights"])
    view = get_arrangement(session, arrangement, SITE, teacher)
    assert view.licence_check.possible
    assert [n.code.value for n in view.parts[1].notices] == ["link-only"], "all rights reserved: link only"


def test_a_refused_combination_is_said_per_part_and_resolved_by_including_one_unchanged(catalogue: Catalogue) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Gemengd")
    section = get_arrangement(session, arrangement, SITE, teacher).sections[0].id
    service.add_part(session, teacher, arrangement, section, PartKind.ADAPT, resource_id=catalogue.harvested["by-sa"])
    nc = service.add_part(session, teacher, arrangement, section, PartKind.ADAPT,
                          resource_id=catalogue.harvested["by-nc"])
    view = get_arrangement(session, arrangement, SITE, teacher)
    assert not view.licence_check.possible and view.licence is None
    assert [bool(part.problems) for part in view.parts] == [True, True]
    assert "share-alike-conflict" in {p.code.value for p in view.parts[0].problems}
    with pytest.raises(LicenceConflict):
        service.publish(session, teacher, arrangement, SITE)

    service.remove_part(session, teacher, arrangement, nc)
    service.add_part(session, teacher, arrangement, section, PartKind.INCLUDE, resource_id=catalogue.harvested["by-nc"])
    view = get_arrangement(session, arrangement, SITE, teacher)
    assert view.licence_check.possible and view.licence_check.allowed == ("cc-by-sa-40",)
    service.update_details(session, teacher, arrangement, title="Gemengd", description=None,
                           metadata={"licence": "cc-by-40"})
    with pytest.raises(LicenceConflict, match="allow cc-by-sa-40, not cc-by-40"):
        service.publish(session, teacher, arrangement, SITE)
    service.update_details(session, teacher, arrangement, title="Gemengd", description=None, metadata={})
    assert service.publish(session, teacher, arrangement, SITE).licence == "cc-by-sa-40"
    record = Record.from_dict(session.get(Resource, arrangement).record)  # type: ignore[union-attr]
    assert [r.kind for r in record.relations].count("isbasedon") == 1


def test_a_part_withdrawn_at_its_source_is_marked_the_licence_recomputed_and_the_owner_told(
    catalogue: Catalogue,
) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Met een eigen les van de school")
    section = get_arrangement(session, arrangement, SITE, teacher).sections[0].id
    service.add_part(session, teacher, arrangement, section, PartKind.INCLUDE, resource_id=catalogue.published)
    service.publish(session, teacher, arrangement, SITE)
    session.commit()

    publishing.withdraw(session, people.actor(people.redacteur), catalogue.published, "verouderd")
    session.commit()

    view = get_arrangement(session, arrangement, SITE, teacher)
    [part] = view.parts
    assert part.status is PartStatus.UNAVAILABLE
    assert part.title == "Breuken vergelijken" and part.attribution is not None, "its last known attribution stays"
    assert view.licence_check.possible and view.needs_attention
    [summary] = my_arrangements(session, teacher, SITE)
    assert summary.needs_attention


def test_a_teacher_forks_a_published_arrangement_into_one_of_their_own(catalogue: Catalogue) -> None:
    people, session = catalogue.people, catalogue.people.session
    maker = people.actor(people.outsider)
    original = service.create_arrangement(session, maker, "Origineel")
    section = get_arrangement(session, original, SITE, maker).sections[0].id
    service.add_part(session, maker, original, section, PartKind.INCLUDE, resource_id=catalogue.harvested["by-sa"])
    service.publish(session, maker, original, SITE)
    other = people.actor(people.redacteur)
    with pytest.raises(ArrangementNotAllowed):
        service.add_section(session, other, original, "Niet van mij")

    copy = service.fork(session, other, original)
    view = get_arrangement(session, copy, SITE, other)
    assert view.forked_from == original and view.title == "Origineel (eigen versie)" and len(view.parts) == 1
    service.publish(session, other, copy, SITE)
    session.commit()
    record = Record.from_dict(session.get(Resource, copy).record)  # type: ignore[union-attr]
    assert ("isbasedon", f"https://oer.example.org/resources/{original}") in [(r.kind, r.target)
                                                                              for r in record.relations]


def test_drafts_are_unknown_to_others_and_organisation_arrangements_are_shared_with_its_editors(
    catalogue: Catalogue,
) -> None:
    people, session = catalogue.people, catalogue.people.session
    draft = service.create_arrangement(session, people.actor(people.outsider), "Geheim concept")
    with pytest.raises(UnknownArrangement):
        get_arrangement(session, draft, SITE, people.actor(people.redacteur))
    school = service.create_arrangement(session, people.actor(people.redacteur), "Van de school",
                                        organisation_id=people.school)
    # The school's beheerder edits it too; its lid may not; nor may anyone make one in its name.
    service.add_section(session, people.actor(people.org_beheerder), school, "Les 2")
    with pytest.raises(ArrangementNotAllowed):
        service.add_section(session, people.actor(people.lid), school, "Les 3")
    with pytest.raises(ArrangementNotAllowed):
        service.create_arrangement(session, people.actor(people.lid), "Namens school", organisation_id=people.school)


def test_parts_and_sections_move_by_keyboard_sized_steps(catalogue: Catalogue) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Volgorde")
    first = get_arrangement(session, arrangement, SITE, teacher).sections[0].id
    a = service.add_part(session, teacher, arrangement, first, PartKind.PAGE, title="A")
    b = service.add_part(session, teacher, arrangement, first, PartKind.PAGE, title="B")
    second = service.add_section(session, teacher, arrangement, "Tweede")
    service.move_part(session, teacher, arrangement, b, -1)
    assert [p.title for p in get_arrangement(session, arrangement, SITE, teacher).sections[0].parts] == ["B", "A"]
    service.move_part(session, teacher, arrangement, a, to_section=second)
    service.move_section(session, teacher, arrangement, second, -1)
    sections = get_arrangement(session, arrangement, SITE, teacher).sections
    assert [(s.title, [p.title for p in s.parts]) for s in sections] == [("Tweede", ["A"]), ("Deel 1", ["B"])]


def test_both_exports_link_every_part_carry_the_attribution_and_the_package_is_schema_valid(
    catalogue: Catalogue,
) -> None:
    people, session = catalogue.people, catalogue.people.session
    teacher = people.actor(people.outsider)
    arrangement = service.create_arrangement(session, teacher, "Exporteerbaar", description="Drie onderdelen.")
    section = get_arrangement(session, arrangement, SITE, teacher).sections[0].id
    service.add_part(session, teacher, arrangement, section, PartKind.INCLUDE,
                     resource_id=catalogue.harvested["all-rights"])
    service.add_part(session, teacher, arrangement, section, PartKind.ADAPT, resource_id=catalogue.harvested["by-sa"])
    service.add_part(session, teacher, arrangement, section, PartKind.PAGE, title="Eigen uitleg",
                     body="Klik [hier](javascript:alert(1)) of lees <script>alert(2)</script> **dit**.")
    service.publish(session, teacher, arrangement, SITE)
    view = get_arrangement(session, arrangement, SITE, teacher)
    record = service.arrangement_record(session, arrangement, SITE)

    package = zipfile.ZipFile(io.BytesIO(export.content_package_zip(view, record)))
    names = sorted(package.namelist())
    assert names[0] == "imsmanifest.xml" and len([n for n in names if n.startswith("pages/")]) == 2
    manifest = etree.fromstring(package.read("imsmanifest.xml"))
    assert ims_cp_errors(manifest) == []
    [lom] = manifest.iter("{http://www.imsglobal.org/xsd/imsmd_v1p2}lom")
    assert ims_lom_errors(lom) == []
    hrefs = [r.get("href") for r in manifest.iter(f"{{{export.CP_NAMESPACE}}}resource")]
    assert hrefs[0] == "https://elders.example.org/les/4", "all rights reserved: linked, never packaged"
    own = package.read([n for n in names if n.startswith("pages/")][-1]).decode()
    assert "<strong>dit</strong>" in own and "<script>" not in own
    assert "href=\"javascript:" not in own.lower(), "the link stays text: it never becomes a link"
    attribution = package.read("naamsvermelding.txt").decode()
    assert "\u201cGeharvest 4 (yes)\u201d" in attribution and "bewerkt" in attribution

    offline = zipfile.ZipFile(io.BytesIO(export.offline_html_zip(view)))
    index = offline.read("index.html").decode()
    assert 'href="https://elders.example.org/les/4"' in index and "Naamsvermelding" in index
    assert sorted(offline.namelist()) == sorted(["index.html", "naamsvermelding.txt",
                                                 *(n for n in names if n.startswith("pages/"))])
