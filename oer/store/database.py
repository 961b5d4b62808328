"""Engines, sessions and schema migrations for the store. I/O: database.

`create_engine_from_settings` is the one place an engine is made, so every
process (web, CLI, worker, tests) talks to SQLite and PostgreSQL the same way.
`migrate` brings a database to the newest Alembic revision; Alembic is set up in
code from the migrations packaged in `oer/migrations`, so it works from an
installed package with no `alembic.ini` around.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from oer.settings import Settings
from oer.store.errors import DatabaseOutdatedError, DatabaseUnavailableError
from oer.store.types import json_serializer

# Seconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT = 30


@dataclass(frozen=True, slots=True)
class Migration:
    """What `migrate` did: the revision before (None: empty database) and after."""

    url: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def create_engine_from_url(url: str, **options: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, set up as the store expects."""
    parsed = make_url(url)
    # JSON columns take `EncodedJSON` as it is (see `oer.store.types.json_serializer`).
    options.setdefault("json_serializer", json_serializer)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **options
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **options)


def create_engine_from_settings(settings: Settings, **options: Any) -> Engine:
    return create_engine_from_url(settings.database_url, **options)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the services; `with factory.begin() as session:` is one transaction.

    Objects stay usable after commit (expire_on_commit=False): the harvester
    commits once per page and keeps working with the same source and run rows.
    """
    return sessionmaker(engine, expire_on_commit=False)


def migrate(target: Settings | Engine, revision: str = "head") -> Migration:
    """Upgrade the database to `revision` (default: the newest); a no-op when already there."""
    return _run_alembic(target, command.upgrade, revision)


def downgrade(target: Settings | Engine, revision: str) -> Migration:
    """Downgrade the database to `revision` ("base": no tables); for operators and tests."""
    return _run_alembic(target, command.downgrade, revision)


def _run_alembic(
    target: Settings | Engine, step: Callable[[Config, str], None], revision: str
) -> Migration:
    engine, owned = _engine(target)
    try:
        with _connect(engine) as connection:
            before = _revision_of(connection)
            step(alembic_config(connection), revision)
            connection.commit()
            after = _revision_of(connection)
        return Migration(url=_display_url(engine), before=before, after=after)
    finally:
        if owned:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with _connect(engine) as connection:
        return _revision_of(connection)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def ensure_current(engine: Engine) -> None:
    """Raise DatabaseOutdatedError, naming `oer init`, unless the schema is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise DatabaseOutdatedError(f"the database at {_display_url(engine)} is not initialised: run `oer init`")
    if current != head:
        raise DatabaseOutdatedError(
            f"the database at {_display_url(engine)} is at revision {current}, "
            f"this version needs {head}: run `oer init`"
        )


def require_database_file(settings: Settings) -> None:
    """Refuse to open a SQLite database that is not there (connecting would create it empty)."""
    url = settings.database_url
    if not url.startswith("sqlite") or ":///" not in url:
        return
    path = url.split(":///", 1)[1]
    if path and path != ":memory:" and not Path(path).exists():
        raise DatabaseOutdatedError(f"no database at {path}: run `oer init`")


@contextmanager
def store_sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the database of `settings` for one command or task, closed at the end.

    Refused in one line, naming `oer init`, unless the database is there and current. Long-lived
    processes (the site) hold theirs in the runtime (`oer.runtime`) instead.
    """
    require_database_file(settings)
    engine = create_engine_from_settings(settings)
    try:
        ensure_current(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine a session factory (of `store_sessions` or `session_factory`) is bound to."""
    engine: Engine = sessions.kw["bind"]
    return engine


def schema_differences(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated database (empty when they agree).

    The same comparison `alembic check` makes; a test asserts it is empty on both backends.
    """
    with _connect(engine) as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        # Imported here, not at the top: the registry imports every domain's models, and the
        # domains import this module for their sessions.
        from oer.store.registry import load_models

        return list(compare_metadata(context, load_models()))


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: migrations from the installed package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("oer.migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _engine(target: Settings | Engine) -> tuple[Engine, bool]:
    if isinstance(target, Engine):
        return target, False
    return create_engine_from_settings(target), True


class _connect:
    """engine.connect() with connection failures turned into a one-line user error."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            self._connection = self._engine.connect()
        except OperationalError as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            raise DatabaseUnavailableError(
                f"cannot connect to the database at {_display_url(self._engine)}: {reason}"
            ) from error
        return self._connection

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._connection.close()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _display_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (below) instead of the sqlite3 module's
    # implicit, DML-only BEGIN: reads and DDL then run inside real transactions,
    # so a page commit and a migration are atomic. See SQLAlchemy's SQLite
    # dialect notes, "Serializable isolation / Savepoints / Transactional DDL".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL: readers (the site) never block the writer (the harvester) and vice versa.
        cursor.execute("PRAGMA journal_mode = WAL")
        # Safe with WAL against process crashes; only an OS crash may lose the last commits.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
