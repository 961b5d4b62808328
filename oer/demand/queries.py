"""Reading demand signals: the most asked-for gaps and the wensenlijst, as frozen values. I/O: database.

`most_asked_gaps` is what the insight pages and the API show: the searches
that found few or no materials, summed over the retention period, and only
those at least `threshold` separate searches asked (k-anonymity: a query one
teacher typed a few times never appears).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oer.accounts.models import Organisation
from oer.catalogue.models import Resource
from oer.demand.models import DemandCount, Wish, WishAnswer, WishState, WishSupport

DEFAULT_GAPS = 50
WISHES_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class DemandGap:
    """A search teachers make that finds (next to) nothing, with how often it was asked."""

    query: str
    sector: str | None
    subject: str | None
    searches: int
    empty: int
    first_day: date
    last_day: date

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "sector": self.sector, "subject": self.subject, "searches": self.searches,
                "empty": self.empty, "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat()}


def most_asked_gaps(session: Session, *, threshold: int, limit: int = DEFAULT_GAPS,
                    since: date | None = None) -> list[DemandGap]:
    """The most often searched thin queries (by query, sector and subject), each asked at least `threshold` times."""
    searches = func.sum(DemandCount.searches)
    statement = (
        select(DemandCount.query, DemandCount.sector, DemandCount.subject, searches, func.sum(DemandCount.empty),
               func.min(DemandCount.day), func.max(DemandCount.day))
        .group_by(DemandCount.query, DemandCount.sector, DemandCount.subject)
        .having(searches >= max(threshold, 1))
        .order_by(searches.desc(), DemandCount.query, DemandCount.sector, DemandCount.subject)
        .limit(limit)
    )
    if since is not None:
        statement = statement.where(DemandCount.day >= since)
    return [DemandGap(query=query, sector=sector or None, subject=subject or None, searches=int(total),
                      empty=int(empty), first_day=first, last_day=last)
            for query, sector, subject, total, empty, first, last in session.execute(statement)]


@dataclass(frozen=True, slots=True)
class WishSummary:
    id: int
    text: str
    sector: str | None
    level: str | None
    subject: str | None
    kerndoel: str | None
    state: WishState
    support: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerView:
    id: int
    organisation_id: int | None
    organisation_name: str | None
    note: str | None
    resource_id: str | None
    resource_title: str | None
    created_at: datetime
    linked_at: datetime | None


@dataclass(frozen=True, slots=True)
class WishDetail:
    summary: WishSummary
    query: str | None
    answers: tuple[AnswerView, ...]


def _support_counts(session: Session, wish_ids: Sequence[int]) -> dict[int, int]:
    if not wish_ids:
        return {}
    rows = session.execute(select(WishSupport.wish_id, func.count()).where(WishSupport.wish_id.in_(wish_ids))
                           .group_by(WishSupport.wish_id))
    return {wish_id: int(count) for wish_id, count in rows}


def _summary(wish: Wish, signed_in_support: int) -> WishSummary:
    return WishSummary(id=wish.id, text=wish.text, sector=wish.sector, level=wish.level, subject=wish.subject,
                       kerndoel=wish.kerndoel, state=wish.state, support=wish.anonymous_support + signed_in_support,
                       created_at=wish.created_at)


def list_wishes(session: Session, *, state: WishState | None = None, sector: str | None = None,
                limit: int = WISHES_PER_PAGE) -> list[WishSummary]:
    """Wishes, the most asked-for first (then the newest)."""
    support = (select(func.count()).where(WishSupport.wish_id == Wish.id).correlate(Wish).scalar_subquery())
    statement = select(Wish).order_by((Wish.anonymous_support + support).desc(), Wish.id.desc()).limit(limit)
    if state is not None:
        statement = statement.where(Wish.state == state)
    if sector:
        statement = statement.where(Wish.sector == sector)
    wishes = list(session.scalars(statement))
    counts = _support_counts(session, [wish.id for wish in wishes])
    return [_summary(wish, counts.get(wish.id, 0)) for wish in wishes]


def get_wish(session: Session, wish_id: int) -> WishDetail | None:
    wish = session.get(Wish, wish_id)
    if wish is None:
        return None
    rows = session.execute(
        select(WishAnswer, Organisation.name, Resource.title)
        .outerjoin(Organisation, Organisation.id == WishAnswer.organisation_id)
        .outerjoin(Resource, Resource.id == WishAnswer.resource_id)
        .where(WishAnswer.wish_id == wish_id)
        .order_by(WishAnswer.id)
    )
    answers = tuple(
        AnswerView(id=answer.id, organisation_id=answer.organisation_id, organisation_name=name, note=answer.note,
                   resource_id=answer.resource_id, resource_title=title, created_at=answer.created_at,
                   linked_at=answer.linked_at)
        for answer, name, title in rows
    )
    summary = _summary(wish, _support_counts(session, [wish.id]).get(wish.id, 0))
    return WishDetail(summary=summary, query=wish.query, answers=answers)


def supports(session: Session, wish_id: int, user_id: int) -> bool:
    """Whether this user asked for the wish already."""
    found = session.scalar(select(func.count()).where(WishSupport.wish_id == wish_id, WishSupport.user_id == user_id))
    return bool(found)
