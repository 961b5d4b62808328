"""Harvest errors as rows: the `harvest_error` table replaces the JSON list `harvest_run.errors`. I/O: database.

Upgrade moves every entry of the old lists into rows: its `kind` becomes the
severity (fatal, warning; `record` an error of kind record, with the record's
identifier split off the message; anything else an error of kind `other`),
and its stage stays unknown (NULL), since the list never said. Downgrade puts
the rows back into lists in the old entry shape.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision stays as it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

# The old list's `kind` -> (severity, kind) of a row; any other old kind is an error of kind other.
_FROM_OLD_KIND = {
    "fatal": ("fatal", "other"),
    "error": ("error", "other"),
    "warning": ("warning", "other"),
    "record": ("error", "record"),
}

_runs = sa.table(
    "harvest_run",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("started_at", UTC_DATETIME),
    sa.column("errors", JSON_DOCUMENT),
)
_checkpoints = sa.table(
    "checkpoint",
    sa.column("source_id", sa.Integer()),
    sa.column("run_id", sa.Integer()),
)
_errors = sa.table(
    "harvest_error",
    sa.column("id", sa.Integer()),
    sa.column("run_id", sa.Integer()),
    sa.column("source_id", sa.Integer()),
    sa.column("severity", sa.String(20)),
    sa.column("stage", sa.String(20)),
    sa.column("kind", sa.String(20)),
    sa.column("oai_identifier", sa.Text()),
    sa.column("message", sa.Text()),
    sa.column("created_at", UTC_DATETIME),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = []
    for run in connection.execute(sa.select(_runs).order_by(_runs.c.id)):
        for entry in run.errors or ():
            rows.append(_row_of_entry(run, entry, connection.dialect.name))
    # Before the new table exists: on SQLite the batch copies harvest_run and drops the old one,
    # and that drop would cascade to every row referring to a run (see _keeping_checkpoint_runs).
    with _keeping_checkpoint_runs(), op.batch_alter_table("harvest_run") as batch:
        batch.drop_column("errors")
    op.create_table(
        "harvest_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Enum("fatal", "error", "warning", name="errorseverity",
                                      native_enum=False, length=20), nullable=False),
        sa.Column("stage", sa.Enum("fetch", "parse", "normalize", "store", "index", name="errorstage",
                                   native_enum=False, length=20), nullable=True),
        sa.Column("kind", sa.Enum("network", "timeout", "http", "xml", "protocol", "loop", "record",
                                  "database", "search", "other", name="errorkind",
                                  native_enum=False, length=20), nullable=False),
        sa.Column("oai_identifier", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["harvest_run.id"],
                                name=op.f("fk_harvest_error_run_id_harvest_run"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"],
                                name=op.f("fk_harvest_error_source_id_source"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_error")),
    )
    op.create_index(op.f("ix_harvest_error_run_id"), "harvest_error", ["run_id"])
    op.create_index(op.f("ix_harvest_error_source_id_created_at"), "harvest_error",
                    ["source_id", "created_at"])
    if rows:
        connection.execute(_errors.insert(), rows)


def downgrade() -> None:
    connection = op.get_bind()
    lists: dict[int, list[dict[str, Any]]] = {}
    for row in connection.execute(sa.select(_errors).order_by(_errors.c.id)):
        lists.setdefault(row.run_id, []).append(_entry_of_row(row))
    op.drop_index(op.f("ix_harvest_error_source_id_created_at"), table_name="harvest_error")
    op.drop_index(op.f("ix_harvest_error_run_id"), table_name="harvest_error")
    op.drop_table("harvest_error")
    # Added as nullable (SQLite adds a column in place), filled, then made NOT NULL (a copy there).
    with op.batch_alter_table("harvest_run") as batch:
        batch.add_column(sa.Column("errors", JSON_DOCUMENT, nullable=True))
    for run_id, entries in lists.items():
        connection.execute(_runs.update().where(_runs.c.id == run_id).values(errors=entries))
    connection.execute(_runs.update().where(_runs.c.errors.is_(None)).values(errors=[]))
    with _keeping_checkpoint_runs(), op.batch_alter_table("harvest_run") as batch:
        batch.alter_column("errors", existing_type=JSON_DOCUMENT, nullable=False)


@contextmanager
def _keeping_checkpoint_runs() -> Iterator[None]:
    """Restore `checkpoint.run_id` after SQLite's batch mode copied harvest_run.

    The store enforces foreign keys, also while migrating, and PRAGMA foreign_keys
    cannot change inside the migration's transaction: dropping the old copy of
    harvest_run then fires checkpoint.run_id's ON DELETE SET NULL. The ids are the
    same in the new copy, so putting them back is exact. A no-op elsewhere.
    """
    connection = op.get_bind()
    kept = list(connection.execute(
        sa.select(_checkpoints.c.source_id, _checkpoints.c.run_id).where(_checkpoints.c.run_id.is_not(None))
    ))
    yield
    for source_id, run_id in kept:
        connection.execute(
            _checkpoints.update().where(_checkpoints.c.source_id == source_id).values(run_id=run_id)
        )


def _row_of_entry(run: Any, entry: Any, dialect: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        entry = {"message": str(entry)}
    severity, kind = _FROM_OLD_KIND.get(str(entry.get("kind") or ""), ("error", "other"))
    message = str(entry.get("message") or "")
    identifier = None
    if kind == "record":
        # The old message was "IDENTIFIER: reason"; an OAI identifier is a URI, without spaces.
        head, separator, reason = message.partition(": ")
        if separator and head == "(no identifier)":
            message = reason
        elif separator and head and " " not in head:
            identifier, message = head, reason
    return {
        "run_id": run.id,
        "source_id": run.source_id,
        "severity": severity,
        "stage": None,
        "kind": kind,
        "oai_identifier": identifier,
        "message": message,
        "created_at": _moment(entry.get("at"), run.started_at, dialect),
    }


def _moment(text: Any, fallback: datetime, dialect: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        moment = fallback
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    # What the store's UTCDateTime does: SQLite has no time zones, so naive UTC there.
    return moment.replace(tzinfo=None) if dialect == "sqlite" else moment


def _entry_of_row(row: Any) -> dict[str, Any]:
    kind = "record" if row.severity == "error" and row.kind == "record" else row.severity
    message = f"{row.oai_identifier}: {row.message}" if row.oai_identifier else row.message
    at = row.created_at if row.created_at.tzinfo is not None else row.created_at.replace(tzinfo=UTC)
    return {"at": at.isoformat(), "kind": kind, "message": message}
