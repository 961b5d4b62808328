"""Who is acting, and what they may do: the `Actor` value and the permission checks. Pure; no I/O.

Services take an `Actor`, never a web session or a request: the site, the API,
the CLI and tasks each build one (`oer.accounts.queries.load_actor`, or
`oer.accounts.service.authenticate_token` for an API token) and hand it in.
The checks are plain functions of the actor, so they are tested without a
database and read the same wherever they are used.

The rules:

- `SYSTEM` (an operator's `oer` command, a task) may do everything.
- A platform beheerder manages users, organisations, platform roles and every
  organisation's members; they do not publish, annotate or curate by that role.
- An organisation's beheerder manages its members; its redacteur and beheerder
  publish in its name; a lid acts in its name on nothing. Any user with a
  verified address may publish in their own name.
- Redactie curates, moderates and annotates in every discipline; a vakexpert
  annotates in the disciplines of their grants; any user gives their own
  annotations and experience (the quality domain checks the role's rules); an
  organisation's redacteur and beheerder keep its collections.
- An actor authenticated by an API token may do only what the token's scopes
  allow (publish, annotate, curate), for the token's organisation if it has one,
  and never manage accounts: a token cannot mint tokens or grant roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from oer.accounts.models import MemberRole, PlatformRole, TokenScope

# Member roles that publish in the organisation's name.
PUBLISHING_MEMBER_ROLES = frozenset({MemberRole.REDACTEUR, MemberRole.BEHEERDER})


@dataclass(frozen=True, slots=True)
class Grant:
    """A platform role an actor holds; `discipline` only (and always) for a vakexpert."""

    role: PlatformRole
    discipline: str | None = None

    def __post_init__(self) -> None:
        if (self.role is PlatformRole.VAKEXPERT) != (self.discipline is not None):
            missing = "needs a" if self.discipline is None else "has no"
            raise ValueError(f"a {self.role.value} grant {missing} discipline")
        if self.discipline is not None:
            # Disciplines are compared without regard to case or surrounding spaces.
            object.__setattr__(self, "discipline", self.discipline.strip().lower())


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever performs a use case.

    `user_id` is None for the system. `memberships` are (organisation id, role)
    pairs, at most one per organisation. `scopes` is None for an actor who
    signed in or is the system; an actor of an API token carries the token's
    scopes, and `token_organisation_id` when the token is for one organisation.
    `via` says how they act (`cli`, `web`, `token`, `task`), for the audit log.
    """

    user_id: int | None
    grants: frozenset[Grant] = frozenset()
    memberships: frozenset[tuple[int, MemberRole]] = frozenset()
    scopes: frozenset[TokenScope] | None = None
    token_organisation_id: int | None = None
    token_id: int | None = None
    via: str = "web"
    _roles: Mapping[int, MemberRole] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        roles = dict(self.memberships)
        if len(roles) != len(self.memberships):
            raise ValueError("an actor has at most one role per organisation")
        if self.user_id is None and (self.grants or self.memberships or self.scopes is not None):
            raise ValueError("the system actor holds no roles, memberships or token scopes")
        object.__setattr__(self, "_roles", roles)

    @classmethod
    def of_user(
        cls,
        user_id: int,
        grants: Iterable[Grant] = (),
        memberships: Mapping[int, MemberRole] | None = None,
        *,
        via: str = "web",
    ) -> Actor:
        """A signed-in user with their platform roles and {organisation id: member role}."""
        return cls(
            user_id=user_id,
            grants=frozenset(grants),
            memberships=frozenset((memberships or {}).items()),
            via=via,
        )

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def by_token(self) -> bool:
        return self.scopes is not None

    def role_in(self, organisation_id: int) -> MemberRole | None:
        """The actor's member role in the organisation, None when not a member."""
        return self._roles.get(organisation_id)

    def holds(self, role: PlatformRole) -> bool:
        return any(grant.role is role for grant in self.grants)

    def disciplines(self) -> frozenset[str]:
        """The disciplines of the actor's vakexpert grants."""
        return frozenset(grant.discipline for grant in self.grants if grant.discipline is not None)


# The operator's commands act as the system; the audit log records them as via `cli`.
SYSTEM = Actor(user_id=None, via="cli")


