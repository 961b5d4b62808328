"""The accounts domain's writer: every change to users, organisations, roles and tokens. I/O: database.

Each use case takes the session (the caller owns the transaction) and the
`Actor` performing it, checks the actor may (`oer.accounts.actor`), and raises
one of `oer.accounts.errors` when it may not or the input is wrong. Every
grant, membership change, token creation or revocation, erasure and export
writes an `AuditEvent` naming the actor in the same transaction, so the log
holds exactly what was committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from oer.accounts.actor import (
    Actor,
    Grant,
    can_add_organisation,
    can_create_token,
    can_grant_roles,
    can_manage_members,
    can_manage_own_account,
    can_manage_users,
    can_revoke_token,
    system_actor,
)
from oer.accounts.errors import (
    DuplicateMembership,
    DuplicateOrganisation,
    DuplicateRoleGrant,
    DuplicateUser,
    EmailNotVerified,
    InvalidAccountData,
    InvalidLink,
    InvalidToken,
    PermissionDenied,
    SignInFailed,
    UnknownMembership,
    UnknownOrganisation,
    UnknownRoleGrant,
    UnknownToken,
    UnknownUser,
)
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
    PlatformRole,
    RoleGrant,
    TokenScope,
    User,
)
from oer.accounts.passwords import check_password, hash_password, needs_rehash, verify_password
from oer.accounts.queries import actor_of, audit_log, get_user, list_tokens, role_label
from oer.accounts.validation import (
    TOKEN_NAME_LENGTH,
    check_discipline,
    check_name,
    check_slug,
    normalise_brin,
    normalise_email,
    parse_member_role,
    parse_organisation_kind,
    parse_scopes,
)
from oer.store.types import utcnow

# Recognisable in logs, configuration and secret scanners; never part of what is random.
TOKEN_PREFIX = "oer_"
# 32 random bytes: 256 bits, 43 characters of URL-safe base64.
TOKEN_BYTES = 32
# What an erased user's row keeps in place of their name; `.invalid` never resolves (RFC 2606).
FORMER_USER_NAME = "former user"
# The most audit entries an export carries about its user.
EXPORTED_AUDIT_ENTRIES = 500


@dataclass(frozen=True, slots=True)
class CreatedToken:
    """A new API token: `secret` is shown to its owner now and can never be read again."""

    id: int
    user_id: int
    name: str
    organisation_id: int | None
    scopes: frozenset[TokenScope]
    secret: str


# -- helpers --------------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _audit(
    session: Session, actor: Actor, action: AuditAction, subject: str, **details: Any
) -> None:
    session.add(AuditEvent(
        actor_id=actor.user_id, via=actor.via, action=action, subject=subject, details=details,
        created_at=utcnow(),
    ))


def _current_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise UnknownUser(f"no user with id {user_id}")
    return user


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise UnknownOrganisation(f"no organisation with id {organisation_id}")
    return organisation


def _membership(session: Session, organisation_id: int, user_id: int) -> Membership | None:
    return session.scalars(select(Membership).where(
        Membership.organisation_id == organisation_id, Membership.user_id == user_id
    )).first()


def hash_secret(secret: str) -> str:
    """The stored form of a token secret: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# -- users ----------------------------------------------------------------------------------------


