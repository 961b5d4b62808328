"""Every domain's tables on the one `Base`, for Alembic and for `create_all` in tests. Pure; no I/O.

A domain with tables adds its `models` module here; importing this module
imports them all, so `Base.metadata` is complete.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from oer.store.base import Base

MODEL_MODULES = (
    "oer.catalogue.models",
    "oer.harvesting.models",
    "oer.feed.models",
    "oer.accounts.models",
    "oer.publishing.models",
    "oer.remix.models",
    "oer.quality.models",
    "oer.collections.models",
    "oer.insights.models",
    "oer.demand.models",
)


def load_models() -> MetaData:
    """Import every domain's models; the shared metadata then holds every table."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