def system_actor(via: str) -> Actor:
    """The system acting through something other than the CLI (`task`, ...)."""
    return Actor(user_id=None, via=via)


def _scope_allows(actor: Actor, scope: TokenScope) -> bool:
    return actor.scopes is None or scope in actor.scopes


def _token_allows_organisation(actor: Actor, organisation_id: int) -> bool:
    return actor.token_organisation_id is None or actor.token_organisation_id == organisation_id


def _manages_accounts(actor: Actor) -> bool:
    # Account management is never done with an API token, whatever its scopes.
    return not actor.by_token


def is_platform_beheerder(actor: Actor) -> bool:
    """The system, or a user holding the platform's beheerder role (not through a token)."""
    return _manages_accounts(actor) and (actor.is_system or actor.holds(PlatformRole.BEHEERDER))


def can_grant_roles(actor: Actor) -> bool:
    """May grant and revoke platform roles."""
    return is_platform_beheerder(actor)


def can_manage_users(actor: Actor) -> bool:
    """May add users and manage any user's account (password, erasure, export)."""
    return is_platform_beheerder(actor)


def can_add_organisation(actor: Actor) -> bool:
    return is_platform_beheerder(actor)


def can_manage_members(actor: Actor, organisation_id: int) -> bool:
    """May add, re-role and remove the organisation's members."""
    if is_platform_beheerder(actor):
        return True
    return _manages_accounts(actor) and actor.role_in(organisation_id) is MemberRole.BEHEERDER


def can_manage_own_account(actor: Actor, user_id: int) -> bool:
    """May change the password of, export or erase the account `user_id`: its owner or a beheerder."""
    if can_manage_users(actor):
        return True
    return _manages_accounts(actor) and actor.user_id == user_id


def can_create_token(actor: Actor, user_id: int) -> bool:
    """May create an API token for `user_id`: the user themselves, or the system operator."""
    return _manages_accounts(actor) and (actor.is_system or actor.user_id == user_id)


def can_revoke_token(actor: Actor, owner_id: int) -> bool:
    """May revoke a token of `owner_id`: the owner (also with another of their tokens) or a beheerder."""
    return actor.user_id == owner_id or is_platform_beheerder(actor)


def can_publish_for(actor: Actor, organisation_id: int) -> bool:
    """May publish materials in the organisation's name."""
    if actor.is_system:
        return True
    if not (_scope_allows(actor, TokenScope.PUBLISH) and _token_allows_organisation(actor, organisation_id)):
        return False
    return actor.role_in(organisation_id) in PUBLISHING_MEMBER_ROLES


def can_publish_as_self(actor: Actor) -> bool:
    """May publish materials in their own name (the caller also checks the address is verified).

    Any signed-in user, or a token with the publish scope that is not bound to an organisation.
    """
    if actor.is_system:
        return True
    return _scope_allows(actor, TokenScope.PUBLISH) and actor.token_organisation_id is None


def can_annotate(actor: Actor, discipline: str) -> bool:
    """May annotate materials of the discipline (compared without regard to letter case)."""
    if actor.is_system:
        return True
    if not _scope_allows(actor, TokenScope.ANNOTATE):
        return False
    return actor.holds(PlatformRole.REDACTIE) or discipline.strip().lower() in actor.disciplines()


def can_give_feedback(actor: Actor) -> bool:
    """May annotate in a user's own name (as a teacher, an author, ...): any user; a token needs `annotate`."""
    return actor.is_system or _scope_allows(actor, TokenScope.ANNOTATE)


def can_keep_collection(actor: Actor, organisation_id: int | None) -> bool:
    """May make and change a collection: the redactie's (None) or the organisation's."""
    if organisation_id is None:
        return can_curate(actor)
    if actor.is_system:
        return True
    if not (_scope_allows(actor, TokenScope.CURATE) and _token_allows_organisation(actor, organisation_id)):
        return False
    return actor.role_in(organisation_id) in PUBLISHING_MEMBER_ROLES


def can_curate(actor: Actor) -> bool:
    """May curate the catalogue (collections, the curated set)."""
    if actor.is_system:
        return True
    return _scope_allows(actor, TokenScope.CURATE) and actor.holds(PlatformRole.REDACTIE)
