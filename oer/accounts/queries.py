"""Reading accounts: users, organisations with their members, tokens, the audit log, actors. I/O: database.

Returns frozen values, never ORM rows, so callers (the CLI, pages, tests)
hold no session-bound objects. No reader shows a token's secret hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from oer.accounts.actor import Actor, Grant
from oer.accounts.errors import InvalidAccountData, UnknownOrganisation, UnknownUser
from oer.accounts.links import password_fingerprint
from oer.accounts.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    Locale,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    TokenScope,
    User,
)
from oer.accounts.validation import normalise_email

AUDIT_PAGE_SIZE = 50
MAX_AUDIT_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class UserMembership:
    """One of a user's memberships, as their own account shows it."""

    organisation_id: int
    slug: str
    name: str
    role: MemberRole


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    display_name: str
    email_verified: bool
    locale: Locale
    has_password: bool
    created_at: datetime
    deleted_at: datetime | None
    grants: tuple[Grant, ...]
    memberships: tuple[UserMembership, ...]

    @property
    def deleted(self) -> bool:
        """An erased (former) user: the row is kept, its personal data is gone."""
        return self.deleted_at is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `oer users list --json`."""
        return {
            "id": self.id,
            "email": self.email,
            "name": self.display_name,
            "email_verified": self.email_verified,
            "locale": self.locale.value,
            "has_password": self.has_password,
            "created_at": self.created_at.isoformat(),
            "deleted_at": self.deleted_at.isoformat() if self.deleted_at else None,
            "roles": [role_label(grant) for grant in self.grants],
            "memberships": [
                {"organisation": m.slug, "role": m.role.value} for m in self.memberships
            ],
        }


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    email: str
    display_name: str
    role: MemberRole
    since: datetime


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: int
    slug: str
    name: str
    kind: OrganisationKind
    brin: str | None
    created_at: datetime
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class TokenView:
    """An API token without its secret (which is not stored) or its hash."""

    id: int
    user_id: int
    name: str
    organisation_id: int | None
    scopes: frozenset[TokenScope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: int | None
    via: str
    action: AuditAction
    subject: str
    details: dict[str, Any]
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "actor_id": self.actor_id,
            "via": self.via,
            "action": self.action.value,
            "subject": self.subject,
            "details": self.details,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the audit log, newest first, and how many entries match in all."""

    entries: tuple[AuditEntry, ...]
    page: int
    size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.size < self.total


def role_label(grant: Grant) -> str:
    """`beheerder`, `redactie`, `vakexpert:wiskunde`: how roles are written on the command line."""
    return f"{grant.role.value}:{grant.discipline}" if grant.discipline else grant.role.value


def _user_view(user: User) -> UserView:
    return UserView(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        email_verified=user.email_verified,
        locale=user.locale,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        deleted_at=user.deleted_at,
        grants=tuple(sorted(
            (Grant(g.role, g.discipline) for g in user.roles),
            key=lambda grant: (grant.role.value, grant.discipline or ""),
        )),
        memberships=tuple(sorted(
            (UserMembership(m.organisation_id, m.organisation.slug, m.organisation.name, m.role)
             for m in user.memberships),
            key=lambda membership: membership.slug,
        )),
    )


def _users() -> Any:
    return select(User).options(
        selectinload(User.roles),
        selectinload(User.memberships).selectinload(Membership.organisation),
    )


def list_users(session: Session, *, include_deleted: bool = False) -> list[UserView]:
    """Every user by e-mail address; former (erased) users only when asked for."""
    query = _users().order_by(User.email)
    if not include_deleted:
        query = query.where(User.deleted_at.is_(None))
    return [_user_view(user) for user in session.scalars(query)]


def find_user_by_email(session: Session, email: str) -> UserView | None:
    """The current user with that address in any letter case, or None."""
    try:
        address = normalise_email(email)
    except InvalidAccountData:
        return None
    user = session.scalars(_users().where(User.email == address, User.deleted_at.is_(None))).first()
    return _user_view(user) if user is not None else None


def reset_fingerprint(session: Session, user_id: int) -> str | None:
    """The fingerprint a reset link for this current user must carry now (None: no such user)."""
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        return None
    return password_fingerprint(user.password_hash)


