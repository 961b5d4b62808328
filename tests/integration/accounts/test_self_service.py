"""The self-service use cases of the accounts service: register, confirm, sign in, reset, change address."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.errors import (
    DuplicateUser,
    EmailNotVerified,
    InvalidLink,
    PermissionDenied,
    SignInFailed,
    WeakPassword,
)
from oer.accounts.links import (
    LinkPurpose,
    make_link_token,
    password_fingerprint,
    read_link_token,
)
from oer.accounts.models import AuditAction, MemberRole, User
from oer.accounts.queries import audit_log, load_actor
from tests.support.accounts import PASSWORD, People


def test_register_then_confirm_then_sign_in(store_session: Session) -> None:
    registration = service.register(store_session, " Tess@School.example.org ", "Tess", PASSWORD)
    assert registration.created
    with pytest.raises(EmailNotVerified):
        service.check_sign_in(store_session, "tess@school.example.org", PASSWORD)
    service.confirm_email(store_session, registration.user_id, "tess@school.example.org")
    assert service.check_sign_in(store_session, "TESS@school.example.org", PASSWORD) == registration.user_id
    actions = [entry.action for entry in audit_log(store_session).entries]
    assert AuditAction.USER_REGISTERED in actions and AuditAction.EMAIL_VERIFIED in actions


def test_registering_an_address_in_use_creates_nothing(store_session: Session, people: People) -> None:
    again = service.register(store_session, "RIK@school.example.org", "Iemand", "nog-een-lang-wachtwoord")
    assert not again.created and again.user_id == people.redacteur
    assert store_session.get(User, people.redacteur).display_name == "Rik Redacteur"


def test_register_applies_the_password_policy(store_session: Session) -> None:
    with pytest.raises(WeakPassword):
        service.register(store_session, "tess@school.example.org", "Tess", "tess-school-tess")
    with pytest.raises(WeakPassword):
        service.register(store_session, "tess@school.example.org", "Tess", "kort")


def test_sign_in_refuses_wrong_password_unknown_address_and_erased_user(
    store_session: Session, people: People,
) -> None:
    service.set_password(store_session, SYSTEM, people.lid, PASSWORD)
    store_session.get(User, people.lid).email_verified = True
    assert service.check_sign_in(store_session, "lisa@school.example.org", PASSWORD) == people.lid
    for email, password in (("lisa@school.example.org", "fout-wachtwoord-hier"),
                            ("niemand@school.example.org", PASSWORD), ("geen adres", PASSWORD)):
        with pytest.raises(SignInFailed):
            service.check_sign_in(store_session, email, password)
    service.delete_user(store_session, SYSTEM, people.lid)
    with pytest.raises(SignInFailed):
        service.check_sign_in(store_session, "lisa@school.example.org", PASSWORD)


def test_a_reset_works_once_with_the_fingerprint_it_was_issued_for(store_session: Session, people: People) -> None:
    user = store_session.get(User, people.lid)
    fingerprint = password_fingerprint(user.password_hash)
    service.reset_password(store_session, people.lid, fingerprint, "een-nieuw-lang-wachtwoord")
    assert user.email_verified, "following a mailed link proves the address"
    with pytest.raises(InvalidLink):
        service.reset_password(store_session, people.lid, fingerprint, "nog-een-nieuw-wachtwoord")


def test_link_tokens_are_bound_to_their_purpose_and_secret() -> None:
    token = make_link_token("geheim", LinkPurpose.RESET_PASSWORD, {"user": 1, "fp": "x"})
    assert read_link_token("geheim", LinkPurpose.RESET_PASSWORD, token) == {"user": 1, "fp": "x"}
    with pytest.raises(InvalidLink):
        read_link_token("geheim", LinkPurpose.VERIFY_EMAIL, token)
    with pytest.raises(InvalidLink):
        read_link_token("ander-geheim", LinkPurpose.RESET_PASSWORD, token)


def test_change_email_is_the_users_own_and_refuses_a_taken_address(store_session: Session, people: People) -> None:
    lisa = people.actor(people.lid)
    service.change_email(store_session, lisa, people.lid, "lisa.nieuw@school.example.org")
    assert store_session.get(User, people.lid).email == "lisa.nieuw@school.example.org"
    with pytest.raises(DuplicateUser):
        service.change_email(store_session, lisa, people.lid, "rik@school.example.org")
    with pytest.raises(PermissionDenied):
        service.change_email(store_session, lisa, people.redacteur, "rik.weg@school.example.org")


def test_an_invitation_is_accepted_only_by_its_addressee(store_session: Session, people: People) -> None:
    outsider = store_session.get(User, people.outsider)
    outsider.email_verified = True
    with pytest.raises(PermissionDenied):
        service.accept_invitation(store_session, people.actor(people.lid), people.school,
                                  outsider.email, MemberRole.REDACTEUR, invited_by=people.org_beheerder)
    joined = service.accept_invitation(store_session, load_actor(store_session, people.outsider), people.school,
                                       outsider.email, MemberRole.REDACTEUR, invited_by=people.org_beheerder)
    assert joined is not None and joined.role is MemberRole.REDACTEUR
    again = service.accept_invitation(store_session, load_actor(store_session, people.outsider), people.school,
                                      outsider.email, MemberRole.BEHEERDER, invited_by=people.org_beheerder)
    assert again is None, "already a member: the invitation changes nothing"
