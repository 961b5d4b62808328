"""The declarative base every domain's tables share. Pure; no I/O.

Each domain declares its tables in its own `models.py` on this `Base`; Alembic sees
all of them through `oer.store.registry`. Every timestamp is timezone-aware UTC
(`UTCDateTime`); enums are stored as short strings (`enum_column`, no native
database enums) so adding a member needs no migration.
"""

from __future__ import annotations

import enum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names: migrations (and SQLite's batch mode) can then refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(kind: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its lower-case value in a VARCHAR, portable and easy to extend."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
