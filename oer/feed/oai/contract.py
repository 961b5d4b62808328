"""What the OAI-PMH provider needs from storage: the `FeedRepository` interface and its values. Pure; no I/O.

The provider reads the feed only through `FeedRepository`; the database
implementation lives with the store, tests use an in-memory one.

Contract for an implementation
------------------------------
Items. Every resource that is or ever was in the feed is an item with a
stable OAI identifier (a URI, usually ``oai:REPOSITORY-ID:LOCAL-ID``) and a
datestamp: a timezone-aware UTC datetime at second precision (microsecond 0).
The datestamp changes whenever anything the feed shows of the item changes:
its metadata, its set memberships, its annotations, its deletion. An item is
never forgotten: a resource deleted at its source stays as a tombstone
(``deleted=True``, ``record=None``) with the datestamp of its deletion, because
the repository declares ``deletedRecord=persistent``.

Order and position. `list_items` returns items in ascending ``(datestamp,
oai_identifier)`` order, a total order that must be the same on every call
(in SQL: ``ORDER BY datestamp, oai_identifier`` with a binary collation such as
PostgreSQL's ``COLLATE "C"``, backed by an index on those two columns). ``after``
is the ``(datestamp, oai_identifier)`` of the last item of the previous page;
only items strictly after it in that order are returned (SQL row comparison
``(datestamp, oai_identifier) > (:d, :id)``). ``from_`` and ``until`` are
inclusive bounds on the datestamp; either may be None.

Set membership, including leaving a set. Sets are saved queries (``curated``,
``source:NAME``, ``sector:PO``, ``collection:SLUG``); a set spec matches the
spec's ``setSpecType`` (letters, digits and ``-_.!~*'()``, with ``:`` only as a
separator between such parts). For ``set_spec=None`` the list holds every item
with its own state. For ``set_spec=S`` it holds the union of

* the items that are in S now, each with its own state (a tombstone that was
  in S when it was deleted stays in S as a deleted item), and
* the items that were in S and have left it, each as a deleted item
  (``deleted=True``, ``record=None``), so a selective harvester learns that
  they left.

To know the second kind, the store keeps a membership row per (item, set)
that is never removed, only marked as left, and re-marked when the item joins
again. Because leaving or joining a set is a change of what the feed shows,
it bumps the item's datestamp; an item has one datestamp, used in every list
it appears in. ``set_specs`` of an item are the sets it is in now (for a
tombstone: the sets it was in when deleted).

Payloads. A repository that keeps records serialised may hand a live item
its `payload` in the format the provider asks for (``metadata_prefix``)
instead of its record: the bytes `oer.feed.oai.formats.payload_bytes` writes
for the record the item shows now, with the writer of the provider's format
of that prefix, so a response is the same whichever of the two an item
carries. In the list of a set that stands for one origin of the records (the
store's ``source:NAME``), the record an item shows may be that origin's own
version of it rather than the one `get_item` gives; its header is the same.
A payload serialised by another version of that code
(`oer.feed.oai.formats.PAYLOAD_VERSION`) must not be handed over.

`count_items` counts exactly the items `list_items` would return for the same
``set_spec``, ``from_`` and ``until`` without ``after``/``limit``.
`get_item` returns an item with its own state (no set perspective), or None
for an identifier the repository never had. `has_set` is True for the set
specs `list_sets` lists (it may be cheaper than listing them all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from metadata.record import Record

# setSpecType of OAI-PMH.xsd.
SET_SPEC_PATTERN = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*")
# oai-identifier syntax (OAI-PMH guidelines, "Specification and XML Schema for the OAI Identifier Format").
_REPOSITORY_IDENTIFIER = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_LOCAL_IDENTIFIER = re.compile(r"[A-Za-z0-9\-_.!~*'();/?:@&=+$,%]+")


@dataclass(frozen=True, slots=True)
class RepositoryIdentity:
    """What `Identify` says about the repository.

    `repository_identifier` is the domain-name part of ``oai:DOMAIN:LOCAL``
    identifiers; when it is given, `sample_identifier` must be such an
    identifier and Identify carries an oai-identifier description.
    """

    name: str
    base_url: str
    admin_emails: tuple[str, ...]
    earliest_datestamp: datetime
    repository_identifier: str | None = None
    sample_identifier: str | None = None

    def __post_init__(self) -> None:
        if not self.admin_emails:
            raise ValueError("Identify needs at least one admin email")
        _require_second_precision(self.earliest_datestamp, "earliest_datestamp")
        if self.repository_identifier is None:
            return
        if not _REPOSITORY_IDENTIFIER.fullmatch(self.repository_identifier):
            raise ValueError(f"{self.repository_identifier!r} is not a repository identifier (a domain name)")
        prefix = f"oai:{self.repository_identifier}:"
        sample = self.sample_identifier or ""
        if not (sample.startswith(prefix) and _LOCAL_IDENTIFIER.fullmatch(sample[len(prefix):])):
            raise ValueError(f"sample identifier {sample!r} is not of the form {prefix}LOCAL-ID")


@dataclass(frozen=True, slots=True)
class FeedSet:
    """A set of the feed: its spec, a human-readable name, and optionally a description."""

    spec: str
    name: str
    description: str | None = None

    def __post_init__(self) -> None:
        if not SET_SPEC_PATTERN.fullmatch(self.spec):
            raise ValueError(f"{self.spec!r} is not a valid OAI-PMH set spec")


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of the feed as a list (or GetRecord) shows it.

    An item shown as deleted has no metadata. A live one has its `record`,
    which the provider serialises in the requested metadata format, or its
    `payload`: the record already serialised in the format the repository was
    asked for (`metadata_prefix` of `list_items` and `get_item`), the bytes
    `oer.feed.oai.formats.payload_bytes` writes for it, which the provider
    then sends as they are.
    """

    oai_identifier: str
    datestamp: datetime
    deleted: bool
    set_specs: tuple[str, ...] = ()
    record: Record | None = None
    payload: bytes | None = None

    def __post_init__(self) -> None:
        _require_second_precision(self.datestamp, f"datestamp of {self.oai_identifier}")
        if not self.deleted and self.record is None and self.payload is None:
            raise ValueError(f"{self.oai_identifier}: an item that is not deleted needs its record (or its payload)")

    @property
    def position(self) -> tuple[datetime, str]:
        """The item's place in the feed's order."""
        return (self.datestamp, self.oai_identifier)


