"""The permission checks of `oer.accounts.actor`: each one allowed and refused."""

from __future__ import annotations

import pytest

from oer.accounts.actor import (
    SYSTEM,
    Actor,
    Grant,
    can_add_organisation,
    can_annotate,
    can_create_token,
    can_curate,
    can_grant_roles,
    can_manage_members,
    can_manage_own_account,
    can_manage_users,
    can_publish_for,
    can_revoke_token,
    is_platform_beheerder,
    system_actor,
)
from oer.accounts.models import MemberRole, PlatformRole, TokenScope

SCHOOL, OTHER = 1, 2

NOBODY = Actor.of_user(10)
BEHEERDER = Actor.of_user(11, [Grant(PlatformRole.BEHEERDER)])
REDACTIE = Actor.of_user(12, [Grant(PlatformRole.REDACTIE)])
WISKUNDE = Actor.of_user(13, [Grant(PlatformRole.VAKEXPERT, "Wiskunde ")])
LID = Actor.of_user(14, memberships={SCHOOL: MemberRole.LID})
REDACTEUR = Actor.of_user(15, memberships={SCHOOL: MemberRole.REDACTEUR})
ORG_BEHEERDER = Actor.of_user(16, memberships={SCHOOL: MemberRole.BEHEERDER})


def token_of(actor: Actor, *scopes: TokenScope, organisation_id: int | None = None) -> Actor:
    """The actor as an API token with these scopes authenticates it."""
    assert actor.user_id is not None
    return Actor(
        user_id=actor.user_id, grants=actor.grants, memberships=actor.memberships,
        scopes=frozenset(scopes), token_organisation_id=organisation_id, token_id=99, via="token",
    )


def test_the_system_actor_is_the_cli_and_may_do_everything() -> None:
    assert SYSTEM.is_system and SYSTEM.via == "cli" and not SYSTEM.by_token
    assert system_actor("task").via == "task"
    for check in (is_platform_beheerder, can_grant_roles, can_manage_users, can_add_organisation, can_curate):
        assert check(SYSTEM)
    assert can_manage_members(SYSTEM, SCHOOL) and can_publish_for(SYSTEM, SCHOOL)
    assert can_create_token(SYSTEM, 10) and can_revoke_token(SYSTEM, 10)
    assert can_annotate(SYSTEM, "wiskunde") and can_manage_own_account(SYSTEM, 10)


def test_the_system_actor_holds_no_roles() -> None:
    with pytest.raises(ValueError, match="system actor"):
        Actor(user_id=None, grants=frozenset({Grant(PlatformRole.BEHEERDER)}))


def test_an_actor_has_one_role_per_organisation() -> None:
    with pytest.raises(ValueError, match="one role per organisation"):
        Actor(user_id=1, memberships=frozenset({(SCHOOL, MemberRole.LID), (SCHOOL, MemberRole.BEHEERDER)}))
    assert REDACTEUR.role_in(SCHOOL) is MemberRole.REDACTEUR and REDACTEUR.role_in(OTHER) is None


def test_a_grant_has_a_discipline_exactly_when_it_is_vakexpert() -> None:
    assert Grant(PlatformRole.VAKEXPERT, " Wiskunde").discipline == "wiskunde"
    with pytest.raises(ValueError, match="needs a discipline"):
        Grant(PlatformRole.VAKEXPERT)
    with pytest.raises(ValueError, match="has no discipline"):
        Grant(PlatformRole.REDACTIE, "wiskunde")


@pytest.mark.parametrize("check", [is_platform_beheerder, can_grant_roles, can_manage_users, can_add_organisation])
def test_account_management_is_for_the_platform_beheerder(check) -> None:
    assert check(BEHEERDER)
    for refused in (NOBODY, REDACTIE, WISKUNDE, LID, REDACTEUR, ORG_BEHEERDER):
        assert not check(refused)
    assert not check(token_of(BEHEERDER, *TokenScope)), "never through an API token"


