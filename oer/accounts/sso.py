"""Signing in through an OpenID Connect provider: who the claims are, on the store. I/O: database.

The web layer checks the provider's response (state, PKCE, the ID token) and hands
the claims here. A user is found by e-mail address only when the provider vouches
for it (`email_verified`); an address the provider has not verified is refused, or
anyone could take over an account by registering its address elsewhere. The
organisation claim (SURFconext's `schac_home_organization`) makes the user a `lid`
of the organisation whose BRIN code (in any letter case) or slug it names.
Every write goes through the accounts service, as the system via `sso`, and is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from oer.accounts import service
from oer.accounts.actor import system_actor
from oer.accounts.errors import UnverifiedSsoEmail
from oer.accounts.models import MemberRole, Membership, Organisation
from oer.accounts.queries import find_user_by_email

SSO = system_actor("sso")


def _organisation_values(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _organisations_named(session: Session, values: list[str]) -> list[Organisation]:
    if not values:
        return []
    lowered = [v.lower() for v in values]
    query = select(Organisation).where(or_(
        func.lower(Organisation.brin).in_(lowered), Organisation.slug.in_(values),
    )).order_by(Organisation.id)
    return list(session.scalars(query))


def sign_in_with_oidc(session: Session, claims: Mapping[str, Any], *, organisation_claim: str) -> int:
    """The id of the user these claims stand for: linked by address, or created without a password.

    Raises UnverifiedSsoEmail when the claims carry no e-mail address or `email_verified`
    is not true. The caller commits.
    """
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise UnverifiedSsoEmail("the identity provider gave no e-mail address")
    if claims.get("email_verified") is not True:
        raise UnverifiedSsoEmail(f"the identity provider has not verified the address {email.strip()}")
    existing = find_user_by_email(session, email)
    if existing is not None:
        user_id = existing.id
        service.mark_email_verified(session, SSO, user_id)
    else:
        name = claims.get("name")
        if not isinstance(name, str) or not name.strip():
            name = email.strip().partition("@")[0]
        user_id = service.add_user(session, SSO, email, name, email_verified=True).id
    for organisation in _organisations_named(session, _organisation_values(claims.get(organisation_claim))):
        member = session.scalars(select(Membership.id).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id)).first()
        if member is None:
            service.add_member(session, SSO, organisation.id, user_id, MemberRole.LID)
    return user_id
