"""The feed's stored payloads (SQLite and PostgreSQL): after every kind of change, byte for byte
what serialising the resource now gives; never served stale; rebuilt by `oer feed rebuild`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from metadata.formats import FORMATS
from metadata.quality import AnnotatorRole
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import User
from oer.catalogue.models import Resource
from oer.collections import service as collections
from oer.feed.models import FeedPayload
from oer.feed.oai.contract import FeedItem
from oer.feed.oai.formats import PAYLOAD_VERSION
from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.tokens import ResumptionTokens
from oer.feed.payloads import payload_status, rebuild_payloads
from oer.feed.repository import DatabaseFeedRepository
from oer.publishing import service as publishing
from oer.quality import service as quality
from oer.settings import Settings
from oer.store.database import session_factory
from tests.integration.feed.harvests import EDUREP_DELTA, Catalogue, harvest, page_records
from tests.support.accounts import People
from tests.support.cli import run_oer
from tests.support.feed_payloads import assert_payloads_fresh, fresh_payloads, stored_payloads
from tests.support.oai_requests import arguments_of
from tests.support.publishing import SITE, SUBMISSION
from tests.support.store import Clock
from tests.unit.oai.validation import validate_response
from web.oai.store import StoreFeedRepository

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def live_ids(session: Session) -> list[str]:
    session.commit()
    return list(session.scalars(select(Resource.id).where(Resource.deleted.is_(False)).order_by(Resource.id)))


def established(people: People, *user_ids: int) -> None:
    """Verified accounts older than the new-account period: their annotations are shown at once."""
    for user_id in user_ids:
        user = people.session.get(User, user_id)
        assert user is not None
        user.created_at = datetime.now(UTC) - timedelta(days=quality.NEW_ACCOUNT_DAYS + 1)
        user.email_verified = True
    people.session.commit()


def test_a_harvest_stores_the_payloads_of_every_live_resource(store_session: Session, catalogue: Catalogue) -> None:
    stored = assert_payloads_fresh(store_session)
    assert len(stored) == len(live_ids(store_session)) * len(FORMATS) > 0


def test_a_harvested_update_and_deletion_rewrite_and_drop_payloads(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path
) -> None:
    before = stored_payloads(store_session)
    live_before = set(live_ids(store_session))
    clock.advance()
    result = harvest(store_session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA))
    assert result.changed_ids and result.deleted_ids, "the delta page changes and deletes"
    after = assert_payloads_fresh(store_session)
    assert all((resource_id, "lom") not in after for resource_id in result.deleted_ids)
    assert live_before & result.deleted_ids
    changed = [key for key in after if key[0] in result.changed_ids and key in before]
    assert any(before[key] != after[key] for key in changed), "the changed records' bytes were rewritten"


def test_publishing_editing_and_withdrawing(people: People) -> None:
    session = people.session
    for user in session.scalars(select(User)):
        user.email_verified = True
    session.commit()
    actor = people.actor(people.redacteur)
    published = publishing.publish_submission(session, actor, SITE, SUBMISSION, organisation_id=people.school)
    session.commit()
    first = assert_payloads_fresh(session)[(published.id, "lom")]
    assert b"Breuken vergelijken" in first

    publishing.publish_submission(session, actor, SITE, {**SUBMISSION, "title": "Breuken ordenen"},
                                  publication_id=published.id)
    session.commit()
    second = assert_payloads_fresh(session)[(published.id, "lom")]
    assert b"Breuken ordenen" in second and b"Breuken vergelijken" not in second

    publishing.withdraw(session, actor, published.id, "verouderd")
    session.commit()
    assert all(key[0] != published.id for key in assert_payloads_fresh(session))


def test_annotations_added_moderated_and_taken_back(
    people: People, catalogue: Catalogue, store_session: Session
) -> None:
    established(people, people.outsider)
    material = live_ids(store_session)[0]
    teacher = people.actor(people.outsider)

    shown = quality.annotate(store_session, teacher, material, AnnotatorRole.LERAAR, "didactiek.instructie",
                             "onvoldoende", "Te weinig uitleg <en> \"voorbeelden\".")
    store_session.commit()
    assert b"Otto Outsider" in assert_payloads_fresh(store_session)[(material, "lom")]

    # A pupil's feedback waits, then is approved; a second word from the teacher replaces the first.
    waiting = quality.annotate(store_session, None, material, AnnotatorRole.OUDER, "toegankelijkheid.dyslexie", "goed")
    store_session.commit()
    assert b"Ouder" not in assert_payloads_fresh(store_session)[(material, "lom")]
    quality.moderate(store_session, SYSTEM, waiting.id, approve=True)
    quality.annotate(store_session, teacher, material, AnnotatorRole.LERAAR, "didactiek.instructie", "goed",
                     "Nu met voorbeelden.")
    store_session.commit()
    lom = assert_payloads_fresh(store_session)[(material, "lom")]
    assert b"Ouder" in lom and b"Nu met voorbeelden." in lom and b"Te weinig uitleg" not in lom

    quality.moderate(store_session, SYSTEM, waiting.id, approve=False, reason="Geen toelichting.")
    store_session.commit()
    assert b"Ouder" not in assert_payloads_fresh(store_session)[(material, "lom")]

    quality.remove_annotation(store_session, teacher, shown.id)
    store_session.commit()
    assert b"Otto Outsider" not in assert_payloads_fresh(store_session)[(material, "lom")]


def test_an_erased_annotator_is_no_longer_named_and_the_datestamp_moves(
    people: People, catalogue: Catalogue, store_session: Session, clock: Clock
) -> None:
    established(people, people.outsider)
    material = live_ids(store_session)[1]
    quality.annotate(store_session, people.actor(people.outsider), material, AnnotatorRole.LERAAR,
                     "didactiek.doelen", "goed", "Heldere doelen.")
    store_session.commit()
    assert b"Otto Outsider" in assert_payloads_fresh(store_session)[(material, "lom")]
    before = store_session.get(Resource, material).feed_datestamp  # type: ignore[union-attr]

    erased = clock.advance()
    accounts.delete_user(store_session, SYSTEM, people.outsider)
    store_session.commit()
    stored = assert_payloads_fresh(store_session)
    assert not [key for key, payload in stored.items() if b"Otto Outsider" in payload]
    store_session.expire_all()
    after = store_session.get(Resource, material).feed_datestamp  # type: ignore[union-attr]
    assert after == erased.replace(microsecond=0) and after > before


def test_a_change_of_sets_keeps_the_payloads(
    store_session: Session, catalogue: Catalogue, clock: Clock, feed_repository: DatabaseFeedRepository
) -> None:
    before = stored_payloads(store_session)
    material = live_ids(store_session)[2]
    collection = collections.create_collection(store_session, SYSTEM, slug="selectie", title="Selectie")
    clock.advance()
    collections.add_item(store_session, SYSTEM, collection, material)
    store_session.commit()
    assert assert_payloads_fresh(store_session) == before
    entry = feed_repository.get_item(feed_repository.oai_identifier(material), "lom")
    assert entry is not None and "curated" in entry.set_specs and entry.payload == before[(material, "lom")]

    clock.advance()
    collections.remove_item(store_session, SYSTEM, collection, material)
    store_session.commit()
    assert assert_payloads_fresh(store_session) == before
    [left] = [e for e in feed_repository.list_items("curated", None, None, None, 10, "lom")]
    assert left.deleted and left.payload is None and left.record is None


# -- never served stale, and rebuilt ------------------------------------------------------------------


def age(session: Session, resource_ids: list[str], *, prefix: str = "lom") -> None:
    """Make these payloads look written by the previous serialiser, with bytes it never wrote."""
    session.execute(
        update(FeedPayload)
        .where(FeedPayload.resource_id.in_(resource_ids), FeedPayload.metadata_prefix == prefix)
        .values(version=PAYLOAD_VERSION - 1, payload=b"<stale/>")
    )
    session.commit()


def test_a_stale_or_missing_payload_is_served_freshly_serialised(
    store_session: Session, catalogue: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    fresh = fresh_payloads(store_session)
    stale, gone = live_ids(store_session)[:3], live_ids(store_session)[3]
    age(store_session, stale)
    store_session.execute(delete(FeedPayload).where(FeedPayload.resource_id == gone))
    store_session.commit()

    for entry in feed_repository.list_items(None, None, None, None, 10_000, "lom"):
        resource_id = feed_repository.resource_id(entry.oai_identifier)
        assert entry.deleted or entry.payload == fresh[(resource_id, "lom")]  # type: ignore[index]
    for resource_id in (*stale, gone):
        found = feed_repository.get_item(feed_repository.oai_identifier(resource_id), "lom")
        assert found is not None and found.payload == fresh[(resource_id, "lom")]

    status = payload_status(store_session)
    lom = next(f for f in status.formats if f.prefix == "lom")
    assert (lom.stale, lom.missing) == (3, 1) and status.to_rebuild == 3 + len(FORMATS)


def test_the_served_feed_never_holds_a_stale_payload(
    store_session: Session, catalogue: Catalogue, store_settings: Settings
) -> None:
    age(store_session, live_ids(store_session))
    body = harvest_bytes(store_session, store_settings, "lom")
    assert b"<stale/>" not in body
    assert body.count(b"<metadata>") == len(live_ids(store_session))


def test_oer_feed_rebuild_rewrites_stale_and_missing_payloads(
    store_session: Session, catalogue: Catalogue, store_settings: Settings
) -> None:
    fresh = fresh_payloads(store_session)
    ids = live_ids(store_session)
    age(store_session, ids[:5])
    store_session.execute(delete(FeedPayload).where(FeedPayload.resource_id == ids[5]))
    store_session.commit()

    before = run_oer(store_settings, "feed", "status")
    assert before.exit_code == 0, before.output
    assert f"lom: {len(ids) - 6} current, 5 stale, 1 missing" in before.output

    rebuilt = run_oer(store_settings, "feed", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"Checked {len(ids)} live resources" in rebuilt.output and "rewrote the payloads of 6" in rebuilt.output
    assert f"lom: {len(ids)} current, 0 stale, 0 missing" in rebuilt.output
    assert stored_payloads(store_session) == fresh

    everything = run_oer(store_settings, "feed", "rebuild", "--all")
    assert everything.exit_code == 0 and f"rewrote the payloads of {len(ids)}" in everything.output
    assert stored_payloads(store_session) == fresh


def test_a_rebuild_drops_the_payloads_no_live_resource_needs(store_session: Session, catalogue: Catalogue) -> None:
    material = live_ids(store_session)[0]
    store_session.add(FeedPayload(resource_id=material, metadata_prefix="mods", version=PAYLOAD_VERSION,
                                  payload=b"<mods/>"))
    store_session.commit()
    assert payload_status(store_session).unused == 1
    sessions = session_factory(store_session.get_bind())  # type: ignore[arg-type]
    report = rebuild_payloads(sessions)
    assert (report.rewritten, report.dropped) == (0, 1)
    assert_payloads_fresh(store_session)


# -- what is served -------------------------------------------------------------------------------------


class RecordsOnly(StoreFeedRepository):
    """The store's feed handing the provider records only: every payload serialised per request."""

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedItem | None:
        return super().get_item(oai_identifier)

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> Sequence[FeedItem]:
        return super().list_items(set_spec, from_, until, after, limit)