def test_members_are_managed_by_the_organisations_beheerder_or_the_platform_beheerder() -> None:
    assert can_manage_members(ORG_BEHEERDER, SCHOOL)
    assert can_manage_members(BEHEERDER, SCHOOL) and can_manage_members(BEHEERDER, OTHER)
    assert not can_manage_members(ORG_BEHEERDER, OTHER), "only their own organisation"
    for refused in (NOBODY, LID, REDACTEUR, REDACTIE):
        assert not can_manage_members(refused, SCHOOL)
    assert not can_manage_members(token_of(ORG_BEHEERDER, *TokenScope), SCHOOL)


def test_an_account_is_managed_by_its_owner_or_the_platform_beheerder() -> None:
    assert can_manage_own_account(NOBODY, 10) and can_manage_own_account(BEHEERDER, 10)
    assert not can_manage_own_account(LID, 10)
    assert not can_manage_own_account(token_of(NOBODY, TokenScope.PUBLISH), 10)


def test_tokens_are_created_by_the_user_themselves_never_by_a_token_or_another_user() -> None:
    assert can_create_token(NOBODY, 10)
    assert not can_create_token(NOBODY, 11)
    assert not can_create_token(BEHEERDER, 10), "a beheerder does not make tokens in another's name"
    assert not can_create_token(token_of(NOBODY, *TokenScope), 10)


def test_tokens_are_revoked_by_their_owner_or_the_platform_beheerder() -> None:
    assert can_revoke_token(NOBODY, 10) and can_revoke_token(BEHEERDER, 10)
    assert can_revoke_token(token_of(NOBODY, TokenScope.PUBLISH), 10), "a leaked token is revoked with another"
    assert not can_revoke_token(LID, 10)
    assert not can_revoke_token(token_of(BEHEERDER, TokenScope.PUBLISH), 10)


def test_publishing_is_for_the_organisations_redacteur_and_beheerder() -> None:
    assert can_publish_for(REDACTEUR, SCHOOL) and can_publish_for(ORG_BEHEERDER, SCHOOL)
    assert not can_publish_for(LID, SCHOOL), "a lid publishes nothing in the organisation's name"
    assert not can_publish_for(REDACTEUR, OTHER)
    assert not can_publish_for(BEHEERDER, SCHOOL), "the platform role is not a membership"
    assert not can_publish_for(NOBODY, SCHOOL)


def test_publishing_with_a_token_needs_its_scope_and_its_organisation() -> None:
    assert can_publish_for(token_of(REDACTEUR, TokenScope.PUBLISH), SCHOOL)
    assert can_publish_for(token_of(REDACTEUR, TokenScope.PUBLISH, organisation_id=SCHOOL), SCHOOL)
    assert not can_publish_for(token_of(REDACTEUR, TokenScope.ANNOTATE, TokenScope.CURATE), SCHOOL)
    both = Actor.of_user(20, memberships={SCHOOL: MemberRole.REDACTEUR, OTHER: MemberRole.REDACTEUR})
    assert can_publish_for(both, OTHER)
    assert not can_publish_for(token_of(both, TokenScope.PUBLISH, organisation_id=SCHOOL), OTHER)
    assert not can_publish_for(token_of(LID, TokenScope.PUBLISH), SCHOOL), "a scope adds no role"


def test_annotating_is_for_redactie_and_the_disciplines_vakexpert() -> None:
    assert can_annotate(REDACTIE, "geschiedenis")
    assert can_annotate(WISKUNDE, "wiskunde") and can_annotate(WISKUNDE, " WISKUNDE")
    assert not can_annotate(WISKUNDE, "geschiedenis")
    for refused in (NOBODY, BEHEERDER, ORG_BEHEERDER):
        assert not can_annotate(refused, "wiskunde")
    assert can_annotate(token_of(WISKUNDE, TokenScope.ANNOTATE), "wiskunde")
    assert not can_annotate(token_of(WISKUNDE, TokenScope.PUBLISH), "wiskunde")


def test_curating_is_for_redactie() -> None:
    assert can_curate(REDACTIE)
    for refused in (NOBODY, BEHEERDER, WISKUNDE, ORG_BEHEERDER):
        assert not can_curate(refused)
    assert can_curate(token_of(REDACTIE, TokenScope.CURATE))
    assert not can_curate(token_of(REDACTIE, TokenScope.PUBLISH, TokenScope.ANNOTATE))
