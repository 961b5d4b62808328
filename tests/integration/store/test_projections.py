"""Projections: writers mark changed resources; the feed and the index follow at the commit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.record import Record
from oer import runtime
from oer.catalogue.changes import (
    UnprojectedChangesError,
    mark_changed,
    pending_changes,
    register_projections,
    registered_projections,
)
from oer.catalogue.content import record_hash
from oer.catalogue.models import Origin, Resource, new_resource_id
from oer.feed import sets as feed
from oer.feed.models import FeedMembership
from oer.feed.projection import FeedMembershipProjection
from oer.harvesting.models import Source
from oer.harvesting.provenance import HarvestedRecord, apply_harvested_page
from oer.settings import Settings
from oer.store.types import to_second
from tests.support.store import T0, Clock, make_record


@pytest.fixture
def unregistered() -> Iterator[None]:
    """No projections registered for the length of the test (as in a process that forgot)."""
    before = registered_projections()
    register_projections(())
    yield
    register_projections(before)


def memberships(session: Session, resource_id: str) -> dict[str, bool]:
    rows = session.execute(
        select(FeedMembership.set_spec, FeedMembership.member)
        .where(FeedMembership.resource_id == resource_id)
    )
    return {spec: member for spec, member in rows}


def published(session: Session, record: Record) -> Resource:
    """A resource written the way a writer other than the harvest will write one (no provenance)."""
    data = record.to_dict()
    resource = Resource(
        id=new_resource_id(), origin=Origin.PUBLISHED, record=data, title=record.title,
        content_hash=record_hash(data), feed_hash="", feed_datestamp=to_second(T0),
    )
    session.add(resource)
    session.flush()
    mark_changed(session, [resource.id], T0)
    return resource


def test_the_composition_root_registers_the_feed_and_index_projections() -> None:
    runtime.register()
    assert [p.name for p in registered_projections()] == ["feed-membership", "feed-payloads", "search-index"]


def test_a_new_writer_reaches_the_feed_and_the_index_through_marks_alone(store_session: Session) -> None:
    resource = published(store_session, make_record(title="Eigen les").with_changes(contexts=("VO",)))
    store_session.commit()

    store_session.expire_all()
    stored = store_session.get(Resource, resource.id)
    assert stored is not None
    assert memberships(store_session, resource.id) == {"sector:VO": True}
    assert stored.feed_hash == feed.feed_hash(stored.content_hash, {"sector:VO"}, False)
    assert stored.feed_datestamp == T0
    assert stored.index_pending


def test_a_change_the_feed_does_not_show_keeps_the_datestamp(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    apply_harvested_page(store_session, edurep, [HarvestedRecord("e:1", "2024-01-01", make_record())])
    store_session.commit()
    [resource] = store_session.scalars(select(Resource)).all()
    stamp = resource.feed_datestamp

    mark_changed(store_session, [resource.id], clock.advance(600))
    store_session.commit()

    store_session.expire_all()
    assert store_session.get(Resource, resource.id).feed_datestamp == stamp


def test_a_touch_moves_the_datestamp_of_the_resource_and_its_memberships(
    store_session: Session, edurep: Source, clock: Clock
) -> None:
    apply_harvested_page(store_session, edurep, [HarvestedRecord("e:1", "2024-01-01", make_record())])
    store_session.commit()
    [resource] = store_session.scalars(select(Resource)).all()
    later = clock.advance(600)

    mark_changed(store_session, [resource.id], later, touched=True)
    store_session.commit()

    store_session.expire_all()
    assert store_session.get(Resource, resource.id).feed_datestamp == to_second(later)
    stamps = store_session.scalars(
        select(FeedMembership.datestamp).where(FeedMembership.resource_id == resource.id)
    ).all()
    assert stamps and set(stamps) == {to_second(later)}


def test_marks_of_a_rolled_back_unit_of_work_are_forgotten(store_session: Session, edurep: Source) -> None:
    apply_harvested_page(store_session, edurep, [HarvestedRecord("e:1", "2024-01-01", make_record())])
    assert pending_changes(store_session)

    store_session.rollback()

    assert pending_changes(store_session) == {}
    store_session.commit()
    assert store_session.scalars(select(Resource)).all() == []


def test_a_commit_with_marks_and_no_projections_is_refused(
    store_session: Session, edurep: Source, unregistered: None
) -> None:
    apply_harvested_page(store_session, edurep, [HarvestedRecord("e:1", "2024-01-01", make_record())])

    with pytest.raises(UnprojectedChangesError, match=r"oer\.runtime"):
        store_session.commit()
    store_session.rollback()
    assert store_session.scalars(select(Resource)).all() == []


def test_a_commit_without_marks_needs_no_projections(store_session: Session, unregistered: None) -> None:
    store_session.add(Source(name="los", base_url="https://los.example.org/oai", metadata_prefix="lom"))
    store_session.commit()
    assert store_session.scalars(select(Source.name)).all() == ["los"]


def test_the_feed_projection_batches_past_the_parameter_limit(store_session: Session) -> None:
    resources = [published(store_session, make_record(title=f"Les {n}")) for n in range(1_100)]
    later = T0 + timedelta(hours=1)
    mark_changed(store_session, [r.id for r in resources], later, touched=True)

    FeedMembershipProjection().project(store_session, pending_changes(store_session))

    store_session.expire_all()
    stamps = set(store_session.scalars(select(Resource.feed_datestamp)))
    assert stamps == {later}


def test_the_app_and_the_worker_are_built_on_the_runtime(store_settings: Settings) -> None:
    from oer.tasks.app import create_celery_app
    from web.app import create_app
    from web.runtime import app_runtime

    register_projections(())
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    try:
        built = app_runtime(app)
        assert built.settings is store_settings
        assert str(built.engine.url) == str(built.sessions.kw["bind"].url)
        assert [p.name for p in registered_projections()] == ["feed-membership", "feed-payloads", "search-index"]
    finally:
        app_runtime(app).close()

    register_projections(())
    # Building the Celery app connects to nothing; the broker URL only has to be valid.
    create_celery_app(dataclasses.replace(store_settings, broker_url="redis://127.0.0.1:1/0"))
    assert [p.name for p in registered_projections()] == ["feed-membership", "feed-payloads", "search-index"]
