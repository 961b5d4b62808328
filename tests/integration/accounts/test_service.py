"""The accounts service on the store, on SQLite and PostgreSQL: who may do what, tokens, erasure, export, audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from oer.accounts import service
from oer.accounts.actor import SYSTEM, can_publish_for
from oer.accounts.errors import (
    DuplicateMembership,
    DuplicateOrganisation,
    DuplicateRoleGrant,
    DuplicateUser,
    InvalidAccountData,
    InvalidToken,
    PermissionDenied,
    UnknownUser,
    WeakPassword,
)
from oer.accounts.models import (
    ApiToken,
    AuditAction,
    MemberRole,
    Membership,
    OrganisationKind,
    PlatformRole,
    RoleGrant,
    TokenScope,
    User,
)
from oer.accounts.passwords import verify_password
from oer.accounts.queries import (
    audit_log,
    find_user_by_email,
    get_organisation,
    get_user,
    get_user_by_email,
    list_tokens,
    list_users,
)
from tests.support.accounts import PASSWORD, People

# -- users ----------------------------------------------------------------------------------------


def test_a_user_is_stored_with_a_normalised_address_and_a_hashed_password(store_session: Session) -> None:
    user = service.add_user(store_session, SYSTEM, "  Anna.DeVries@School.NL ", "Anna de Vries", password=PASSWORD)
    store_session.commit()

    view = get_user_by_email(store_session, "ANNA.devries@school.nl")
    assert (view.id, view.email, view.display_name, view.has_password) == (
        user.id, "anna.devries@school.nl", "Anna de Vries", True)
    assert view.locale.value == "nl" and not view.email_verified and view.deleted_at is None
    assert user.password_hash is not None and PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)


def test_a_duplicate_address_is_refused_in_any_letter_case(store_session: Session) -> None:
    service.add_user(store_session, SYSTEM, "jan@school.nl", "Jan")
    store_session.commit()
    with pytest.raises(DuplicateUser, match=r"jan@school\.nl already exists"):
        service.add_user(store_session, SYSTEM, "JAN@School.nl", "Jan Twee")


def test_the_store_refuses_an_address_twice_even_past_the_service(store_session: Session) -> None:
    service.add_user(store_session, SYSTEM, "jan@school.nl", "Jan")
    store_session.commit()
    store_session.add(User(email="jan@school.nl", display_name="Jan", locale=service.Locale.NL))
    with pytest.raises(IntegrityError):
        store_session.flush()


@pytest.mark.parametrize(("password", "message"), [
    ("kort-wachtw", "at least 12 characters"),
    ("qwerty123456", "most commonly used"),
    ("Anna-is-de-beste", "e-mail address or name"),
])
def test_a_weak_or_common_password_is_refused(store_session: Session, password: str, message: str) -> None:
    with pytest.raises(WeakPassword, match=message):
        service.add_user(store_session, SYSTEM, "anna@school.nl", "Anna", password=password)
    assert find_user_by_email(store_session, "anna@school.nl") is None


def test_passwords_are_set_by_the_user_or_a_beheerder(people: People) -> None:
    session = people.session
    service.set_password(session, people.actor(people.lid), people.lid, PASSWORD)
    service.set_password(session, people.actor(people.beheerder), people.lid, PASSWORD + "!")
    with pytest.raises(PermissionDenied, match="only your own password"):
        service.set_password(session, people.actor(people.redacteur), people.lid, PASSWORD)
    with pytest.raises(WeakPassword):
        service.set_password(session, people.actor(people.lid), people.lid, "123456789abc"[:11])
    user = session.get(User, people.lid)
    assert user is not None and user.password_hash and verify_password(user.password_hash, PASSWORD + "!")


def test_only_a_platform_beheerder_adds_users(people: People) -> None:
    service.add_user(people.session, people.actor(people.beheerder), "nieuw@school.nl", "Nieuw")
    for refused in (people.org_beheerder, people.redacteur, people.outsider):
        with pytest.raises(PermissionDenied, match="only a platform beheerder may add users"):
            service.add_user(people.session, people.actor(refused), "ander@school.nl", "Ander")


# -- platform roles ---------------------------------------------------------------------------------


def test_platform_roles_are_granted_and_revoked_by_a_platform_beheerder(people: People) -> None:
    session, beheerder = people.session, people.actor(people.beheerder)
    service.grant_role(session, beheerder, people.outsider, PlatformRole.VAKEXPERT, "Wiskunde")
    service.grant_role(session, beheerder, people.outsider, PlatformRole.VAKEXPERT, "biologie")
    service.grant_role(session, beheerder, people.outsider, PlatformRole.REDACTIE)
    with pytest.raises(DuplicateRoleGrant, match="already has the role vakexpert:wiskunde"):
        service.grant_role(session, beheerder, people.outsider, PlatformRole.VAKEXPERT, "WISKUNDE")
    with pytest.raises(DuplicateRoleGrant, match="already has the role redactie"):
        service.grant_role(session, beheerder, people.outsider, PlatformRole.REDACTIE)
    with pytest.raises(InvalidAccountData, match="needs a discipline"):
        service.grant_role(session, beheerder, people.outsider, PlatformRole.VAKEXPERT)
    assert people.actor(people.outsider).disciplines() == {"wiskunde", "biologie"}

    service.revoke_role(session, beheerder, people.outsider, PlatformRole.VAKEXPERT, "biologie")
    assert people.actor(people.outsider).disciplines() == {"wiskunde"}


def test_an_org_beheerder_adds_members_but_grants_no_platform_roles(people: People) -> None:
    session, org_beheerder = people.session, people.actor(people.org_beheerder)
    service.add_member(session, org_beheerder, people.school, people.outsider, MemberRole.REDACTEUR)
    with pytest.raises(PermissionDenied, match="only a platform beheerder may grant platform roles"):
        service.grant_role(session, org_beheerder, people.outsider, PlatformRole.REDACTIE)
    with pytest.raises(PermissionDenied, match="only a platform beheerder may revoke"):
        service.revoke_role(session, org_beheerder, people.beheerder, PlatformRole.BEHEERDER)
    with pytest.raises(PermissionDenied, match="only a platform beheerder may add organisations"):
        service.add_organisation(session, org_beheerder, "nog-een", "Nog een", OrganisationKind.SCHOOL)
    assert session.scalar(select(func.count()).select_from(RoleGrant)) == 1


# -- organisations and members ----------------------------------------------------------------------


def test_an_organisation_with_its_members(people: People) -> None:
    school = get_organisation(people.session, "het-lyceum")
    assert (school.name, school.kind, school.brin) == ("Het Lyceum", OrganisationKind.SCHOOL, "12AB")
    assert {(m.email, m.role) for m in school.members} == {
        ("olga@school.example.org", MemberRole.BEHEERDER),
        ("rik@school.example.org", MemberRole.REDACTEUR),
        ("lisa@school.example.org", MemberRole.LID),
    }
    with pytest.raises(DuplicateOrganisation):
        service.add_organisation(people.session, SYSTEM, "het-lyceum", "Ander", "school")
    with pytest.raises(InvalidAccountData, match="unknown organisation kind 'club'"):
        service.add_organisation(people.session, SYSTEM, "club", "Club", "club")
    with pytest.raises(InvalidAccountData, match="slug 'Het Lyceum'"):
        service.add_organisation(people.session, SYSTEM, "Het Lyceum", "Club", "school")


def test_a_lid_and_a_redacteur_may_not_manage_members(people: People) -> None:
    session = people.session
    for refused in (people.lid, people.redacteur, people.outsider):
        with pytest.raises(PermissionDenied, match="only a beheerder of het-lyceum"):
            service.add_member(session, people.actor(refused), people.school, people.outsider, "lid")
        with pytest.raises(PermissionDenied):
            service.change_member_role(session, people.actor(refused), people.school, people.lid, "beheerder")
        with pytest.raises(PermissionDenied):
            service.remove_member(session, people.actor(refused), people.school, people.lid)


def test_a_lid_may_not_publish_what_a_redacteur_may(people: People) -> None:
    assert can_publish_for(people.actor(people.redacteur), people.school)
    assert can_publish_for(people.actor(people.org_beheerder), people.school)
    assert not can_publish_for(people.actor(people.lid), people.school)

    service.change_member_role(people.session, people.actor(people.org_beheerder), people.school,
                               people.lid, MemberRole.REDACTEUR)
    assert can_publish_for(people.actor(people.lid), people.school)


def test_members_are_changed_and_removed_by_the_org_or_platform_beheerder(people: People) -> None:
    session = people.session
    with pytest.raises(DuplicateMembership):
        service.add_member(session, people.actor(people.org_beheerder), people.school, people.lid, "lid")
    service.change_member_role(session, people.actor(people.beheerder), people.school, people.lid, "redacteur")
    service.remove_member(session, people.actor(people.org_beheerder), people.school, people.lid)
    assert people.actor(people.lid).role_in(people.school) is None


# -- API tokens ---------------------------------------------------------------------------------


def test_a_token_secret_is_shown_once_and_only_its_hash_stored(people: People) -> None:
    session = people.session
    created = service.create_token(session, people.actor(people.redacteur), people.redacteur, "upload script",
                                   ["publish"], organisation_id=people.school)
    session.commit()

    assert created.secret.startswith("oer_") and len(created.secret) > 40
    row = session.get(ApiToken, created.id)
    assert row is not None and row.secret_hash == service.hash_secret(created.secret)
    stored = json.dumps([str(value) for value in session.execute(select(ApiToken.__table__)).one()])
    assert created.secret not in stored and created.secret[4:] not in stored
    [listed] = list_tokens(session, people.redacteur)
    assert not hasattr(listed, "secret") and not hasattr(listed, "secret_hash")

    actor = service.authenticate_token(session, created.secret)
    assert (actor.user_id, actor.scopes, actor.token_organisation_id, actor.via) == (
        people.redacteur, {TokenScope.PUBLISH}, people.school, "token")
    token = session.get(ApiToken, created.id)
    assert token is not None and token.last_used_at is not None
    # Used again within the minute: not written again; a minute later it is.
    first = token.last_used_at
    service.authenticate_token(session, created.secret)
    assert token.last_used_at == first
    token.last_used_at = first - service.TOKEN_USE_PRECISION
    service.authenticate_token(session, created.secret)
    assert token.last_used_at > first


def test_token_scopes_are_checked(people: People) -> None:
    session = people.session
    with pytest.raises(InvalidAccountData, match="unknown token scope 'admin'"):
        service.create_token(session, people.actor(people.redacteur), people.redacteur, "x", ["admin"])
    with pytest.raises(InvalidAccountData, match="at least one scope"):
        service.create_token(session, people.actor(people.redacteur), people.redacteur, "x", [])
    annotate_only = service.create_token(session, people.actor(people.redacteur), people.redacteur, "x", ["annotate"])
    actor = service.authenticate_token(session, annotate_only.secret)
    assert not can_publish_for(actor, people.school), "a redacteur's token without publish"
    lid_token = service.create_token(session, people.actor(people.lid), people.lid, "x", ["publish"])
    assert not can_publish_for(service.authenticate_token(session, lid_token.secret), people.school)


def test_tokens_are_made_only_by_their_user_and_not_with_a_token(people: People) -> None:
    session = people.session
    with pytest.raises(PermissionDenied, match="only for yourself"):
        service.create_token(session, people.actor(people.beheerder), people.lid, "x", ["publish"])
    created = service.create_token(session, SYSTEM, people.lid, "by the operator", ["curate"])
    token_actor = service.authenticate_token(session, created.secret)
    with pytest.raises(PermissionDenied):
        service.create_token(session, token_actor, people.lid, "from a token", ["curate"])


def test_an_org_scoped_token_for_a_non_member_is_refused(people: People) -> None:
    with pytest.raises(PermissionDenied, match="is not a member of het-lyceum"):
        service.create_token(people.session, people.actor(people.outsider), people.outsider, "x", ["publish"],
                             organisation_id=people.school)
    assert list_tokens(people.session, people.outsider) == []


def test_revoked_unknown_and_malformed_tokens_are_refused(people: People) -> None:
    session = people.session
    created = service.create_token(session, people.actor(people.lid), people.lid, "x", ["publish"])
    with pytest.raises(PermissionDenied, match="only your own API tokens"):
        service.revoke_token(session, people.actor(people.redacteur), created.id)
    service.revoke_token(session, people.actor(people.lid), created.id)
    service.revoke_token(session, people.actor(people.beheerder), created.id)

    with pytest.raises(InvalidToken, match="was revoked"):
        service.authenticate_token(session, created.secret)
    with pytest.raises(InvalidToken, match="unknown API token"):
        service.authenticate_token(session, "oer_" + "A" * 43)
    with pytest.raises(InvalidToken, match="start with oer_"):
        service.authenticate_token(session, "ghp_something")
    [token] = list_tokens(session, people.lid)
    assert not token.active
    revocations = [e for e in audit_log(session, subject=f"token:{created.id}").entries
                   if e.action is AuditAction.TOKEN_REVOKED]
    assert len(revocations) == 1, "revoking twice is logged once"


# -- AVG ------------------------------------------------------------------------------------------


def test_delete_user_erases_personal_data_and_keeps_the_row(people: People) -> None:
    session = people.session
    service.set_password(session, SYSTEM, people.redacteur, PASSWORD)
    service.grant_role(session, SYSTEM, people.redacteur, PlatformRole.VAKEXPERT, "wiskunde")
    token = service.create_token(session, SYSTEM, people.redacteur, "script", ["publish"])
    session.commit()

    service.delete_user(session, people.actor(people.redacteur), people.redacteur)
    session.commit()

    user = session.get(User, people.redacteur)
    assert user is not None and user.deleted_at is not None
    assert "rik" not in user.email.lower() and "rik" not in user.display_name.lower()
    assert user.password_hash is None
    assert session.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == people.redacteur)) == 0
    assert session.scalar(select(func.count()).select_from(RoleGrant).where(
        RoleGrant.user_id == people.redacteur)) == 0
    assert all(not t.active for t in list_tokens(session, people.redacteur))
    with pytest.raises(InvalidToken):
        service.authenticate_token(session, token.secret)
    assert find_user_by_email(session, "rik@school.example.org") is None
    assert get_user(session, people.redacteur).deleted
    assert people.redacteur not in {u.id for u in list_users(session)}
    assert people.redacteur in {u.id for u in list_users(session, include_deleted=True)}
    assert "rik" not in json.dumps([e.to_dict() for e in audit_log(session, size=500).entries]).lower()
    with pytest.raises(UnknownUser):
        service.delete_user(session, SYSTEM, people.redacteur)
    # The address is free again.
    service.add_user(session, SYSTEM, "rik@school.example.org", "Rik")


def test_only_the_user_or_a_beheerder_deletes_or_exports_an_account(people: People) -> None:
    with pytest.raises(PermissionDenied, match="only your own account"):
        service.delete_user(people.session, people.actor(people.org_beheerder), people.lid)
    with pytest.raises(PermissionDenied, match="only your own data"):
        service.export_user_data(people.session, people.actor(people.org_beheerder), people.lid)
    service.export_user_data(people.session, people.actor(people.beheerder), people.lid)


def test_the_export_holds_the_users_data(people: People) -> None:
    session = people.session
    service.grant_role(session, SYSTEM, people.lid, PlatformRole.VAKEXPERT, "aardrijkskunde")
    token = service.create_token(session, people.actor(people.lid), people.lid, "mijn script", ["annotate"])

    exported = service.export_user_data(session, people.actor(people.lid), people.lid)

    json.dumps(exported)
    assert exported["user"]["email"] == "lisa@school.example.org"
    assert exported["user"]["name"] == "Lisa Lid"
    assert exported["user"]["roles"] == ["vakexpert:aardrijkskunde"]
    assert exported["memberships"] == [{"organisation": "het-lyceum", "name": "Het Lyceum", "role": "lid"}]
    assert [(t["id"], t["name"], t["scopes"]) for t in exported["tokens"]] == [(token.id, "mijn script", ["annotate"])]
    assert token.secret not in json.dumps(exported)
    actions = {entry["action"] for entry in exported["audit"]}
    assert {"user.added", "role.granted", "token.created"} <= actions
    assert audit_log(session, subject=f"user:{people.lid}").entries[0].action is AuditAction.USER_EXPORTED


# -- the audit log ----------------------------------------------------------------------------------


def test_changes_are_audited_with_their_actor(people: People) -> None:
    session = people.session
    org_beheerder = people.actor(people.org_beheerder)
    service.change_member_role(session, org_beheerder, people.school, people.lid, MemberRole.REDACTEUR)
    created = service.create_token(session, people.actor(people.lid), people.lid, "x", ["publish"])
    service.revoke_token(session, people.actor(people.beheerder), created.id)
    service.delete_user(session, people.actor(people.outsider), people.outsider)
    session.commit()

    entries = audit_log(session, size=500).entries
    by_action = {(e.action, e.subject): e for e in entries}
    changed = by_action[(AuditAction.MEMBER_ROLE_CHANGED, f"organisation:{people.school}")]
    assert (changed.actor_id, changed.via) == (people.org_beheerder, "web")
    assert changed.details == {"user_id": people.lid, "role": "redacteur", "before": "lid"}
    assert by_action[(AuditAction.TOKEN_CREATED, f"token:{created.id}")].actor_id == people.lid
    assert by_action[(AuditAction.TOKEN_REVOKED, f"token:{created.id}")].actor_id == people.beheerder
    assert by_action[(AuditAction.USER_DELETED, f"user:{people.outsider}")].actor_id == people.outsider
    # The fixture's operator commands: the system, through the command line.
    granted = by_action[(AuditAction.ROLE_GRANTED, f"user:{people.beheerder}")]
    assert (granted.actor_id, granted.via, granted.details) == (None, "cli", {"role": "beheerder", "discipline": None})
    added = [e for e in entries if e.action is AuditAction.MEMBER_ADDED]
    assert len(added) == 3 and all(e.actor_id is None for e in added)

    first = audit_log(session, page=1, size=5)
    second = audit_log(session, page=2, size=5)
    assert first.total == len(entries) and first.has_next
    assert [e.id for e in first.entries] + [e.id for e in second.entries] == [e.id for e in entries[:10]]
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
    assert audit_log(session, actor_id=people.lid).total == 1