def get_user_by_email(session: Session, email: str) -> UserView:
    """The current user with that address; raises UnknownUser."""
    found = find_user_by_email(session, email)
    if found is None:
        raise UnknownUser(f"no user with e-mail address {email.strip()!r}")
    return found


def get_user(session: Session, user_id: int) -> UserView:
    """The user with that id, also a former one; raises UnknownUser."""
    user = session.scalars(_users().where(User.id == user_id)).first()
    if user is None:
        raise UnknownUser(f"no user with id {user_id}")
    return _user_view(user)


def _organisation_view(organisation: Organisation) -> OrganisationView:
    members = sorted(organisation.memberships, key=lambda m: m.user.email)
    return OrganisationView(
        id=organisation.id,
        slug=organisation.slug,
        name=organisation.name,
        kind=organisation.kind,
        brin=organisation.brin,
        created_at=organisation.created_at,
        members=tuple(
            Member(m.user_id, m.user.email, m.user.display_name, m.role, m.created_at) for m in members
        ),
    )


def _organisations() -> Any:
    return select(Organisation).options(
        selectinload(Organisation.memberships).selectinload(Membership.user)
    )


def find_organisation(session: Session, slug: str) -> OrganisationView | None:
    """The organisation with that slug and its members, or None."""
    organisation = session.scalars(_organisations().where(Organisation.slug == slug.strip())).first()
    return _organisation_view(organisation) if organisation is not None else None


def get_organisation(session: Session, slug: str) -> OrganisationView:
    """The organisation with that slug and its members; raises UnknownOrganisation."""
    organisation = session.scalars(_organisations().where(Organisation.slug == slug.strip())).first()
    if organisation is None:
        known = ", ".join(o.slug for o in list_organisations(session)) or "none yet"
        raise UnknownOrganisation(f"no organisation {slug.strip()!r} (known: {known})")
    return _organisation_view(organisation)


def list_organisations(session: Session) -> list[OrganisationView]:
    return [_organisation_view(o) for o in session.scalars(_organisations().order_by(Organisation.slug))]


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(
        id=token.id,
        user_id=token.user_id,
        name=token.name,
        organisation_id=token.organisation_id,
        scopes=frozenset(TokenScope(scope) for scope in token.scopes),
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def list_tokens(session: Session, user_id: int, *, include_revoked: bool = True) -> list[TokenView]:
    """The user's API tokens, oldest first."""
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return [_token_view(token) for token in session.scalars(query)]


def _audit_entry(event: AuditEvent) -> AuditEntry:
    return AuditEntry(
        id=event.id,
        actor_id=event.actor_id,
        via=event.via,
        action=event.action,
        subject=event.subject,
        details=dict(event.details),
        created_at=event.created_at,
    )


def audit_log(
    session: Session,
    *,
    page: int = 1,
    size: int = AUDIT_PAGE_SIZE,
    subject: str | None = None,
    actor_id: int | None = None,
) -> AuditPage:
    """One page of the audit log, newest first; optionally of one subject (`user:12`) or actor."""
    if page < 1 or not 1 <= size <= MAX_AUDIT_PAGE_SIZE:
        raise InvalidAccountData(f"page must be 1 or more and size 1 to {MAX_AUDIT_PAGE_SIZE}")
    conditions = []
    if subject is not None:
        conditions.append(AuditEvent.subject == subject)
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = session.scalars(
        select(AuditEvent).where(*conditions)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * size).limit(size)
    )
    return AuditPage(tuple(_audit_entry(e) for e in events), page, size, total)


def load_actor(session: Session, user_id: int, *, via: str = "web") -> Actor:
    """The actor of a current user: their platform roles and memberships; raises UnknownUser."""
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise UnknownUser(f"no user with id {user_id}")
    return actor_of(user, via=via)


def actor_of(user: User, *, via: str) -> Actor:
    """The actor of a loaded user row (its roles and memberships are read from it)."""
    return Actor.of_user(
        user.id,
        (Grant(g.role, g.discipline) for g in user.roles),
        {m.organisation_id: m.role for m in user.memberships},
        via=via,
    )

