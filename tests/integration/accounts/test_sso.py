"""Signing in with OpenID Connect claims, on the store (SQLite and PostgreSQL): create, link, membership."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.errors import UnverifiedSsoEmail
from oer.accounts.models import MemberRole, OrganisationKind
from oer.accounts.queries import audit_log, find_user_by_email, get_organisation, get_user
from oer.accounts.sso import sign_in_with_oidc
from tests.support.accounts import PASSWORD

CLAIM = "schac_home_organization"


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "anna", "email": "Anna@School.NL", "email_verified": True, "name": "Anna de Vries", **extra}


def test_a_first_sign_in_creates_a_verified_user_without_a_password(store_session: Session) -> None:
    user_id = sign_in_with_oidc(store_session, claims(), organisation_claim=CLAIM)
    store_session.commit()

    view = get_user(store_session, user_id)
    assert (view.email, view.display_name, view.email_verified, view.has_password) == (
        "anna@school.nl", "Anna de Vries", True, False)
    (entry,) = audit_log(store_session, subject=f"user:{user_id}").entries
    assert (entry.action.value, entry.via, entry.actor_id) == ("user.added", "sso", None)


def test_a_second_sign_in_links_the_same_user(store_session: Session) -> None:
    first = sign_in_with_oidc(store_session, claims(), organisation_claim=CLAIM)
    store_session.commit()
    second = sign_in_with_oidc(store_session, claims(email="ANNA@school.nl"), organisation_claim=CLAIM)
    store_session.commit()

    assert second == first
    assert len(audit_log(store_session, subject=f"user:{first}").entries) == 1


def test_an_existing_password_user_is_linked_and_their_address_marked_verified(store_session: Session) -> None:
    existing = service.add_user(store_session, SYSTEM, "anna@school.nl", "Anna", password=PASSWORD).id
    store_session.commit()

    assert sign_in_with_oidc(store_session, claims(), organisation_claim=CLAIM) == existing
    store_session.commit()
    view = get_user(store_session, existing)
    assert view.email_verified and view.has_password and view.display_name == "Anna"
    actions = [(e.action.value, e.via) for e in audit_log(store_session, subject=f"user:{existing}").entries]
    assert actions == [("user.email_verified", "sso"), ("user.added", "cli")]


@pytest.mark.parametrize("value", ["12AB", "12ab", "het-lyceum", ["elders.nl", "12Ab"]])
def test_the_organisation_claim_makes_the_user_a_lid_by_brin_or_slug(store_session: Session, value: Any) -> None:
    service.add_organisation(store_session, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL,
                             brin="12ab")
    service.add_organisation(store_session, SYSTEM, "de-andere-school", "De Andere School",
                             OrganisationKind.SCHOOL, brin="99zz")
    store_session.commit()

    user_id = sign_in_with_oidc(store_session, claims(**{CLAIM: value}), organisation_claim=CLAIM)
    store_session.commit()
    again = sign_in_with_oidc(store_session, claims(**{CLAIM: value}), organisation_claim=CLAIM)
    store_session.commit()

    assert again == user_id
    members = get_organisation(store_session, "het-lyceum").members
    assert [(m.user_id, m.role) for m in members] == [(user_id, MemberRole.LID)]
    assert get_organisation(store_session, "de-andere-school").members == ()


def test_an_existing_role_in_the_organisation_is_kept(store_session: Session) -> None:
    school = service.add_organisation(store_session, SYSTEM, "het-lyceum", "Het Lyceum",
                                      OrganisationKind.SCHOOL, brin="12ab").id
    anna = service.add_user(store_session, SYSTEM, "anna@school.nl", "Anna").id
    service.add_member(store_session, SYSTEM, school, anna, MemberRole.REDACTEUR)
    store_session.commit()

    sign_in_with_oidc(store_session, claims(**{CLAIM: "12AB"}), organisation_claim=CLAIM)
    store_session.commit()
    members = get_organisation(store_session, "het-lyceum").members
    assert [(m.user_id, m.role) for m in members] == [(anna, MemberRole.REDACTEUR)]


def test_an_unknown_organisation_value_adds_no_membership(store_session: Session) -> None:
    service.add_organisation(store_session, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL,
                             brin="12ab")
    store_session.commit()
    sign_in_with_oidc(store_session, claims(**{CLAIM: "onbekend.nl"}), organisation_claim=CLAIM)
    store_session.commit()
    assert get_organisation(store_session, "het-lyceum").members == ()


def test_another_claim_name_is_read_when_configured(store_session: Session) -> None:
    service.add_organisation(store_session, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL)
    store_session.commit()
    user_id = sign_in_with_oidc(store_session, claims(school="het-lyceum", **{CLAIM: "x"}),
                                organisation_claim="school")
    store_session.commit()
    assert [m.user_id for m in get_organisation(store_session, "het-lyceum").members] == [user_id]


@pytest.mark.parametrize("bad", [
    {"email_verified": False},
    {"email_verified": "true"},
    {"email_verified": None},
    {"email": None},
    {"email": "  "},
])
def test_an_unverified_or_missing_address_is_refused_and_nothing_is_written(
    store_session: Session, bad: dict[str, Any]
) -> None:
    given = {key: value for key, value in claims(**bad).items() if value is not None}
    with pytest.raises(UnverifiedSsoEmail):
        sign_in_with_oidc(store_session, given, organisation_claim=CLAIM)
    assert find_user_by_email(store_session, "anna@school.nl") is None


def test_an_unverified_address_does_not_take_over_an_existing_account(store_session: Session) -> None:
    existing = service.add_user(store_session, SYSTEM, "anna@school.nl", "Anna", password=PASSWORD).id
    store_session.commit()
    with pytest.raises(UnverifiedSsoEmail, match="not verified"):
        sign_in_with_oidc(store_session, claims(email_verified=False), organisation_claim=CLAIM)
    assert not get_user(store_session, existing).email_verified
