"""The raw-record archive: compressed, hashed, idempotent, readable for re-normalising."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from oer.harvesting.archive import (
    archive_raw_record,
    count_archived_records,
    iter_archived_records,
)
from oer.harvesting.models import ArchivedRecord, RawStatus, Source

XML = ("<record><metadata><lom>" + "Breuken en decimalen " * 200 + "</lom></metadata></record>").encode()


def test_archive_stores_compressed_xml_with_hash(store_session: Session, edurep: Source) -> None:
    assert archive_raw_record(store_session, edurep, "x:1", "2024-01-01T10:00:00Z", XML)

    [raw] = store_session.scalars(select(ArchivedRecord)).all()
    assert raw.sha256 == hashlib.sha256(XML).hexdigest()
    assert len(raw.xml_zlib) < len(XML) / 10
    assert raw.xml == XML
    assert raw.datestamp == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert raw.status is RawStatus.OK


def test_archive_is_idempotent(store_session: Session, edurep: Source) -> None:
    assert archive_raw_record(store_session, edurep, "x:1", "2024-01-01T10:00:00Z", XML)
    assert not archive_raw_record(store_session, edurep, "x:1", "2024-01-01T10:00:00.000Z", XML)
    # Same datestamp, other bytes: another version (a source that changes without re-dating).
    assert archive_raw_record(store_session, edurep, "x:1", "2024-01-01T10:00:00Z", XML + b" ")
    assert count_archived_records(store_session, edurep) == 2


def test_latest_versions_for_renormalising(store_session: Session, edurep: Source, school: Source) -> None:
    archive_raw_record(store_session, edurep, "x:2", "2024-01-01", b"<v1/>")
    archive_raw_record(store_session, edurep, "x:2", "2024-03-01", b"<v3/>")
    archive_raw_record(store_session, edurep, "x:2", "2024-02-01", b"<v2/>")
    archive_raw_record(store_session, edurep, "x:1", "2024-01-01", b"<a/>")
    archive_raw_record(store_session, edurep, "x:3", "2024-01-01", b"<gone/>", RawStatus.DELETED)
    archive_raw_record(store_session, edurep, "x:4", "2024-01-01", "<bad", RawStatus.FAILED, "broken")
    archive_raw_record(store_session, school, "x:1", "2024-01-01", b"<other source/>")
    store_session.commit()

    latest = list(iter_archived_records(store_session, edurep, batch_size=2))
    everything = list(iter_archived_records(store_session, edurep, latest_only=False, batch_size=2))

    assert [(a.oai_identifier, a.xml) for a in latest] == [
        ("x:1", b"<a/>"), ("x:2", b"<v3/>"), ("x:3", b"<gone/>"), ("x:4", b"<bad"),
    ]
    assert [a.status for a in latest] == [RawStatus.OK, RawStatus.OK, RawStatus.DELETED, RawStatus.FAILED]
    assert latest[3].failure_reason == "broken"
    assert [a.xml for a in everything if a.oai_identifier == "x:2"] == [b"<v1/>", b"<v2/>", b"<v3/>"]
