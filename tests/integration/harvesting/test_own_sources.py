"""A school registers its own repository (a real OAI-PMH server on loopback) and sees how the harvest fares."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from harvester.oai_client import ClientSettings
from harvester.replay_pages import PageSource, RecordedPages
from harvester.replay_server import OaiReplayServer
from oer.accounts.errors import PermissionDenied
from oer.harvesting.addresses import SourceAddressRefused
from oer.harvesting.errors import DuplicateSourceError, InvalidSourceError
from oer.harvesting.models import Source, SourceOwner
from oer.harvesting.own_sources import completeness_report, own_sources, register_own_source
from oer.harvesting.probe import probe_repository
from oer.harvesting.service import harvest_source_by_id
from oer.settings import Settings
from tests.fixtures.oai_server import EDUREP_PAGES
from tests.support.accounts import People

CONTACT = "https://oer.example.org/oogsten"


def probe(url: str, metadata_prefix: str) -> object:
    return probe_repository(url, metadata_prefix, ClientSettings(contact_url=CONTACT))


def test_a_beheerder_registers_a_real_repository_and_sees_runs_and_completeness(
    people: People, oai_server: Callable[[PageSource], OaiReplayServer], store_settings: Settings,
) -> None:
    server = oai_server(RecordedPages.from_files(EDUREP_PAGES))
    session, actor = people.session, people.actor(people.org_beheerder)
    source = register_own_source(session, actor, people.school, server.url, "lom", allow_private=True, probe=probe)
    session.commit()
    assert source.name == "het-lyceum" and source.schedule_cron == "30 2 * * *"
    assert session.scalars(select(SourceOwner.organisation_id).where(SourceOwner.source_id == source.id)).one() \
        == people.school
    assert [r.verb for r in server.received] == ["Identify", "ListMetadataFormats"]

    harvested = harvest_source_by_id(store_settings, source.id)
    assert harvested is not None and harvested.status.value == "succeeded"
    session.rollback()  # a new transaction sees what the harvest committed
    [own] = own_sources(session, people.school)
    assert own.records > 0 and own.runs[0].status == "succeeded" and own.runs[0].created == own.records
    report = completeness_report(session, source.id)
    assert len(report) == own.records
    assert report == sorted(report, key=lambda r: (r.score, r.oai_identifier))
    assert any(row.missing_recommended for row in report)


def test_registration_is_refused_for_a_lid_a_private_address_a_duplicate_or_no_repository(
    people: People, oai_server: Callable[[PageSource], OaiReplayServer],
) -> None:
    server = oai_server(RecordedPages.from_files(EDUREP_PAGES))
    session = people.session
    beheerder, lid = people.actor(people.org_beheerder), people.actor(people.lid)
    with pytest.raises(PermissionDenied):
        register_own_source(session, lid, people.school, server.url, allow_private=True, probe=probe)
    with pytest.raises(SourceAddressRefused, match="OER_ALLOW_PRIVATE_SOURCES"):
        register_own_source(session, beheerder, people.school, server.url, allow_private=False, probe=probe)
    with pytest.raises(SourceAddressRefused, match="metadata"):
        register_own_source(session, beheerder, people.school, "http://169.254.169.254/oai", allow_private=True,
                            probe=probe)
    not_oai = oai_server(RecordedPages([b"<html>geen oai</html>"], identify=b"<html>hallo</html>"))
    with pytest.raises(InvalidSourceError, match="no OAI-PMH repository answers"):
        register_own_source(session, beheerder, people.school, not_oai.url, allow_private=True, probe=probe)
    register_own_source(session, beheerder, people.school, server.url, allow_private=True, probe=probe)
    upper = server.url.replace("http://127.0.0.1", "HTTP://127.0.0.1")
    with pytest.raises(DuplicateSourceError):
        register_own_source(session, beheerder, people.school, upper, allow_private=True, probe=probe)
    assert len(list(session.scalars(select(Source)))) == 1
