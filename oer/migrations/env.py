"""Alembic's environment: migrates the connection `oer.store.database.migrate` hands over. I/O: database.

Run by hand (developers making a new revision), it uses OER_DATABASE_URL:
    alembic -c oer/migrations/alembic.ini revision --autogenerate -m "what changed"
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from oer.settings import Settings
from oer.store.database import create_engine_from_url
from oer.store.registry import load_models
from oer.store.types import JSONDocument, UTCDateTime

config = context.config


def render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Write the store's own column types as plain SQLAlchemy types in new revisions.

    A revision must not import the models: it has to keep meaning what it meant
    when it was written, whatever the models become.
    """
    if kind != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if obj is JSONDocument:
        autogen.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=load_models(),
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=load_models(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run_migrations(given)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    if context.is_offline_mode():
        run_offline(url)
        return
    engine = create_engine_from_url(url)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
            connection.commit()
    finally:
        engine.dispose()


main()