def add_user(
    session: Session,
    actor: Actor,
    email: str,
    display_name: str,
    *,
    password: str | None = None,
    locale: Locale = Locale.NL,
    email_verified: bool = False,
) -> User:
    """A new user; without a password they can sign in only through SSO (until they set one).

    Needs a platform beheerder (or the system). Raises InvalidAccountData,
    DuplicateUser (the address in any letter case), WeakPassword.
    """
    _require(can_manage_users(actor), "only a platform beheerder may add users")
    address = normalise_email(email)
    name = check_name(display_name, what="a display name")
    if session.scalars(select(User.id).where(User.email == address)).first() is not None:
        raise DuplicateUser(f"a user with e-mail address {address} already exists")
    password_hash = None
    if password is not None:
        check_password(password, personal=(address, address.partition("@")[0], name))
        password_hash = hash_password(password)
    user = User(
        email=address, display_name=name, email_verified=email_verified, locale=locale,
        password_hash=password_hash, created_at=utcnow(),
    )
    session.add(user)
    # The unique constraint on the normalised address stays the backstop for a concurrent add.
    session.flush()
    _audit(session, actor, AuditAction.USER_ADDED, f"user:{user.id}", with_password=password is not None)
    return user


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> None:
    """Set (or replace) the user's password: the user themselves or a platform beheerder.

    Raises PermissionDenied, UnknownUser, WeakPassword.
    """
    _require(can_manage_own_account(actor, user_id), "you may change only your own password")
    user = _current_user(session, user_id)
    check_password(password, personal=(user.email, user.email.partition("@")[0], user.display_name))
    user.password_hash = hash_password(password)
    _audit(session, actor, AuditAction.PASSWORD_SET, f"user:{user.id}")


def mark_email_verified(session: Session, actor: Actor, user_id: int) -> None:
    """Record that the user's e-mail address is verified (by SSO, or a link they followed).

    Needs the user themselves or a platform beheerder (or the system). Raises UnknownUser.
    Does nothing (and audits nothing) when the address was verified already.
    """
    _require(can_manage_own_account(actor, user_id), "you may verify only your own address")
    user = _current_user(session, user_id)
    if user.email_verified:
        return
    user.email_verified = True
    session.flush()
    _audit(session, actor, AuditAction.EMAIL_VERIFIED, f"user:{user.id}")


def grant_role(
    session: Session, actor: Actor, user_id: int, role: PlatformRole, discipline: str | None = None
) -> RoleGrant:
    """Grant a platform role (a vakexpert's with its discipline); needs a platform beheerder.

    Raises PermissionDenied, UnknownUser, InvalidAccountData, DuplicateRoleGrant.
    """
    _require(can_grant_roles(actor), "only a platform beheerder may grant platform roles")
    user = _current_user(session, user_id)
    discipline = check_discipline(role, discipline)
    if _role_grant(session, user_id, role, discipline) is not None:
        label = f"{role.value}:{discipline}" if discipline else role.value
        raise DuplicateRoleGrant(f"{user.email} already has the role {label}")
    grant = RoleGrant(user_id=user.id, role=role, discipline=discipline, granted_at=utcnow())
    session.add(grant)
    session.flush()
    _audit(session, actor, AuditAction.ROLE_GRANTED, f"user:{user.id}",
           role=role.value, discipline=discipline)
    return grant


def revoke_role(
    session: Session, actor: Actor, user_id: int, role: PlatformRole, discipline: str | None = None
) -> None:
    """Take a platform role away; needs a platform beheerder. Raises UnknownRoleGrant when not held."""
    _require(can_grant_roles(actor), "only a platform beheerder may revoke platform roles")
    user = _current_user(session, user_id)
    discipline = check_discipline(role, discipline)
    grant = _role_grant(session, user_id, role, discipline)
    if grant is None:
        label = f"{role.value}:{discipline}" if discipline else role.value
        raise UnknownRoleGrant(f"{user.email} does not have the role {label}")
    session.delete(grant)
    _audit(session, actor, AuditAction.ROLE_REVOKED, f"user:{user.id}",
           role=role.value, discipline=discipline)


def _role_grant(
    session: Session, user_id: int, role: PlatformRole, discipline: str | None
) -> RoleGrant | None:
    return session.scalars(select(RoleGrant).where(
        RoleGrant.user_id == user_id,
        RoleGrant.role == role,
        RoleGrant.discipline.is_(None) if discipline is None else RoleGrant.discipline == discipline,
    )).first()


