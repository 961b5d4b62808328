"""Revision 0009 on both backends: the payloads of the resources already stored are written, in batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from oer.feed import payloads
from oer.store.database import create_engine_from_url, downgrade, migrate, session_factory
from schemas import resources
from tests.integration.feed.harvests import page_records
from tests.support.feed_payloads import assert_payloads_fresh

AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def stored_at_0008(url: str, fixtures_dir: Path) -> tuple[sa.Engine, list[str], str]:
    """A database at 0008 holding harvested records, a tombstone and a shown annotation, as
    rows of that revision's schema (today's services would write payloads already)."""
    engine = create_engine_from_url(url)
    migrate(engine, "0008")
    tables = sa.MetaData()
    resource, framework, annotation = (
        sa.Table(name, tables, autoload_with=engine) for name in ("resource", "quality_framework", "quality_annotation")
    )
    records = [item.record for item in page_records(fixtures_dir, "oai/edurep/*initial*.xml") if item.record][:6]
    ids = [str(uuid.uuid4()) for _ in records]
    rows: list[dict[str, Any]] = [
        {
            "id": resource_id, "origin": "harvested", "record": record.to_dict(), "title": record.title,
            "content_hash": "0" * 64, "feed_hash": "", "feed_datestamp": AT, "deleted": number == 3,
            "deleted_at": AT if number == 3 else None, "created_at": AT, "updated_at": AT, "index_pending": False,
        }
        for number, (resource_id, record) in enumerate(zip(ids, records, strict=True))
    ]
    with engine.begin() as connection:
        connection.execute(resource.insert(), rows)
        connection.execute(framework.insert().values(
            version="1", document=resources.load_json("quality/v1.json"), current=True, loaded_at=AT))
        connection.execute(annotation.insert().values(
            resource_id=ids[0], framework_version="1", criterion="didactiek.doelen", value="goed",
            justification="Heldere doelen.", role="ouder", annotator_name="Een ouder", state="approved",
            created_at=AT, updated_at=AT,
        ))
    return engine, ids, ids[3]


def test_upgrade_writes_the_payloads_of_stored_resources_in_batches(
    empty_database_url: str, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, ids, tombstone = stored_at_0008(empty_database_url, fixtures_dir)
    batches: list[int] = []
    write = payloads.write_payloads

    def counted(session: Any, resource_ids: Any, **options: Any) -> list[str]:
        batches.append(len(resource_ids))
        return write(session, resource_ids, **options)

    monkeypatch.setattr(payloads, "BATCH", 2)
    monkeypatch.setattr(payloads, "write_payloads", counted)
    try:
        migrate(engine)
        assert batches == [2, 2, 1], "five live resources, two per round"
        with session_factory(engine)() as session:
            stored = assert_payloads_fresh(session)
            assert {resource_id for resource_id, _ in stored} == set(ids) - {tombstone}
            assert b"Een ouder" in stored[(ids[0], "lom")], "the shown annotation travels in the LOM"

        downgrade(engine, "0008")
        assert "feed_payload" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
