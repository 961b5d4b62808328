"""The demand domain's writer: counting thin searches, purging old counts, the wensenlijst. I/O: database.

Each use case takes the session (the caller owns the transaction). Counting a
search deliberately takes no actor: who searched is never handed in, so it
cannot end up in `demand_count`. Every other use case takes the `Actor`
(None for a visitor without an account, where one may act at all) and checks
it with `oer.demand.rules`, raising one of `oer.demand.errors` when it may not
or the input is wrong.

Linking material to an answer returns the addresses of those who asked for
the wish, signed in, agreed to be told and still have a verified address;
sending them the mail after the commit is the caller's (the site's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from metadata.submission import Problem
from oer.accounts.actor import Actor
from oer.accounts.errors import UnknownOrganisation
from oer.accounts.models import Organisation, User
from oer.catalogue.models import Resource
from oer.demand.errors import InvalidWish, UnknownResource, UnknownWish, WishNotAllowed
from oer.demand.models import (
    ANSWER_NOTE_LENGTH,
    SECTOR_LENGTH,
    SUBJECT_LENGTH,
    WISH_FIELD_LENGTH,
    WISH_TEXT_LENGTH,
    DemandCount,
    Wish,
    WishAnswer,
    WishState,
    WishSupport,
)
from oer.demand.rules import can_answer_wish, can_link_material, can_purge_counts
from oer.demand.text import normalise_query, plain_text
from oer.store.types import utcnow

# The sectors a wish names (the sectors of the kerndoelen, special and practical education included).
WISH_SECTORS = ("PO", "SBaO", "SO", "VSO", "VO", "PRO", "MBO")
WISH_TEXT_MINIMUM = 10


@dataclass(frozen=True, slots=True)
class SearchSignal:
    """A search that found few or no materials, as it is counted: nothing about who searched."""

    text: str
    sector: str = ""
    subject: str = ""
    results: int = 0


def record_search(session: Session, signal: SearchSignal, day: date) -> bool:
    """Count one thin search in its day's bucket (one upsert); False when it is not counted.

    A search with no text is not counted (a filter alone says little of what was
    missed), nor one whose text looks like personal data (`normalise_query`).
    """
    query = normalise_query(signal.text)
    if query is None:
        return False
    values = {"day": day, "query": query, "sector": signal.sector[:SECTOR_LENGTH],
              "subject": signal.subject[:SUBJECT_LENGTH], "searches": 1, "empty": int(signal.results == 0)}
    table = cast(Table, DemandCount.__table__)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.values(**values).on_conflict_do_update(
        index_elements=["day", "query", "sector", "subject"],
        set_={"searches": table.c.searches + insert.excluded.searches,
              "empty": table.c.empty + insert.excluded.empty},
    )
    session.execute(statement)
    return True


def purge_counts(session: Session, actor: Actor, *, before: date) -> int:
    """Delete the counts of days before `before` (the retention period's start); how many rows went."""
    if not can_purge_counts(actor):
        raise WishNotAllowed("only the operator purges the demand counts")
    result = session.execute(delete(DemandCount).where(DemandCount.day < before))
    return int(getattr(result, "rowcount", 0) or 0)


# -- the wensenlijst ------------------------------------------------------------------------------


def _field(problems: list[Problem], name: str, value: str | None, limit: int) -> str | None:
    cleaned = plain_text(value)
    if cleaned and len(cleaned) > limit:
        problems.append(Problem.too_long(name, limit, len(cleaned)))
    return cleaned


def _user(actor: Actor | None) -> int | None:
    if actor is None or actor.is_system or actor.user_id is None:
        return None
    return actor.user_id


def create_wish(
    session: Session,
    actor: Actor | None,
    *,
    text: str,
    sector: str | None = None,
    level: str | None = None,
    subject: str | None = None,
    kerndoel: str | None = None,
    query: str | None = None,
    notify: bool = False,
) -> int:
    """A new wish; whoever made it is its first supporter (a signed-in user by account, with `notify`)."""
    problems: list[Problem] = []
    text_ = _field(problems, "text", text, WISH_TEXT_LENGTH)
    if not text_ or len(text_) < WISH_TEXT_MINIMUM:
        problems.append(Problem("text", "required",
                                f"Beschrijf in een zin (minstens {WISH_TEXT_MINIMUM} tekens) wat je zocht.",
                                f"Say in a sentence (at least {WISH_TEXT_MINIMUM} characters) what you looked for."))
    sector_ = plain_text(sector)
    if sector_ is not None and sector_ not in WISH_SECTORS:
        problems.append(Problem("sector", "unknown", "Kies een sector uit de lijst.", "Choose a sector from the list."))
    level_ = _field(problems, "level", level, WISH_FIELD_LENGTH)
    subject_ = _field(problems, "subject", subject, WISH_FIELD_LENGTH)
    kerndoel_ = _field(problems, "kerndoel", kerndoel, WISH_FIELD_LENGTH)
    if problems:
        raise InvalidWish(tuple(problems))
    now = utcnow()
    wish = Wish(text=text_, sector=sector_, level=level_, subject=subject_, kerndoel=kerndoel_,
                query=normalise_query(query or ""), state=WishState.OPEN, anonymous_support=0,
                created_at=now, updated_at=now)
    session.add(wish)
    session.flush()
    support_wish(session, actor, wish.id, notify=notify)
    return wish.id


def _wish(session: Session, wish_id: int) -> Wish:
    wish = session.get(Wish, wish_id)
    if wish is None:
        raise UnknownWish(f"no wish {wish_id}")
    return wish


def support_wish(session: Session, actor: Actor | None, wish_id: int, *, notify: bool = False) -> bool:
    """"Ik zoek dit ook": a signed-in user once (again: only their mail choice changes), a visitor counted.

    Returns whether the wish gained a supporter. A visitor's support is a number
    only; the site keeps them from counting twice in their own session cookie.
    """
    wish = _wish(session, wish_id)
    user_id = _user(actor)
    if user_id is None:
        wish.anonymous_support += 1
        session.flush()
        return True
    existing = session.scalar(select(WishSupport).where(WishSupport.wish_id == wish_id,
                                                        WishSupport.user_id == user_id))
    if existing is not None:
        existing.notify = notify
        session.flush()
        return False
    session.add(WishSupport(wish_id=wish_id, user_id=user_id, notify=notify, created_at=utcnow()))
    session.flush()
    return True


def answer_wish(session: Session, actor: Actor, wish_id: int, *, organisation_id: int | None,
                note: str | None = None) -> int:
    """"Wij maken dit", in the organisation's name (None: the redactie's); returns the answer's id."""
    wish = _wish(session, wish_id)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(f"no organisation with id {organisation_id}")
    if not can_answer_wish(actor, organisation_id):
        raise WishNotAllowed("only an organisation's redacteuren and beheerders, or the redactie, answer wishes")
    problems: list[Problem] = []
    note_ = _field(problems, "note", note, ANSWER_NOTE_LENGTH)
    if problems:
        raise InvalidWish(tuple(problems))
    answer = WishAnswer(wish_id=wish.id, organisation_id=organisation_id, user_id=actor.user_id, note=note_,
                        created_at=utcnow())
    session.add(answer)
    if wish.state is WishState.OPEN:
        wish.state = WishState.ANSWERED
    wish.updated_at = utcnow()
    session.flush()
    return answer.id


def link_material(session: Session, actor: Actor, wish_id: int, answer_id: int, resource_id: str) -> list[str]:
    """Link the material made for a wish to its answer; the addresses to tell (see the module's notes)."""
    wish = _wish(session, wish_id)
    answer = session.get(WishAnswer, answer_id)
    if answer is None or answer.wish_id != wish.id:
        raise UnknownWish(f"wish {wish_id} has no answer {answer_id}")
    if not can_link_material(actor, answer.organisation_id):
        raise WishNotAllowed("only who may answer in the answer's name links its material")
    resource_id = resource_id.strip()
    resource = session.get(Resource, resource_id) if resource_id else None
    if resource is None or resource.deleted:
        raise UnknownResource(f"no material {resource_id!r}")
    first = answer.resource_id is None
    now = utcnow()
    answer.resource_id, answer.linked_at = resource.id, now
    wish.state, wish.updated_at = WishState.FULFILLED, now
    session.flush()
    if not first:
        return []
    rows = session.execute(
        select(User.email)
        .join(WishSupport, WishSupport.user_id == User.id)
        .where(WishSupport.wish_id == wish.id, WishSupport.notify.is_(True), User.email_verified.is_(True),
               User.deleted_at.is_(None))
        .order_by(User.id)
    )
    return [email for (email,) in rows]
