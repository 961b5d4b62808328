"""How a harvest keeps the search index caught up while it runs: a port the runtime fills.

A harvest's pages mark what they change `index_pending` through the catalogue's
writer; the search index is a projection of that outbox. A long harvest also
drains the outbox as it goes, so records become findable before it ends. How to
drain is the read side's (`oer.discovery.indexing`), and harvesting must not
import it: the composition root (`oer.runtime.register`) registers the drain
here, as it registers the projections, and harvesting asks for it by these
protocols only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from oer.errors import ConfigurationError
from oer.search.outbox import IndexingReport
from oer.settings import Settings


class IndexDrain(Protocol):
    """Drains the outbox to the settings' search backend, in this process (one per run)."""

    def drain(
        self, sessions: sessionmaker[Session], ids: Collection[str] | None = None, *,
        retry: bool = False,
    ) -> IndexingReport: ...

    def close(self) -> None: ...


class BackgroundDrain(Protocol):
    """Drains the outbox in another process while the harvest stores pages."""

    def wake(self) -> None: ...

    def stop(self) -> tuple[IndexingReport, list[str]] | None: ...

    def terminate(self) -> None: ...


@dataclass(frozen=True)
class IndexCatchUp:
    """The two ways to drain: here (`drain`), or beside the harvest (`background`, None if it cannot)."""

    drain: Callable[[Settings], IndexDrain]
    background: Callable[[Settings], BackgroundDrain | None]


class _Registry:
    catch_up: IndexCatchUp | None = None


_registry = _Registry()


def register_index_catch_up(catch_up: IndexCatchUp) -> None:
    """Set how harvests drain the index outbox (the composition root calls this; idempotent)."""
    _registry.catch_up = catch_up


def index_catch_up() -> IndexCatchUp:
    if _registry.catch_up is None:
        raise ConfigurationError(
            "no search index catch-up is registered: build the store through oer.runtime"
        )
    return _registry.catch_up