# -- organisations and members --------------------------------------------------------------------


def add_organisation(
    session: Session,
    actor: Actor,
    slug: str,
    name: str,
    kind: OrganisationKind | str,
    *,
    brin: str | None = None,
) -> Organisation:
    """A new organisation; needs a platform beheerder.

    Raises PermissionDenied, InvalidAccountData, DuplicateOrganisation.
    """
    _require(can_add_organisation(actor), "only a platform beheerder may add organisations")
    slug = check_slug(slug)
    organisation_kind = parse_organisation_kind(kind)
    if session.scalars(select(Organisation.id).where(Organisation.slug == slug)).first() is not None:
        raise DuplicateOrganisation(f"an organisation {slug!r} already exists")
    organisation = Organisation(
        slug=slug, name=check_name(name, what="an organisation's name"), kind=organisation_kind,
        brin=normalise_brin(brin), created_at=utcnow(),
    )
    session.add(organisation)
    session.flush()
    _audit(session, actor, AuditAction.ORGANISATION_ADDED, f"organisation:{organisation.id}",
           slug=slug, kind=organisation_kind.value, brin=organisation.brin)
    return organisation


def add_member(
    session: Session, actor: Actor, organisation_id: int, user_id: int, role: MemberRole | str
) -> Membership:
    """Make the user a member of the organisation: a platform beheerder or the organisation's beheerder.

    Raises PermissionDenied, UnknownOrganisation, UnknownUser, DuplicateMembership.
    """
    organisation = _organisation(session, organisation_id)
    _require(can_manage_members(actor, organisation.id),
             f"only a beheerder of {organisation.slug} may add its members")
    member_role = parse_member_role(role)
    user = _current_user(session, user_id)
    if _membership(session, organisation.id, user.id) is not None:
        raise DuplicateMembership(f"{user.email} is already a member of {organisation.slug}")
    membership = Membership(
        user_id=user.id, organisation_id=organisation.id, role=member_role, created_at=utcnow()
    )
    session.add(membership)
    session.flush()
    _audit(session, actor, AuditAction.MEMBER_ADDED, f"organisation:{organisation.id}",
           user_id=user.id, role=member_role.value)
    return membership


def change_member_role(
    session: Session, actor: Actor, organisation_id: int, user_id: int, role: MemberRole | str
) -> Membership:
    """Give a member another role; who may add members may. Raises UnknownMembership when not a member."""
    organisation = _organisation(session, organisation_id)
    _require(can_manage_members(actor, organisation.id),
             f"only a beheerder of {organisation.slug} may change its members' roles")
    member_role = parse_member_role(role)
    membership = _membership(session, organisation.id, user_id)
    if membership is None:
        raise UnknownMembership(f"user {user_id} is not a member of {organisation.slug}")
    before = membership.role
    membership.role = member_role
    _audit(session, actor, AuditAction.MEMBER_ROLE_CHANGED, f"organisation:{organisation.id}",
           user_id=user_id, role=member_role.value, before=before.value)
    return membership


def remove_member(session: Session, actor: Actor, organisation_id: int, user_id: int) -> None:
    """End a membership; who may add members may. Raises UnknownMembership when not a member."""
    organisation = _organisation(session, organisation_id)
    _require(can_manage_members(actor, organisation.id),
             f"only a beheerder of {organisation.slug} may remove its members")
    membership = _membership(session, organisation.id, user_id)
    if membership is None:
        raise UnknownMembership(f"user {user_id} is not a member of {organisation.slug}")
    session.delete(membership)
    _audit(session, actor, AuditAction.MEMBER_REMOVED, f"organisation:{organisation.id}",
           user_id=user_id, role=membership.role.value)


# -- API tokens -----------------------------------------------------------------------------------