def pages(provider: OaiProvider, repository: StoreFeedRepository, query: str) -> Iterator[bytes]:
    verb = query.split("&")[0]
    while True:
        body = provider.handle(repository, arguments_of(query))
        yield body
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if token is None:
            return
        query = f"{verb}&resumptionToken={token.group(1).decode()}"


def feeds(session: Session, settings: Settings) -> tuple[OaiProvider, StoreFeedRepository, StoreFeedRepository]:
    provider = OaiProvider(FORMATS, ResumptionTokens("test-secret"), page_size=100, clock=lambda: NOW)
    stored = StoreFeedRepository(DatabaseFeedRepository(session, "oer.example.org"), settings, "http://x/oai")
    records = RecordsOnly(DatabaseFeedRepository(session, "oer.example.org"), settings, "http://x/oai")
    return provider, stored, records


def harvest_bytes(session: Session, settings: Settings, prefix: str) -> bytes:
    provider, stored, _ = feeds(session, settings)
    return b"".join(pages(provider, stored, f"verb=ListRecords&metadataPrefix={prefix}"))


@pytest.mark.parametrize("prefix", [f.prefix for f in FORMATS])
def test_responses_from_stored_payloads_are_those_serialised_from_records(
    store_session: Session, catalogue: Catalogue, clock: Clock, fixtures_dir: Path, store_settings: Settings,
    prefix: str,
) -> None:
    clock.advance()
    harvest(store_session, catalogue.sources["edurep"], page_records(fixtures_dir, EDUREP_DELTA))
    provider, stored, records = feeds(store_session, store_settings)
    queries = [
        f"verb=ListRecords&metadataPrefix={prefix}",
        f"verb=ListRecords&metadataPrefix={prefix}&set=source:edurep",
        f"verb=ListIdentifiers&metadataPrefix={prefix}",
        *(f"verb=GetRecord&metadataPrefix={prefix}&identifier=oai:oer.example.org:{i}"
          for i in live_ids(store_session)[:3]),
    ]
    for query in queries:
        from_stored, from_records = list(pages(provider, stored, query)), list(pages(provider, records, query))
        assert from_stored == from_records, query
        for body in from_stored:
            validate_response(body)


def test_a_live_item_without_a_payload_row_in_an_unknown_format_keeps_its_record(
    store_session: Session, catalogue: Catalogue, feed_repository: DatabaseFeedRepository
) -> None:
    # A format the store keeps no payloads of (a provider with formats of its own): records, as before.
    entries = feed_repository.list_items(None, None, None, None, 5, "mods")
    assert entries and all(e.payload is None and (e.deleted or e.record is not None) for e in entries)
