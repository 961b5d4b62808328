"""The accounts domain's tables: users, organisations, memberships, platform roles, API tokens, the audit log. Pure; no I/O.

Other domains will refer to `user_account.id` (who published, annotated,
curated), so a user's row is never deleted: erasing a user (AVG) replaces the
personal data in place and sets `deleted_at` (`oer.accounts.service.delete_user`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oer.store.base import Base, enum_column
from oer.store.types import JSONDocument, UTCDateTime, utcnow

# RFC 5321: a forward path is at most 256 octets, so an address at most 254 characters.
EMAIL_LENGTH = 254


class Locale(enum.Enum):
    """The language a user reads the site and its mail in."""

    NL = "nl"
    EN = "en"


class OrganisationKind(enum.Enum):
    SCHOOL = "school"
    # A school board (schoolbestuur): carries one or more schools.
    BESTUUR = "bestuur"
    # A subject teachers' association.
    VAKVERENIGING = "vakvereniging"
    UITGEVER = "uitgever"
    # Any other educational institution (a teacher training college, a museum, a library).
    INSTELLING = "instelling"
    # A cooperation of several organisations.
    ALLIANTIE = "alliantie"


class MemberRole(enum.Enum):
    """What a member may do in the name of an organisation (each role includes the ones above it)."""

    # Belongs to the organisation; acts in its name on nothing.
    LID = "lid"
    # Publishes materials in the organisation's name.
    REDACTEUR = "redacteur"
    # Publishes, and manages the organisation's members.
    BEHEERDER = "beheerder"


class PlatformRole(enum.Enum):
    """A role on the platform as a whole, granted by a platform beheerder."""

    # The editorial team: curates the catalogue, may annotate in every discipline.
    REDACTIE = "redactie"
    # A subject expert: annotates materials of one discipline (the grant's `discipline`).
    VAKEXPERT = "vakexpert"
    # Manages users, organisations and roles.
    BEHEERDER = "beheerder"


class TokenScope(enum.Enum):
    """What an API token may be used for; it never lets its holder do more than the user may."""

    PUBLISH = "publish"
    ANNOTATE = "annotate"
    CURATE = "curate"


class AuditAction(enum.Enum):
    USER_ADDED = "user.added"
    PASSWORD_SET = "user.password_set"
    EMAIL_VERIFIED = "user.email_verified"
    USER_DELETED = "user.deleted"
    USER_EXPORTED = "user.exported"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    ORGANISATION_ADDED = "organisation.added"
    MEMBER_ADDED = "member.added"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"


class User(Base):
    """A person who signs in (with a password, or only through SSO)."""

    # `user` is a reserved word in PostgreSQL.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored normalised (trimmed, lower case), so the unique constraint is case-insensitive on
    # both backends without a functional index.
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[Locale] = mapped_column(enum_column(Locale, length=5), default=Locale.NL)
    # An Argon2id hash in its encoded form; None for users who only sign in through SSO.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the user was erased: the row stays for the references of other domains.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Organisation(Base):
    """A school, school board, association, publisher, institution or alliance that publishes."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    # DUO's BRIN code of a school or board (`12AB`, with a branch `12AB01`); optional.
    brin: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Membership(Base):
    """A user's role in an organisation: one per user and organisation."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class RoleGrant(Base):
    """A platform role held by a user; a vakexpert's grant names its discipline."""

    __tablename__ = "platform_role"
    __table_args__ = (
        # NULLs are distinct in a unique constraint on both backends, so two grants of the same
        # role without a discipline are kept apart by the service, which looks before it adds.
        UniqueConstraint("user_id", "role", "discipline"),
        CheckConstraint(
            "(role = 'vakexpert') = (discipline IS NOT NULL)", name="discipline_of_vakexpert"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[PlatformRole] = mapped_column(enum_column(PlatformRole))
    # Stored lower case: "wiskunde", "aardrijkskunde".
    discipline: Mapped[str | None] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(Base):
    """A user's API token: only a hash of its secret is kept; the secret is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # A token for one organisation acts for that organisation only. Deleting the organisation
    # deletes its tokens: leaving them without it would widen what they may do.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    # The `TokenScope` values, sorted.
    scopes: Mapped[list[str]] = mapped_column(JSONDocument)
    # Hex SHA-256 of the secret. A plain hash suffices (no salt, no slow hash): the secret is 256
    # random bits, so there is no dictionary to try, and every request must look it up fast.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
    organisation: Mapped[Organisation | None] = relationship()


class AuditEvent(Base):
    """One change to accounts, who made it and through what; never updated or deleted.

    `details` holds ids, roles, slugs and scopes, never an e-mail address or a name: the log
    outlives an erased user, so it must not keep what erasing removes.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "created_at"),
        Index(None, "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None: the system itself (an operator's `oer` command, a task).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # How the actor acted: `cli` (the operator's commands), `web`, `token`, `task`.
    via: Mapped[str] = mapped_column(String(20))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, length=40))
    # What it was done to, as `kind:id`: `user:12`, `organisation:3`, `token:7`.
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
