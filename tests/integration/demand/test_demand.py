"""Demand signals on the store (SQLite and PostgreSQL): counts without who searched, the k-anonymity
threshold, the retention purge, and who may support, answer and link a wish."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select

from metadata.record import Record
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind, PlatformRole, User
from oer.catalogue.models import Resource
from oer.demand import service
from oer.demand.errors import InvalidWish, UnknownResource, WishNotAllowed
from oer.demand.models import DemandCount, Wish, WishState
from oer.demand.queries import get_wish, list_wishes, most_asked_gaps
from oer.demand.service import SearchSignal
from oer.demand.tasks import DEMAND_PURGE_TASK, purge_task
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.settings import Settings
from oer.store.database import store_sessions
from oer.tasks.registry import registered_tasks, run_task_by_ids
from tests.support.accounts import People
from tests.support.cli import run_oer

TODAY = date(2026, 12, 1)


def test_a_count_row_holds_the_query_its_day_and_numbers_only(people: People) -> None:
    session = people.session
    columns = {column["name"] for column in inspect(session.get_bind()).get_columns("demand_count")}
    assert columns == {"day", "query", "sector", "subject", "searches", "empty"}
    for results in (0, 0, 2):
        assert service.record_search(session, SearchSignal("Breuken groep 6!", "PO", "rekenen", results), TODAY)
    assert not service.record_search(session, SearchSignal("tess@school.example.org"), TODAY)
    session.commit()
    [row] = session.scalars(select(DemandCount))
    assert (row.day, row.query, row.sector, row.subject, row.searches, row.empty) == (
        TODAY, "breuken groep 6", "PO", "rekenen", 3, 2)


def test_a_query_appears_only_once_the_threshold_of_searches_asked_it(people: People) -> None:
    session = people.session
    for _ in range(4):
        service.record_search(session, SearchSignal("kerndoel 33 vso", "VSO"), TODAY)
    # The same words in another sector are another bucket: they do not add up to five.
    service.record_search(session, SearchSignal("kerndoel 33 vso", "PO"), TODAY)
    session.commit()
    assert most_asked_gaps(session, threshold=5) == []
    # The fifth search on another day of the period completes it.
    service.record_search(session, SearchSignal("Kerndoel 33 VSO", "VSO"), TODAY + timedelta(days=1))
    session.commit()
    [gap] = most_asked_gaps(session, threshold=5)
    assert (gap.query, gap.sector, gap.subject, gap.searches, gap.empty) == ("kerndoel 33 vso", "VSO", None, 5, 5)
    assert (gap.first_day, gap.last_day) == (TODAY, TODAY + timedelta(days=1))
    assert most_asked_gaps(session, threshold=6) == []


def test_the_purge_removes_days_before_the_retention_period_and_only_the_operator_purges(people: People) -> None:
    session = people.session
    old, recent = TODAY - timedelta(days=400), TODAY - timedelta(days=10)
    for day in (old, old, recent):
        service.record_search(session, SearchSignal("stoffen en materialen"), day)
    session.commit()
    with pytest.raises(WishNotAllowed):
        service.purge_counts(session, people.actor(people.beheerder), before=TODAY - timedelta(days=365))
    assert service.purge_counts(session, SYSTEM, before=TODAY - timedelta(days=365)) == 1
    session.commit()
    assert [row.day for row in session.scalars(select(DemandCount))] == [recent]


def _material(people: People) -> str:
    session = people.session
    source = Source(name="elders", base_url="http://elders.example.org/oai", metadata_prefix="lom")
    session.add(source)
    session.flush()
    apply_harvested_page(session, source, [
        HarvestedRecord("oai:elders:1", "2026-01-01", Record(title="Kerndoel 33 voor het vso",
                                                             location="https://e.example.org/1"))])
    session.commit()
    resource_id = session.scalar(select(Resource.id))
    assert resource_id is not None
    return str(resource_id)


def test_anyone_supports_a_wish_a_signed_in_user_once_and_a_visitor_by_number(people: People) -> None:
    session = people.session
    wish_id = service.create_wish(session, people.actor(people.lid), text="Lessen over kerndoel 33 voor het vso",
                                  sector="VSO", notify=True)
    assert not service.support_wish(session, people.actor(people.lid), wish_id, notify=False), "once per user"
    assert service.support_wish(session, people.actor(people.outsider), wish_id)
    assert service.support_wish(session, None, wish_id) and service.support_wish(session, None, wish_id)
    session.commit()
    detail = get_wish(session, wish_id)
    assert detail is not None and detail.summary.support == 4
    wish = session.get(Wish, wish_id)
    assert wish is not None and wish.anonymous_support == 2
    assert [summary.id for summary in list_wishes(session)] == [wish_id]
    with pytest.raises(InvalidWish) as refused:
        service.create_wish(session, None, text="kort", sector="XX", level="x" * 101)
    assert {problem.field for problem in refused.value.problems} == {"text", "sector", "level"}


def test_only_publishers_of_an_organisation_or_the_redactie_answer_and_link(people: People) -> None:
    session = people.session
    material = _material(people)
    wish_id = service.create_wish(session, None, text="Een les over breuken voor groep 6")
    other = accounts.add_organisation(session, SYSTEM, "elders", "Elders", OrganisationKind.SCHOOL).id
    # A lid, an outsider and the platform's beheerder do not promise material; nor for an organisation not theirs.
    for user_id, organisation in ((people.lid, people.school), (people.outsider, None), (people.beheerder, None),
                                  (people.beheerder, people.school), (people.redacteur, other),
                                  (people.redacteur, None)):
        with pytest.raises(WishNotAllowed):
            service.answer_wish(session, people.actor(user_id), wish_id, organisation_id=organisation)
    answer = service.answer_wish(session, people.actor(people.redacteur), wish_id, organisation_id=people.school,
                                 note="Voor de zomer klaar.")
    accounts.grant_role(session, SYSTEM, people.outsider, PlatformRole.REDACTIE)
    by_redactie = service.answer_wish(session, people.actor(people.outsider), wish_id, organisation_id=None)
    assert session.get(Wish, wish_id).state is WishState.ANSWERED  # type: ignore[union-attr]
    for user_id, answer_id in ((people.lid, answer), (people.outsider, answer), (people.redacteur, by_redactie)):
        with pytest.raises(WishNotAllowed):
            service.link_material(session, people.actor(user_id), wish_id, answer_id, material)
    with pytest.raises(UnknownResource):
        service.link_material(session, people.actor(people.org_beheerder), wish_id, answer, "no-such-material")
    # The organisation's beheerder publishes in its name too, so links for its answer.
    service.link_material(session, people.actor(people.org_beheerder), wish_id, answer, material)
    session.commit()
    detail = get_wish(session, wish_id)
    assert detail is not None and detail.summary.state is WishState.FULFILLED
    assert [(a.organisation_name, a.resource_id, a.resource_title) for a in detail.answers] == [
        ("Het Lyceum", material, "Kerndoel 33 voor het vso"), (None, None, None)]


def test_linking_tells_those_who_asked_signed_in_agreed_and_are_verified(people: People) -> None:
    session = people.session
    material = _material(people)
    for user_id in (people.lid, people.outsider, people.org_beheerder):
        user = session.get(User, user_id)
        assert user is not None
        user.email_verified = user_id != people.org_beheerder
    wish_id = service.create_wish(session, people.actor(people.lid), text="Een les over breuken voor groep 6",
                                  notify=True)
    service.support_wish(session, people.actor(people.outsider), wish_id, notify=False)
    service.support_wish(session, people.actor(people.org_beheerder), wish_id, notify=True)
    service.support_wish(session, None, wish_id)
    answer = service.answer_wish(session, people.actor(people.redacteur), wish_id, organisation_id=people.school)
    told = service.link_material(session, people.actor(people.redacteur), wish_id, answer, material)
    assert told == ["lisa@school.example.org"]
    # Linking again (a correction) tells no one twice.
    assert service.link_material(session, people.actor(people.redacteur), wish_id, answer, material) == []


def test_a_member_role_change_takes_the_right_to_answer_away(people: People) -> None:
    session = people.session
    wish_id = service.create_wish(session, None, text="Een les over breuken voor groep 6")
    accounts.change_member_role(session, SYSTEM, people.school, people.redacteur, MemberRole.LID)
    with pytest.raises(WishNotAllowed):
        service.answer_wish(session, people.actor(people.redacteur), wish_id, organisation_id=people.school)


def test_oer_demand_purge_and_the_daily_task_keep_the_retention_period(store_settings: Settings) -> None:
    settings = dataclasses.replace(store_settings, demand_retention_days=30, demand_threshold=2)
    today = date.today()
    with store_sessions(settings) as sessions, sessions.begin() as session:
        for day in (today - timedelta(days=40), today - timedelta(days=31), today - timedelta(days=1), today):
            service.record_search(session, SearchSignal("stoffen en materialen"), day)
    gaps = run_oer(settings, "demand", "gaps")
    assert gaps.exit_code == 0, gaps.output
    assert [(gap["query"], gap["searches"]) for gap in json.loads(gaps.output)] == [("stoffen en materialen", 4)]
    result = run_oer(settings, "demand", "purge", "--before", (today - timedelta(days=35)).isoformat())
    assert result.exit_code == 0, result.output
    assert "Removed 1 daily count(s)" in result.output
    assert DEMAND_PURGE_TASK in {task.name for task in registered_tasks() if task.schedule is not None}
    assert run_task_by_ids(settings, purge_task, [])["removed"] == 1
    assert run_task_by_ids(settings, purge_task, [])["removed"] == 0, "a second delivery finds nothing more"
    with store_sessions(settings) as sessions, sessions() as session:
        assert sorted(row.day for row in session.scalars(select(DemandCount))) == [today - timedelta(days=1), today]
