"""Harvest runs count records that joined a material another source brought (`merged`). I/O: database.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: SQLite (3.35 and later) adds and drops a column in place, where
# a batch copy of harvest_run would fire the ON DELETE of every row referring to a run.


def upgrade() -> None:
    # Earlier runs counted such records as created; they stay as counted then.
    op.add_column("harvest_run", sa.Column("merged", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("harvest_run", "merged")