@runtime_checkable
class FeedRepository(Protocol):
    """Read access to the feed; see the module documentation for the full contract."""

    def identity(self) -> RepositoryIdentity:
        """Name, base URL, admin emails and earliest datestamp (of any item, tombstones too)."""
        ...

    def list_sets(self) -> Sequence[FeedSet]:
        """Every set; empty when the repository has no set hierarchy."""
        ...

    def has_set(self, spec: str) -> bool:
        """Whether `spec` is one of the sets `list_sets` returns."""
        ...

    def get_item(self, oai_identifier: str, metadata_prefix: str | None = None) -> FeedItem | None:
        """The item with its own state, or None when the identifier is unknown.

        With `metadata_prefix`, the item may carry its payload in that format instead of its record.
        """
        ...

    def list_items(
        self,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        after: tuple[datetime, str] | None,
        limit: int,
        metadata_prefix: str | None = None,
    ) -> Sequence[FeedItem]:
        """At most `limit` items of the list, ascending by (datestamp, oai_identifier).

        With `metadata_prefix`, items may carry their payloads in that format instead of their records.
        """
        ...

    def count_items(self, set_spec: str | None, from_: datetime | None, until: datetime | None) -> int:
        """How many items `list_items` would return in total for these arguments."""
        ...


def _require_second_precision(value: datetime, what: str) -> None:
    # The resumption position compares datestamps at second precision; a stored
    # fraction of a second would make an item sort before the position that follows it.
    if value.tzinfo is None or value.utcoffset() != timedelta(0) or value.microsecond:
        raise ValueError(f"{what}: {value!r} is not a UTC datetime at second precision")
