"""What the feed's stored payloads must be: the bytes serialising each live resource gives now."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from metadata.formats import FORMATS
from metadata.lom import with_tree_annotations
from metadata.record import Record
from oer.catalogue.models import Resource
from oer.feed.models import FeedPayload
from oer.feed.oai.formats import PAYLOAD_VERSION, payload_bytes
from oer.quality.queries import lom_annotations

# (resource id, metadata prefix) -> payload bytes.
Payloads = dict[tuple[str, str], bytes]


def fresh_payloads(session: Session) -> Payloads:
    """The bytes serialising each live resource's record with its shown annotations gives now."""
    session.commit()  # Ends a read transaction, whose snapshot may predate another session's commit.
    rows = session.execute(select(Resource.id, Resource.record).where(Resource.deleted.is_(False)))
    live = {row.id: row.record for row in rows}
    annotations = lom_annotations(session, live)
    found = {}
    for resource_id, data in live.items():
        record = Record.from_dict(data)
        # After the record's own, in its fields and in its source's LOM.
        record = with_tree_annotations(record, annotations.get(resource_id, ()))
        for metadata_format in FORMATS:
            found[(resource_id, metadata_format.prefix)] = payload_bytes(metadata_format, record)
    return found


def stored_payloads(session: Session) -> Payloads:
    """The stored payloads, each checked to be of the current serialiser version."""
    session.commit()
    rows = session.execute(select(FeedPayload)).scalars().all()
    assert {row.version for row in rows} <= {PAYLOAD_VERSION}
    return {(row.resource_id, row.metadata_prefix): row.payload for row in rows}


def assert_payloads_fresh(session: Session) -> Payloads:
    """One current payload per live resource and format, none for a tombstone, each byte for byte fresh."""
    stored, fresh = stored_payloads(session), fresh_payloads(session)
    assert sorted(stored) == sorted(fresh), "one row per live resource and format, none for a tombstone"
    assert [key for key in fresh if stored[key] != fresh[key]] == []
    return stored
