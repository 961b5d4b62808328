"""The feed's projection of resources: set membership, feed hash and feed datestamp. I/O: database.

Run on the resources a unit of work marked changed (`oer.catalogue.changes`),
inside its transaction. For each one it derives what the feed shows
(`oer.feed.sets`): a live resource is in its live sources' sets, its record's
sector sets, its collections' sets and, when the redactie chose it, ``curated``; a tombstone stays, as
deleted, in the sets it was in. When the feed hash of that (record, sets,
deleted flag) differs from the stored one, or the writer said the feed must
show a change (`Change.touched`), `feed_datestamp` moves to the time of the
change in whole seconds and every membership row gets that datestamp.

A fixed number of queries per batch of resources, whatever the batch's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from oer.catalogue.changes import Change
from oer.catalogue.models import Resource
from oer.collections.queries import collection_sets
from oer.feed import sets
from oer.harvesting.queries import live_source_names
from oer.quality.queries import redactie_annotated
from oer.store.types import to_second

# Resources per round of queries: well under SQLite's and PostgreSQL's bound-parameter limits.
_BATCH = 500


class FeedMembershipProjection:
    """Keeps `FeedMembership` and the resources' feed datestamps in step with the resources."""

    name = "feed-membership"

    def project(self, session: Session, changes: Mapping[str, Change]) -> None:
        ids = sorted(changes)
        for start in range(0, len(ids), _BATCH):
            self._project_batch(session, ids[start : start + _BATCH], changes)

    def _project_batch(
        self, session: Session, ids: Sequence[str], changes: Mapping[str, Change]
    ) -> None:
        # Of the record, only its contexts decide a set (the sector sets): read just those.
        contexts = Resource.record["contexts"].label("contexts")
        rows = session.execute(
            select(
                Resource.id, contexts, Resource.content_hash, Resource.feed_hash, Resource.deleted
            ).where(Resource.id.in_(ids))
        ).all()
        sources = live_source_names(session, ids)
        collections = collection_sets(session, ids)
        annotated = redactie_annotated(session, ids)
        stored = sets.load_memberships(session, ids)
        resource_updates: list[dict[str, Any]] = []
        membership_changes: list[sets.MembershipChange] = []
        restamped: dict[Any, list[str]] = {}
        for row in rows:
            change = changes[row.id]
            memberships = stored.get(row.id, {})
            if row.deleted:
                specs = sets.current_sets(memberships)
            else:
                shown = {"contexts": row.contexts or ()}
                specs = sets.set_specs_of(
                    shown, sources.get(row.id, ()), collections.get(row.id, ()), row.id in annotated
                )
            new_hash = sets.feed_hash(row.content_hash, specs, row.deleted)
            if new_hash == row.feed_hash and not change.touched:
                continue
            stamp = to_second(change.at)
            resource_updates.append(
                {"id": row.id, "feed_hash": new_hash, "feed_datestamp": stamp, "updated_at": change.at}
            )
            if new_hash != row.feed_hash:
                membership_changes.append(sets.MembershipChange(row.id, stamp, specs, memberships))
            else:
                restamped.setdefault(stamp, []).append(row.id)
        if resource_updates:
            session.execute(update(Resource), resource_updates)
        sets.write_memberships(session, membership_changes)
        for stamp, touched in restamped.items():
            sets.restamp_memberships(session, touched, stamp)
