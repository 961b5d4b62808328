"""Reading and checking what people type about accounts: e-mail addresses, names, slugs, BRIN codes, roles, scopes. Pure; no I/O.

Each function returns the normalised value or raises InvalidAccountData with
a message that says what is wrong and what is expected.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import TypeVar

from oer.accounts.errors import InvalidAccountData
from oer.accounts.models import (
    EMAIL_LENGTH,
    MemberRole,
    OrganisationKind,
    PlatformRole,
    TokenScope,
)

# Deliberately loose: an address is proven by the mail sent to it, not by a pattern. This only
# catches what is certainly not one (no @, spaces, no dot in the domain).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# DUO's BRIN: two digits and two letters, optionally a two-digit branch number.
_BRIN = re.compile(r"^[0-9]{2}[A-Z]{2}(?:[0-9]{2})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NAME_LENGTH = 200
TOKEN_NAME_LENGTH = 100
DISCIPLINE_LENGTH = 100

E = TypeVar("E", bound=enum.Enum)


def normalise_email(email: str) -> str:
    """The address trimmed and in lower case: the form stored, so uniqueness ignores case."""
    address = email.strip().lower()
    if len(address) > EMAIL_LENGTH or not _EMAIL.match(address):
        raise InvalidAccountData(f"{email.strip()!r} is not an e-mail address")
    return address


def check_name(name: str, *, what: str = "a name", length: int = NAME_LENGTH) -> str:
    """A display or organisation name, trimmed: 1 to `length` characters, no control characters."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidAccountData(f"{what} may not be empty")
    if len(cleaned) > length:
        raise InvalidAccountData(f"{what} may have at most {length} characters")
    if _CONTROL.search(cleaned):
        raise InvalidAccountData(f"{what} may not contain control characters")
    return cleaned


def check_slug(slug: str) -> str:
    """An organisation's slug: lower-case letters, digits and inner hyphens, at most 64."""
    cleaned = slug.strip()
    if not _SLUG.match(cleaned):
        raise InvalidAccountData(
            f"organisation slug {cleaned!r} must be lower-case letters, digits and hyphens "
            "(not at either end), at most 64 characters"
        )
    return cleaned


def normalise_brin(brin: str | None) -> str | None:
    """A BRIN code in upper case (`12AB`, `12AB01`), or None for none given."""
    if brin is None or not brin.strip():
        return None
    code = brin.strip().upper()
    if not _BRIN.match(code):
        raise InvalidAccountData(
            f"{brin.strip()!r} is not a BRIN code (two digits and two letters, optionally a "
            "two-digit branch: 12AB or 12AB01)"
        )
    return code


def _member_of(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        known = ", ".join(str(member.value) for member in kind)
        raise InvalidAccountData(f"unknown {what} {value.strip()!r} (known: {known})") from None


def parse_member_role(value: str | MemberRole) -> MemberRole:
    return value if isinstance(value, MemberRole) else _member_of(MemberRole, value, "member role")


def parse_organisation_kind(value: str | OrganisationKind) -> OrganisationKind:
    if isinstance(value, OrganisationKind):
        return value
    return _member_of(OrganisationKind, value, "organisation kind")


def check_discipline(role: PlatformRole, discipline: str | None) -> str | None:
    """The grant's discipline in lower case: required for a vakexpert, refused for the others."""
    if role is not PlatformRole.VAKEXPERT:
        if discipline is not None and discipline.strip():
            raise InvalidAccountData(f"the {role.value} role has no discipline; only vakexpert does")
        return None
    if discipline is None or not discipline.strip():
        raise InvalidAccountData("the vakexpert role needs a discipline: vakexpert:DISCIPLINE")
    return check_name(discipline, what="a discipline", length=DISCIPLINE_LENGTH).lower()


def parse_platform_role(spec: str) -> tuple[PlatformRole, str | None]:
    """`beheerder`, `redactie` or `vakexpert:DISCIPLINE` as (role, discipline)."""
    name, _, discipline = spec.partition(":")
    role = _member_of(PlatformRole, name, "platform role")
    return role, check_discipline(role, discipline if discipline.strip() else None)


def parse_scopes(scopes: Iterable[str | TokenScope]) -> frozenset[TokenScope]:
    """At least one of publish, annotate, curate."""
    parsed: set[TokenScope] = set()
    for scope in scopes:
        if isinstance(scope, TokenScope):
            parsed.add(scope)
            continue
        parsed.add(_member_of(TokenScope, scope, "token scope"))
    if not parsed:
        raise InvalidAccountData("a token needs at least one scope: publish, annotate or curate")
    return frozenset(parsed)
