"""Migrations from an empty database on both backends, `oer init`, and models matching migrations."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from oer.store.database import (
    create_engine_from_url,
    current_revision,
    downgrade,
    ensure_current,
    head_revision,
    migrate,
    schema_differences,
)
from oer.store.errors import DatabaseOutdatedError, DatabaseUnavailableError
from oer.store.registry import load_models
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
