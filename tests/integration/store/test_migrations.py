"""Migrations from an empty database on both backends, `oer init`, and models matching migrations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import Engine, inspect

from oer.harvesting.models import ErrorKind, ErrorSeverity
from oer.harvesting.queries import run_errors, source_errors
from oer.store.database import (
    create_engine_from_url,
    current_revision,
    downgrade,
    ensure_current,
    head_revision,
    migrate,
    schema_differences,
    session_factory,
)
from oer.store.errors import DatabaseOutdatedError, DatabaseUnavailableError
from oer.store.registry import load_models
from oer.store.types import JSONDocument
from web.cli import build_cli


def test_migrations_up_from_empty_create_every_table(empty_database_url: str) -> None:
    engine = create_engine_from_url(empty_database_url)
    try:
        assert current_revision(engine) is None
        with pytest.raises(DatabaseOutdatedError, match="oer init"):
            ensure_current(engine)

        migration = migrate(engine)

        assert (migration.before, migration.after) == (None, head_revision())
        tables = set(load_models().tables)
        # Every domain's tables are registered, so the comparison below is not vacuous.
        assert {"resource", "source", "provenance", "feed_membership"} <= tables
        assert tables <= set(inspect(engine).get_table_names())
        ensure_current(engine)
        again = migrate(engine)
        assert not again.changed
    finally:
        engine.dispose()


def test_models_and_migrations_agree(empty_database_url: str) -> None:
    # What `alembic check` verifies: autogenerate finds nothing left to migrate.
    engine = create_engine_from_url(empty_database_url)
    try:
        migrate(engine)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_migrations_down_to_empty_and_up_again(empty_database_url: str) -> None:
    engine = create_engine_from_url(empty_database_url)
    try:
        migrate(engine)
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_oer_init_creates_home_migrates_and_is_idempotent(
    empty_database_url: str, tmp_path
) -> None:
    home = tmp_path / "instance"
    env = {"OER_HOME": str(home), "OER_DATABASE_URL": empty_database_url, "OER_SECRET_KEY": ""}
    runner = CliRunner()

    first = runner.invoke(build_cli(), ["init"], env=env, catch_exceptions=False)
    second = runner.invoke(build_cli(), ["init"], env=env, catch_exceptions=False)

    assert first.exit_code == 0, first.output
    assert f"Home: {home} (created)" in first.output
    assert "Secret key: generated" in first.output
    assert f"migrated from empty to revision {head_revision()}" in first.output
    assert (home / "secret_key").is_file()
    assert second.exit_code == 0, second.output
    assert "(exists)" in second.output and "Secret key: kept" in second.output
    assert f"already at revision {head_revision()}" in second.output
    assert ":***@" in first.output or "sqlite" in first.output, "passwords are never printed"


def test_oer_init_reports_an_unreachable_database_in_one_line(tmp_path) -> None:
    env = {
        "OER_HOME": str(tmp_path / "instance"),
        "OER_DATABASE_URL": "postgresql://oer:hunter2@127.0.0.1:9/oer",
    }
    result = CliRunner().invoke(build_cli(), ["init"], env=env)

    assert result.exit_code != 0
    assert "cannot connect to the database at postgresql://oer:***@127.0.0.1:9/oer" in result.output
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_unreachable_database_raises_a_store_error() -> None:
    engine = create_engine_from_url("postgresql://oer@127.0.0.1:9/oer")
    with pytest.raises(DatabaseUnavailableError, match="cannot connect"):
        migrate(engine)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path) -> None:
    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'oer.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


# -- 0003: harvest errors move from the run's JSON list into rows ---------------------------------

_OLD_RUN = sa.table(
    "harvest_run",
    *(sa.column(name, sa.Integer()) for name in ("id", "source_id", "pages", "created", "updated",
                                                  "unchanged", "deleted", "skipped", "failed")),
    sa.column("status", sa.String()),
    sa.column("full", sa.Boolean()),
    sa.column("started_at", sa.DateTime()),
    sa.column("updated_at", sa.DateTime()),
    sa.column("errors", JSONDocument),
)
_OLD_ERRORS = [
    {"at": "2024-03-01T10:00:00+00:00", "kind": "warning", "message": "Identify failed (x); using day granularity"},
    {"at": "2024-03-01T10:00:01+00:00", "kind": "record", "message": "oai:example.org:4: not the requested format"},
    {"at": "2024-03-01T10:00:02+00:00", "kind": "record", "message": "(no identifier): record has no metadata"},
    {"at": "2024-03-01T10:00:03+00:00", "kind": "surprise", "message": "a kind this version never wrote"},
    {"at": "2024-03-01T10:00:04+00:00", "kind": "fatal", "message": "source unavailable after 6 attempts: HTTP 503"},
]


def _database_at_0002_with_old_errors(url: str) -> Engine:
    engine = create_engine_from_url(url)
    migrate(engine, "0002")
    started = datetime(2024, 3, 1, 9, 59)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO source (id, name, base_url, metadata_prefix, enabled, created_at) "
            "VALUES (1, 'edurep', 'https://example.org/oai', 'lom', :yes, :at)"
        ), {"yes": True, "at": started})
        counters = dict.fromkeys(("pages", "created", "updated", "unchanged", "deleted", "skipped", "failed"), 0)
        for run_id, errors in ((1, _OLD_ERRORS), (2, [])):
            connection.execute(_OLD_RUN.insert().values(
                id=run_id, source_id=1, status="failed", full=False, started_at=started,
                updated_at=started, errors=errors, **counters,
            ))
        # A checkpoint naming run 1: SQLite's batch copy of harvest_run must not null it.
        connection.execute(sa.text(
            "INSERT INTO checkpoint (source_id, run_id, pages, updated_at) VALUES (1, 1, 3, :at)"
        ), {"at": started})
    return engine


def _checkpoint_run(engine: Engine) -> int | None:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT run_id FROM checkpoint WHERE source_id = 1"))


def test_upgrade_moves_old_json_errors_into_rows_and_downgrade_puts_them_back(empty_database_url: str) -> None:
    engine = _database_at_0002_with_old_errors(empty_database_url)
    try:
        migrate(engine)
        assert "errors" not in {column["name"] for column in inspect(engine).get_columns("harvest_run")}
        with session_factory(engine)() as session:
            rows = run_errors(session, 1)
            assert run_errors(session, 2) == []
            assert [e.id for e in source_errors(session, 1)] == [e.id for e in reversed(rows)]
        assert [(e.severity, e.kind, e.stage, e.oai_identifier, e.message) for e in rows] == [
            (ErrorSeverity.WARNING, ErrorKind.OTHER, None, None, "Identify failed (x); using day granularity"),
            (ErrorSeverity.ERROR, ErrorKind.RECORD, None, "oai:example.org:4", "not the requested format"),
            (ErrorSeverity.ERROR, ErrorKind.RECORD, None, None, "record has no metadata"),
            (ErrorSeverity.ERROR, ErrorKind.OTHER, None, None, "a kind this version never wrote"),
            (ErrorSeverity.FATAL, ErrorKind.OTHER, None, None, "source unavailable after 6 attempts: HTTP 503"),
        ]
        assert rows[0].created_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
        assert all(e.source_id == 1 and e.run_id == 1 for e in rows)
        assert _checkpoint_run(engine) == 1

        downgrade(engine, "0002")

        with engine.connect() as connection:
            lists = dict(connection.execute(sa.select(_OLD_RUN.c.id, _OLD_RUN.c.errors)).all())
        assert set(inspect(engine).get_table_names()).isdisjoint({"harvest_error"})
        assert lists[2] == [] and _checkpoint_run(engine) == 1
        # Back in the old shape; the record without an identifier and the unknown kind as moved up.
        assert [(e["kind"], e["message"]) for e in lists[1]] == [
            ("warning", "Identify failed (x); using day granularity"),
            ("record", "oai:example.org:4: not the requested format"),
            ("record", "record has no metadata"),
            ("error", "a kind this version never wrote"),
            ("fatal", "source unavailable after 6 attempts: HTTP 503"),
        ]
        assert datetime.fromisoformat(lists[1][0]["at"]) == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
        migrate(engine)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()
