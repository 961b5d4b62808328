"""An in-memory FeedRepository that follows the storage contract of oer.feed.oai.contract, and a generated corpus. Pure; no I/O.

It doubles as an executable statement of that contract: one datestamp per
item, bumped by every visible change; tombstones kept for ever; membership of
a set remembered after the item leaves it, so the set's list shows the item
as deleted.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from metadata.record import Record
from oer.feed.oai.contract import FeedItem, FeedSet, RepositoryIdentity

REPOSITORY_ID = "oer.example.org"
BASE_URL = "http://oer.example.org/oai"
START = datetime(2024, 1, 1, 8, 0, 0, tzinfo=UTC)
SETS = (
    FeedSet("curated", "Curated by the editors", "Materials the editors selected."),
    FeedSet("source:wikiwijs", "Wikiwijs"),
    FeedSet("source:school-a", "School A"),
    FeedSet("sector:PO", "Primary education"),
    FeedSet("sector:VO", "Secondary education"),
    FeedSet("collection:empty", "A collection nobody filled yet"),
)


@dataclass
class StoredItem:
    """An item as the store keeps it: current state plus every set it ever left."""

    oai_identifier: str
    datestamp: datetime
    record: Record | None
    set_specs: set[str] = field(default_factory=set)
    left_sets: set[str] = field(default_factory=set)

    def view(self, set_spec: str | None) -> FeedItem | None:
        """The item as the list for `set_spec` shows it, or None when it is not in that list."""
        sets = tuple(sorted(self.set_specs))
        if set_spec is None or set_spec in self.set_specs:
            return FeedItem(self.oai_identifier, self.datestamp, self.record is None, sets, self.record)
        if set_spec in self.left_sets:
            return FeedItem(self.oai_identifier, self.datestamp, True, sets, None)
        return None


class InMemoryFeedRepository:
    """A FeedRepository over a dict; mutations bump datestamps the way the store must."""

    def __init__(
        self,
        *,
        sets: Sequence[FeedSet] = SETS,
        base_url: str = BASE_URL,
        items: Iterable[StoredItem] = (),
        created: datetime = START,
    ) -> None:
        self.sets = list(sets)
        self.base_url = base_url
        self.created = created
        self.items = {item.oai_identifier: item for item in items}
        self.calls: list[str] = []

    # FeedRepository

    def identity(self) -> RepositoryIdentity:
        datestamps = [item.datestamp for item in self.items.values()]
        return RepositoryIdentity(
            name="OER test repository",
            base_url=self.base_url,
            admin_emails=("feed@oer.example.org",),
            earliest_datestamp=min(datestamps, default=self.created),
            repository_identifier=REPOSITORY_ID,
            sample_identifier=f"oai:{REPOSITORY_ID}:5b1e2c3d-0000-4000-8000-000000000000",
        )

    def list_sets(self) -> Sequence[FeedSet]:
        return list(self.sets)

    def has_set(self, spec: str) -> bool:
        return any(feed_set.spec == spec for feed_set in self.sets)

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedItem | None:
        # Keeps records, never payloads: every format is serialised by the provider.
        item = self.items.get(oai_identifier)
        return item.view(None) if item else None

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> Sequence[FeedItem]:
        self.calls.append("list_items")
        selected = [
            view
            for view in self._views(set_spec, from_, until)
            if after is None or view.position > after
        ]
        return selected[:limit]

    def count_items(self, set_spec: str | None, from_: datetime | None, until: datetime | None) -> int:
        self.calls.append("count_items")
        return len(self._views(set_spec, from_, until))

    def _views(self, set_spec: str | None, from_: datetime | None, until: datetime | None) -> list[FeedItem]:
        views = []
        for item in self.items.values():
            view = item.view(set_spec)
            if view is None:
                continue
            if from_ is not None and view.datestamp < from_:
                continue
            if until is not None and view.datestamp > until:
                continue
            views.append(view)
        return sorted(views, key=lambda view: view.position)

    # Changes, each bumping the item's datestamp to `at`.

    def put(self, oai_identifier: str, record: Record, sets: Iterable[str], at: datetime) -> None:
        item = self.items.get(oai_identifier)
        if item is None:
            item = self.items[oai_identifier] = StoredItem(oai_identifier, at, record)
        new_sets = set(sets)
        item.left_sets = (item.left_sets | (item.set_specs - new_sets)) - new_sets
        item.set_specs = new_sets
        item.record = record
        item.datestamp = at

    def delete(self, oai_identifier: str, at: datetime) -> None:
        item = self.items[oai_identifier]
        item.record = None
        item.datestamp = at

    def leave_set(self, oai_identifier: str, spec: str, at: datetime) -> None:
        item = self.items[oai_identifier]
        assert item.record is not None
        self.put(oai_identifier, item.record, item.set_specs - {spec}, at)


def identifier_for(number: int) -> str:
    # Random-looking local ids, so that identifier order differs from creation order.
    local = uuid.uuid5(uuid.NAMESPACE_URL, f"https://oer.example.org/item/{number}")
    return f"oai:{REPOSITORY_ID}:{local}"


def record_for(number: int, oai_identifier: str) -> Record:
    return Record(
        oai_identifier=oai_identifier,
        title=f"Les {number}: breuken & procenten <deel {number % 7}>",
        titles={"nl": f"Les {number}: breuken & procenten <deel {number % 7}>"},
        description=f"Lesmateriaal nummer {number}.",
        keywords=("rekenen", f"les-{number}"),
        languages=("nl",),
        location=f"https://oer.example.org/materials/{number}",
    )


def build_corpus(count: int = 437, *, seed: int = 6) -> InMemoryFeedRepository:
    """`count` items over sets; several share a datestamp, about 1 in 9 is a tombstone,
    and some have left `curated` (so they show there as deleted)."""
    rng = random.Random(seed)
    items = []
    for number in range(count):
        oai_identifier = identifier_for(number)
        # Three items per second: the identifier must break ties in the order.
        datestamp = START + timedelta(seconds=number // 3, days=number // 50)
        sets = {rng.choice(["source:wikiwijs", "source:school-a"]), rng.choice(["sector:PO", "sector:VO"])}
        left: set[str] = set()
        if number % 4 == 0:
            sets.add("curated")
        elif number % 10 == 1:
            left.add("curated")
        record = None if number % 9 == 5 else record_for(number, oai_identifier)
        items.append(StoredItem(oai_identifier, datestamp, record, sets, left))
    return InMemoryFeedRepository(items=items)