def create_token(
    session: Session,
    actor: Actor,
    user_id: int,
    name: str,
    scopes: Iterable[TokenScope | str],
    *,
    organisation_id: int | None = None,
) -> CreatedToken:
    """A new API token of the user (made by the user themselves, or by the system operator).

    A token for an organisation needs the user to be its member. The secret is
    returned once; only its hash is stored. Raises PermissionDenied,
    UnknownUser, UnknownOrganisation, InvalidAccountData (name, scopes).
    """
    _require(can_create_token(actor, user_id), "you may create API tokens only for yourself")
    user = _current_user(session, user_id)
    token_name = check_name(name, what="a token's name", length=TOKEN_NAME_LENGTH)
    token_scopes = parse_scopes(scopes)
    if organisation_id is not None:
        organisation = _organisation(session, organisation_id)
        _require(_membership(session, organisation.id, user.id) is not None,
                 f"{user.email} is not a member of {organisation.slug}, so cannot have a token for it")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        user_id=user.id, name=token_name, organisation_id=organisation_id,
        scopes=sorted(scope.value for scope in token_scopes), secret_hash=hash_secret(secret),
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    _audit(session, actor, AuditAction.TOKEN_CREATED, f"token:{token.id}", user_id=user.id,
           organisation_id=organisation_id, scopes=token.scopes)
    return CreatedToken(token.id, user.id, token_name, organisation_id, token_scopes, secret)


def revoke_token(session: Session, actor: Actor, token_id: int) -> None:
    """Revoke a token for good: its owner or a platform beheerder. Revoking twice changes nothing.

    Raises UnknownToken, PermissionDenied.
    """
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UnknownToken(f"no API token with id {token_id}")
    _require(can_revoke_token(actor, token.user_id), "you may revoke only your own API tokens")
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    _audit(session, actor, AuditAction.TOKEN_REVOKED, f"token:{token.id}", user_id=token.user_id)


# A token's last use is recorded to the minute: a client calling many times a second writes it
# once a minute, not once a request (on SQLite every such write takes the one write lock, and a
# request that upgrades its read to a write meanwhile is refused).
TOKEN_USE_PRECISION = timedelta(minutes=1)


def authenticate_token(session: Session, secret: str) -> Actor:
    """The actor an API token stands for: its user's roles, limited to the token's scopes and organisation.

    Records when the token was last used (to the minute). Raises InvalidToken for a secret
    that is malformed, unknown, revoked, or of an erased user.
    """
    secret = secret.strip()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) <= len(TOKEN_PREFIX):
        raise InvalidToken(f"not an API token of this repository (they start with {TOKEN_PREFIX})")
    # Found by its hash: the secret itself is never compared, so there is no timing to measure.
    token = session.scalars(
        select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret))
        .options(selectinload(ApiToken.user).selectinload(User.roles),
                 selectinload(ApiToken.user).selectinload(User.memberships))
    ).first()
    if token is None:
        raise InvalidToken("unknown API token")
    if token.revoked_at is not None:
        raise InvalidToken("this API token was revoked")
    if token.user.deleted_at is not None:
        raise InvalidToken("this API token's user no longer exists")
    now = utcnow()
    last = token.last_used_at
    if last is None or now - last >= TOKEN_USE_PRECISION:
        token.last_used_at = now
    user_actor = actor_of(token.user, via="token")
    return Actor(
        user_id=user_actor.user_id,
        grants=user_actor.grants,
        memberships=user_actor.memberships,
        scopes=frozenset(TokenScope(scope) for scope in token.scopes),
        token_organisation_id=token.organisation_id,
        token_id=token.id,
        via="token",
    )


# -- self-service: registration, sign-in, e-mailed links -----------------------------------------
# These act for the person at the keyboard, who is not signed in yet: the audit log records
# them with no actor and `via` = the channel (web).

# A real hash of nothing, verified against when the address is unknown, so a wrong address
# costs as long as a wrong password and the timing tells nothing about who is registered.
_NO_USER_HASH = hash_password("no such user: this hash only spends the time of a real one")


