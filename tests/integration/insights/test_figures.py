"""Each insight figure on a fixture catalogue with known counts (SQLite and PostgreSQL, the embedded index)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from metadata.kerndoelen import kerndoelen
from metadata.levels import level_terms
from metadata.licence import canonical_url
from metadata.quality import AnnotatorRole
from metadata.record import Identifier, Licence, Record, Term
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import OrganisationKind, User
from oer.catalogue.models import Origin, Resource
from oer.discovery.indexing import rebuild_search_index
from oer.harvesting.models import HarvestRun, Provenance, RunStatus, Source, SourceOwner
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.insights import queries
from oer.insights.compare import compare_figure
from oer.insights.figures import Figure, FigureName
from oer.insights.models import InsightSnapshot
from oer.insights.service import take_snapshot
from oer.insights.tasks import INSIGHT_SNAPSHOT_TASK
from oer.publishing import service as publishing
from oer.quality import service as quality
from oer.search import SearchBackend
from oer.search.tantivy_backend import TantivyBackend
from oer.settings import Settings
from oer.store.types import utcnow
from oer.tasks.registry import get_task, run_task_by_ids
from tests.support.accounts import People
from tests.support.cli import run_oer
from tests.support.publishing import SITE, SUBMISSION

REKENEN = Term("b48fa351-4561-44c7-a071-ebfd6103eec3", "Rekenen")
BIOLOGIE = Term("2b363227-8633-4652-ad57-c61f1efc02c8", "Biologie")
PO_LEVEL = Term("512e4729-03a4-43a2-95ba-758071d1b725", "Primair onderwijs")
SO_LEVEL = Term("e7f1c08f-08fb-48ab-be8e-c131b1bce54a", "Speciaal onderwijs")
PO_KERNDOEL = next(k for k in kerndoelen().values() if k.sector == "PO")
SO_KERNDOEL = next(k for k in kerndoelen().values() if k.sector == "SO")


def _level(family: str) -> Term:
    term = next(t for t in level_terms().values() if t.family == family)
    return Term(term.id, term.label)


def harvested(number: int, *, context: str = "PO", level: Term = PO_LEVEL, subject: Term = REKENEN,
              licence: str = "cc-by-40", objectives: tuple[Term, ...] = ()) -> Record:
    title = f"Materiaal {number}"
    return Record(
        oai_identifier=f"oai:elders:{number}", title=title, titles={"nl": title}, languages=("nl",),
        identifiers=(Identifier("URI", f"urn:uuid:00000000-0000-4000-8000-{number:012d}"),),
        location=f"https://elders.example.org/les/{number}", aggregation_level=2, contexts=(context,),
        educational_levels=(level,), disciplines=(subject,), learning_resource_types=("informatiebron",),
        licence=Licence(licence, canonical_url(licence)), educational_objectives=objectives,
    )


@dataclass(frozen=True)
class Catalogue:
    people: People
    backend: SearchBackend
    ids: dict[str, str]

    @property
    def session(self) -> Session:
        return self.people.session


@pytest.fixture
def catalogue(people: People, store_sessions: sessionmaker[Session], tmp_path: Path) -> Iterator[Catalogue]:
    """Seven live materials and one withdrawn one, from two sources; one source belongs to Het Lyceum.

    PO: 4 (3 Rekenen, 1 Biologie); SO: 2 (1 of them VSO); VO: 1 (pro). Licences: 4 open
    (cc-by, cc-by-sa, cc0), 2 non-commercial (one also no-derivatives), 1 `yes`.
    The PO kerndoel is named by 3 open materials and 1 NC one; the SO kerndoel by 1 open one.
    """
    session = people.session
    elders = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    school = Source(name="lyceum", base_url="http://lyceum.example.org/oai", metadata_prefix="lom")
    session.add_all([elders, school])
    session.flush()
    session.add(SourceOwner(source_id=school.id, organisation_id=people.school))
    po_goal, so_goal = (PO_KERNDOEL.as_term(),), (SO_KERNDOEL.as_term(),)
    apply_harvested_page(session, elders, [
        HarvestedRecord("oai:elders:1", "2026-01-01", harvested(1, objectives=po_goal)),
        HarvestedRecord("oai:elders:2", "2026-01-01", harvested(2, licence="cc-by-sa-40", objectives=po_goal)),
        HarvestedRecord("oai:elders:3", "2026-01-01", harvested(3, licence="cc0-10", objectives=po_goal)),
        HarvestedRecord("oai:elders:4", "2026-01-01", harvested(4, subject=BIOLOGIE, licence="cc-by-nc-40",
                                                                objectives=po_goal)),
        HarvestedRecord("oai:elders:5", "2026-01-01", harvested(5, context="SO", level=SO_LEVEL,
                                                                objectives=so_goal)),
        HarvestedRecord("oai:elders:8", "2026-01-01", harvested(8)),
    ])
    apply_harvested_page(session, school, [
        HarvestedRecord("oai:elders:6", "2026-01-01", harvested(6, context="SO", level=_level("vso"),
                                                                licence="cc-by-nc-nd-40")),
        HarvestedRecord("oai:elders:7", "2026-01-01", harvested(7, context="VO", level=_level("pro"),
                                                                licence="yes")),
    ])
    apply_harvested_page(session, elders, [HarvestedRecord("oai:elders:8", "2026-02-01", deleted=True)])
    ids = {r.title: r.id for r in session.scalars(select(Resource))}
    for source, completeness in ((elders, 0.5), (school, 0.75)):
        session.execute(update(Provenance).where(Provenance.source_id == source.id).values(completeness=completeness))
    started = datetime(2026, 3, 1, 3, tzinfo=UTC)
    session.add_all([
        HarvestRun(source_id=elders.id, status=RunStatus.SUCCEEDED, started_at=started, created=6, deleted=1),
        HarvestRun(source_id=elders.id, status=RunStatus.FAILED, started_at=started + timedelta(days=1)),
        HarvestRun(source_id=school.id, status=RunStatus.SUCCEEDED, started_at=started, created=2),
    ])
    user = session.get(User, people.outsider)
    assert user is not None
    user.created_at = utcnow() - timedelta(days=quality.NEW_ACCOUNT_DAYS + 1)
    user.email_verified = True
    stored = quality.annotate(session, people.actor(people.outsider), ids["Materiaal 1"], AnnotatorRole.LERAAR,
                              "didactiek.doelen", "goed", "Zo ervaren in groep 7.")
    assert not stored.pending
    session.commit()
    # After the writes (which stamp their own time): dates the trends can be told by: 1-7 added in January, 2 changed in February, 8 withdrawn in March.
    january, february, march = (datetime(2026, m, 10, tzinfo=UTC) for m in (1, 2, 3))
    session.execute(update(Resource).values(created_at=january, updated_at=january))
    session.execute(update(Resource).where(Resource.id == ids["Materiaal 2"]).values(updated_at=february))
    session.execute(update(Resource).where(Resource.id == ids["Materiaal 8"])
                    .values(deleted_at=march, updated_at=march))
    session.commit()
    backend = TantivyBackend.open(tmp_path / "index")
    try:
        rebuild_search_index(store_sessions, backend)
        yield Catalogue(people, backend, {str(title).split()[-1]: i for title, i in ids.items()})
    finally:
        backend.close()


def _rows(figure: Figure, *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in figure.records()}


def test_materials_by_sector_and_subject(catalogue: Catalogue) -> None:
    rows = _rows(queries.sector_subject(catalogue.backend), "sector", "subject")
    assert rows["PO", None]["materials"] == 4
    assert rows["PO", REKENEN.id]["materials"] == 3 and rows["PO", BIOLOGIE.id]["materials"] == 1
    # SO counts speciaal onderwijs with VSO (NL-LOM has no VSO context); VSO and pro have rows of their own.
    assert rows["SO", None]["materials"] == 2
    assert rows["VSO", None]["materials"] == 1 and rows["pro", None]["materials"] == 1
    assert rows["VO", None]["materials"] == 1
    assert rows["HBO", None]["materials"] == 0
    # The withdrawn material is in none of them.
    assert sum(int(r["materials"]) for k, r in rows.items() if k[1] is None and k[0] in ("PO", "VO", "SO")) == 7


def test_kerndoelen_open_materials_and_gaps(catalogue: Catalogue) -> None:
    figure = queries.kerndoel_coverage(catalogue.backend, threshold=3)
    rows = {r["kerndoel"]: r for r in figure.records()}
    # Three open PO materials name it (the fourth is NC): not a gap at threshold 3.
    assert rows[PO_KERNDOEL.id]["open_materials"] == 3 and rows[PO_KERNDOEL.id]["gap"] is False
    assert rows[SO_KERNDOEL.id]["open_materials"] == 1 and rows[SO_KERNDOEL.id]["gap"] is True
    assert {r["sector"] for r in figure.records()} == {"PO", "VO", "SO", "VSO"}
    assert len(figure.rows) == len(kerndoelen())
    gaps = [r for r in figure.records() if r["gap"]]
    assert len(gaps) == len(kerndoelen()) - 1
    assert queries.kerndoel_coverage(catalogue.backend, threshold=4).records()[0]["sector"] == "PO"


def test_share_that_may_be_adapted(catalogue: Catalogue) -> None:
    rows = _rows(queries.licence_openness(catalogue.backend), "licence_family")
    assert rows["open",]["materials"] == 4 and rows["open",]["share"] == round(4 / 7, 4)
    assert rows["non-commercial",]["materials"] == 2
    assert rows["no-derivatives",]["materials"] == 1
    assert rows["all-rights-reserved",]["materials"] == 1
    assert rows["unknown",]["materials"] == 0


def test_completeness_per_source(catalogue: Catalogue) -> None:
    rows = _rows(queries.completeness_by_source(catalogue.session), "source")
    assert rows["elders",]["records"] == 5 and rows["lyceum",]["records"] == 2
    assert rows["elders",]["completeness"] == 0.5 and rows["lyceum",]["completeness"] == 0.75


def test_quality_information_per_criterion(catalogue: Catalogue) -> None:
    rows = _rows(queries.quality_coverage(catalogue.backend), "criterion")
    assert rows["didactiek.doelen",]["materials"] == 1
    assert rows["didactiek.doelen",]["share"] == round(1 / 7, 4)


def test_trends_per_month_and_origin(catalogue: Catalogue) -> None:
    rows = _rows(queries.trends(catalogue.session), "month", "origin")
    harvested_ = Origin.HARVESTED.value
    assert rows["2026-01", harvested_] == {"month": "2026-01", "origin": harvested_, "added": 8, "changed": 0,
                                          "withdrawn": 0}
    assert rows["2026-02", harvested_]["changed"] == 1
    assert rows["2026-03", harvested_]["withdrawn"] == 1


def test_harvest_health_and_organisations(catalogue: Catalogue) -> None:
    health = _rows(queries.harvest_health(catalogue.session), "source", "month")
    assert health["elders", "2026-03"]["runs"] == 2
    assert health["elders", "2026-03"]["succeeded"] == 1 and health["elders", "2026-03"]["failed"] == 1
    assert health["elders", "2026-03"]["created"] == 6 and health["lyceum", "2026-03"]["runs"] == 1
    organisations = _rows(queries.organisation_figures(catalogue.session), "organisation")
    lyceum = organisations["het-lyceum",]
    assert (lyceum["sources"], lyceum["harvested_records"], lyceum["published"]) == (1, 2, 0)


def test_a_snapshot_stores_every_figure_once_a_day_and_compares(catalogue: Catalogue) -> None:
    session = catalogue.session
    take_snapshot(session, catalogue.backend, date(2026, 1, 31))
    take_snapshot(session, catalogue.backend, date(2026, 1, 31))
    session.commit()
    assert session.scalars(select(InsightSnapshot)).all().__len__() == 1
    assert queries.snapshot_dates(session) == (date(2026, 1, 31),)
    assert queries.find_snapshot(session, date(2026, 1, 1)) is None
    snapshot = queries.find_snapshot(session, date(2026, 6, 1))
    assert snapshot is not None and snapshot.taken_on == date(2026, 1, 31)
    assert set(snapshot.figures) == set(FigureName)
    then = snapshot.figures[FigureName.LICENCES]
    # The catalogue grows: one more open material than in the snapshot.
    now = Figure(then.name, then.columns, tuple(
        (row[0], int(str(row[1] or 0)) + 1, row[2]) if row[0] == "open" else row for row in then.rows))
    compared = _rows(compare_figure(now, then), "licence_family")
    assert (compared["open",]["materials_then"], compared["open",]["materials_now"],
            compared["open",]["materials_change"]) == (4, 5, 1)
    assert compared["unknown",]["materials_change"] == 0


def test_the_command_and_the_monthly_task_store_a_snapshot(store_settings: Settings,
                                                           store_sessions: sessionmaker[Session]) -> None:
    stored = run_oer(store_settings, "insight", "snapshot", "--date", "2026-01-01")
    assert stored.exit_code == 0, stored.output
    assert "Snapshot of 2026-01-01 stored." in stored.output
    assert run_oer(store_settings, "insight", "snapshot", "--date", "gisteren").exit_code == 2
    task = get_task(INSIGHT_SNAPSHOT_TASK)
    assert task.schedule is not None and list(task.schedule(store_settings)) == [("catalogue", "0 4 1 * *")]
    result = run_task_by_ids(store_settings, task, ["catalogue"])
    with store_sessions() as session:
        assert queries.snapshot_dates(session) == (date.fromisoformat(result["taken_on"]), date(2026, 1, 1))
        snapshot = queries.find_snapshot(session, date(2026, 1, 1))
    assert snapshot is not None
    # An empty catalogue: every kerndoel is a gap, and nothing is counted anywhere.
    kerndoel_rows = snapshot.figures[FigureName.KERNDOELEN].records()
    assert kerndoel_rows and all(row["gap"] for row in kerndoel_rows)


@dataclass(frozen=True)
class TwoOrganisations:
    catalogue: Catalogue
    lyceum: int
    uitgever: int
    published_id: str


@pytest.fixture
def two_organisations(catalogue: Catalogue, store_sessions: sessionmaker[Session]) -> TwoOrganisations:
    """Het Lyceum owns `lyceum` (materials 6 and 7) and publishes one PO Rekenen material (open, a PO kerndoel);
    De Uitgever owns `elders` (materials 1-5 live, 8 withdrawn) and publishes nothing."""
    session, people = catalogue.session, catalogue.people
    uitgever = accounts.add_organisation(session, SYSTEM, "de-uitgever", "De Uitgever", OrganisationKind.UITGEVER).id
    elders = session.scalars(select(Source).where(Source.name == "elders")).one()
    session.add(SourceOwner(source_id=elders.id, organisation_id=uitgever))
    redacteur = session.get(User, people.redacteur)
    assert redacteur is not None
    redacteur.email_verified = True
    session.commit()
    actor = people.actor(people.redacteur)
    draft_id = publishing.create_draft(session, actor, SUBMISSION, organisation_id=people.school)
    publishing.publish(session, actor, draft_id, SITE)
    session.commit()
    rebuild_search_index(store_sessions, catalogue.backend)
    return TwoOrganisations(catalogue, people.school, uitgever, draft_id)


def _sum(records: list[dict[str, Any]], column: str) -> int:
    return sum(int(str(record[column])) for record in records)


def _scoped(orgs: TwoOrganisations, organisation_id: int) -> dict[FigureName, Figure]:
    session = orgs.catalogue.session
    return queries.public_figures(session, orgs.catalogue.backend, queries.organisation_scope(session, organisation_id))


def test_each_organisation_sees_the_public_figures_of_its_own_materials_only(
        two_organisations: TwoOrganisations) -> None:
    orgs = two_organisations
    lyceum, uitgever = _scoped(orgs, orgs.lyceum), _scoped(orgs, orgs.uitgever)
    # Het Lyceum: its two harvested materials (VSO, pro) and the one it published (PO Rekenen).
    sectors = _rows(lyceum[FigureName.SECTOR_SUBJECT], "sector", "subject")
    assert sectors["PO", None]["materials"] == 1 and sectors["PO", REKENEN.id]["materials"] == 1
    assert (sectors["SO", None]["materials"], sectors["VSO", None]["materials"],
            sectors["pro", None]["materials"], sectors["VO", None]["materials"]) == (1, 1, 1, 1)
    licences = _rows(lyceum[FigureName.LICENCES], "licence_family")
    assert licences["open",]["materials"] == 1 and licences["open",]["share"] == round(1 / 3, 4)
    assert licences["non-commercial",]["materials"] == 1 and licences["all-rights-reserved",]["materials"] == 1
    assert licences["unknown",]["materials"] == 0
    assert _sum(lyceum[FigureName.KERNDOELEN].records(), "open_materials") == 1
    assert _rows(lyceum[FigureName.COMPLETENESS], "source") == {
        ("lyceum",): {"source": "lyceum", "records": 2, "completeness": 0.75}}
    assert lyceum[FigureName.QUALITY].rows == ()
    lyceum_trends = lyceum[FigureName.TRENDS].records()
    assert [(r["month"], r["added"]) for r in lyceum_trends if r["origin"] == Origin.HARVESTED.value] == [
        ("2026-01", 2)]
    assert _sum([r for r in lyceum_trends if r["origin"] == Origin.PUBLISHED.value], "added") == 1

    # De Uitgever: materials 1-5 of `elders` (8 is withdrawn), nothing published.
    sectors = _rows(uitgever[FigureName.SECTOR_SUBJECT], "sector", "subject")
    assert sectors["PO", None]["materials"] == 4 and sectors["SO", None]["materials"] == 1
    assert sectors["VSO", None]["materials"] == 0 and sectors["VO", None]["materials"] == 0
    licences = _rows(uitgever[FigureName.LICENCES], "licence_family")
    assert licences["open",]["materials"] == 4 and licences["open",]["share"] == 0.8
    assert licences["non-commercial",]["materials"] == 1 and licences["all-rights-reserved",]["materials"] == 0
    assert _sum(uitgever[FigureName.KERNDOELEN].records(), "open_materials") == 4
    assert [r["source"] for r in uitgever[FigureName.COMPLETENESS].records()] == ["elders"]
    quality_rows = _rows(uitgever[FigureName.QUALITY], "criterion")
    assert quality_rows["didactiek.doelen",]["materials"] == 1 and quality_rows["didactiek.doelen",]["share"] == 0.2
    trend_rows = _rows(uitgever[FigureName.TRENDS], "month", "origin")
    assert trend_rows["2026-01", Origin.HARVESTED.value]["added"] == 6
    assert trend_rows["2026-03", Origin.HARVESTED.value]["withdrawn"] == 1
    assert {r["origin"] for r in uitgever[FigureName.TRENDS].records()} == {Origin.HARVESTED.value}

    # The whole catalogue is still both, and more.
    everything = _rows(queries.licence_openness(orgs.catalogue.backend), "licence_family")
    assert everything["open",]["materials"] == 5


def test_an_organisation_is_found_by_id_or_slug(two_organisations: TwoOrganisations) -> None:
    session = two_organisations.catalogue.session
    by_slug = queries.find_organisation(session, "de-uitgever")
    assert by_slug is not None and by_slug.id == two_organisations.uitgever
    assert queries.find_organisation(session, str(two_organisations.uitgever)) == by_slug
    assert queries.find_organisation(session, "nergens") is None
    assert queries.find_organisation(session, "999999") is None
    assert queries.find_organisation(session, "99999999999999999999") is None
    assert [o.slug for o in queries.list_organisations(session)] == ["de-uitgever", "het-lyceum"]