@dataclass(frozen=True)
class Registration:
    """What registering did: a new user, or nothing because the address is already in use."""

    user_id: int
    created: bool
    # The address as stored (normalised): where the confirmation, or the notice, goes.
    email: str


def register(
    session: Session, email: str, display_name: str, password: str, *,
    locale: Locale = Locale.NL, via: str = "web",
) -> Registration:
    """Sign up with a password; the address is unverified until its link is followed.

    An address already registered creates nothing and raises nothing: the
    caller answers the same either way (and mails the owner instead).
    Raises InvalidAccountData, WeakPassword.
    """
    address = normalise_email(email)
    name = check_name(display_name, what="a display name")
    check_password(password, personal=(address, address.partition("@")[0], name))
    existing = session.scalars(select(User).where(User.email == address)).first()
    if existing is not None:
        return Registration(existing.id, created=False, email=existing.email)
    user = User(
        email=address, display_name=name, email_verified=False, locale=locale,
        password_hash=hash_password(password), created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    _audit(session, system_actor(via), AuditAction.USER_REGISTERED, f"user:{user.id}")
    return Registration(user.id, created=True, email=user.email)


def confirm_email(session: Session, user_id: int, email: str, *, via: str = "web") -> None:
    """Mark the address verified, if it is still the user's (the link names the address)."""
    user = _current_user(session, user_id)
    if user.email != normalise_email(email):
        raise InvalidLink("this link is for an address the account no longer has")
    mark_email_verified(session, system_actor(via), user.id)


def check_sign_in(session: Session, email: str, password: str) -> int:
    """The id of the user these credentials sign in; SignInFailed or EmailNotVerified otherwise.

    Upgrades the stored hash when its parameters are out of date.
    """
    try:
        address = normalise_email(email)
    except InvalidAccountData:
        address = ""
    user = session.scalars(
        select(User).where(User.email == address, User.deleted_at.is_(None))
    ).first() if address else None
    if user is None or user.password_hash is None:
        verify_password(_NO_USER_HASH, password)
        raise SignInFailed("wrong e-mail address or password")
    if not verify_password(user.password_hash, password):
        raise SignInFailed("wrong e-mail address or password")
    if not user.email_verified:
        raise EmailNotVerified("confirm your e-mail address first: follow the link in the mail")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user.id


def reset_password(
    session: Session, user_id: int, fingerprint: str, password: str, *, via: str = "web",
) -> None:
    """Set a new password through a reset link; a link whose fingerprint is stale was used already.

    Following the link proves the address, so it is marked verified too.
    Raises InvalidLink, UnknownUser, WeakPassword.
    """
    user = _current_user(session, user_id)
    if password_fingerprint(user.password_hash) != fingerprint:
        raise InvalidLink("this link was used already, or the password changed since it was sent")
    check_password(password, personal=(user.email, user.email.partition("@")[0], user.display_name))
    user.password_hash = hash_password(password)
    user.email_verified = True
    _audit(session, system_actor(via), AuditAction.PASSWORD_SET, f"user:{user.id}", reset=True)


def change_email(session: Session, actor: Actor, user_id: int, new_email: str) -> None:
    """Take the new address (confirmed by its link, so it is verified). Raises DuplicateUser too."""
    _require(can_manage_own_account(actor, user_id), "you may change only your own address")
    user = _current_user(session, user_id)
    address = normalise_email(new_email)
    if address == user.email:
        return
    if session.scalars(select(User.id).where(User.email == address)).first() is not None:
        raise DuplicateUser(f"a user with e-mail address {address} already exists")
    user.email = address
    user.email_verified = True
    _audit(session, actor, AuditAction.EMAIL_CHANGED, f"user:{user.id}")


def accept_invitation(
    session: Session, actor: Actor, organisation_id: int, email: str, role: MemberRole | str,
    *, invited_by: int,
) -> Membership | None:
    """Join an organisation through an e-mailed invitation, as the signed-in user it was sent to.

    The invitation names the address; only the user who has it (verified) may
    accept. Already a member: nothing changes (None). The audit log records the
    member as added by whoever sent the invitation.
    Raises PermissionDenied, UnknownUser, UnknownOrganisation.
    """
    if actor.user_id is None:
        raise PermissionDenied("sign in to accept an invitation")
    user = _current_user(session, actor.user_id)
    _require(user.email == normalise_email(email) and user.email_verified,
             "this invitation was sent to another address")
    organisation = _organisation(session, organisation_id)
    if _membership(session, organisation.id, user.id) is not None:
        return None
    membership = Membership(organisation_id=organisation.id, user_id=user.id,
                            role=parse_member_role(role), created_at=utcnow())
    session.add(membership)
    session.flush()
    _audit(session, actor, AuditAction.MEMBER_ADDED, f"organisation:{organisation.id}",
           user_id=user.id, role=membership.role.value, invited_by=invited_by)
    return membership


# -- AVG: erasure and export ----------------------------------------------------------------------


def delete_user(session: Session, actor: Actor, user_id: int) -> None:
    """Erase a user's personal data (AVG art. 17): the user themselves or a platform beheerder.

    Address and name are replaced, the password cleared, tokens revoked,
    memberships and platform roles removed; the row stays, marked deleted, so
    what other domains link to it keeps its reference. Raises PermissionDenied,
    UnknownUser (also for a user erased already).
    """
    _require(can_manage_own_account(actor, user_id), "you may delete only your own account")
    user = _current_user(session, user_id)
    now = utcnow()
    revoked = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            revoked += 1
    organisations = sorted(m.organisation_id for m in user.memberships)
    roles = sorted(role_label(Grant(grant.role, grant.discipline)) for grant in user.roles)
    user.memberships.clear()
    user.roles.clear()
    user.email = f"former-user-{user.id}@deleted.invalid"
    user.display_name = FORMER_USER_NAME
    user.password_hash = None
    user.email_verified = False
    user.deleted_at = now
    _audit(session, actor, AuditAction.USER_DELETED, f"user:{user.id}", tokens_revoked=revoked,
           memberships_removed=organisations, roles_removed=roles)
    session.flush()


def export_user_data(session: Session, actor: Actor, user_id: int) -> dict[str, Any]:
    """Everything kept about a user, as JSON-able values (AVG art. 15 and 20).

    The account, platform roles, memberships, API tokens (without secrets or
    hashes) and the audit entries about or by the user. The user themselves
    or a platform beheerder; the export is itself logged. Raises
    PermissionDenied, UnknownUser.
    """
    _require(can_manage_own_account(actor, user_id), "you may export only your own data")
    _current_user(session, user_id)
    view = get_user(session, user_id)
    about = audit_log(session, subject=f"user:{user_id}", size=EXPORTED_AUDIT_ENTRIES).entries
    by = audit_log(session, actor_id=user_id, size=EXPORTED_AUDIT_ENTRIES).entries
    entries = sorted({entry.id: entry for entry in (*about, *by)}.values(), key=lambda e: e.id)
    exported = {
        "exported_at": _iso(utcnow()),
        "user": view.to_dict(),
        "memberships": [
            {"organisation": m.slug, "name": m.name, "role": m.role.value} for m in view.memberships
        ],
        "tokens": [
            {
                "id": token.id, "name": token.name, "organisation_id": token.organisation_id,
                "scopes": sorted(scope.value for scope in token.scopes),
                "created_at": _iso(token.created_at), "last_used_at": _iso(token.last_used_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in list_tokens(session, user_id)
        ],
        "audit": [entry.to_dict() for entry in entries],
    }
    _audit(session, actor, AuditAction.USER_EXPORTED, f"user:{user_id}")
    session.flush()
    return exported


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
