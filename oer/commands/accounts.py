"""`oer users|orgs|tokens`: the operator's account commands. I/O: terminal, database.

Every command acts as the system operator (`oer.accounts.actor.SYSTEM`), so
the audit log records its changes with no user and `via` = `cli`. A token's
secret is printed once, by `tokens create`; nothing can show it again.
"""

from __future__ import annotations

import json
import sys

import click

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.errors import UnknownMembership
from oer.accounts.models import MemberRole, OrganisationKind, TokenScope
from oer.accounts.queries import get_organisation, get_user_by_email, list_users, role_label
from oer.accounts.validation import parse_member_role, parse_platform_role
from oer.commands.context import command_settings
from oer.store.database import store_sessions

_ROLE_HELP = "beheerder, redactie or vakexpert:DISCIPLINE"



def _read_password() -> str:
    """The first line of standard input, without its line ending (a password may have spaces)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


# -- users ----------------------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Add and list users and grant them platform roles."""


@users_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The user's display name.")
@click.option("--role", "roles", multiple=True, metavar="ROLE",
              help=f"Grant a platform role: {_ROLE_HELP} (repeatable).")
@click.option("--password-stdin", is_flag=True,
              help="Read a password from the first line of standard input (else: SSO only).")
def users_add_command(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add the user with address EMAIL."""
    parsed = [parse_platform_role(role) for role in roles]
    password = _read_password() if password_stdin else None
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        user = service.add_user(session, SYSTEM, email, name, password=password)
        for role, discipline in parsed:
            service.grant_role(session, SYSTEM, user.id, role, discipline)
        granted = f"; roles: {', '.join(spec.strip().lower() for spec in roles)}" if roles else ""
        sign_in = "with a password" if password is not None else "without a password (SSO only)"
        click.echo(f"Added user {user.id}: {user.email} ({user.display_name}), {sign_in}{granted}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as a JSON list.")
def users_list_command(as_json: bool) -> None:
    """Show every current user with their platform roles and memberships."""
    with store_sessions(command_settings()) as sessions, sessions() as session:
        users = list_users(session)
    if as_json:
        click.echo(json.dumps([user.to_dict() for user in users], ensure_ascii=False, indent=2))
        return
    if not users:
        click.echo("No users yet; add one with `oer users add EMAIL --name NAME`.")
        return
    for user in users:
        roles = ", ".join(role_label(grant) for grant in user.grants) or "-"
        memberships = ", ".join(f"{m.slug}:{m.role.value}" for m in user.memberships) or "-"
        click.echo(f"{user.id:>5}  {user.email}  {user.display_name}  roles: {roles}  member of: {memberships}")


@users_group.command("grant")
@click.argument("email")
@click.argument("role", metavar="ROLE")
def users_grant_command(email: str, role: str) -> None:
    """Grant the user with address EMAIL the platform ROLE: beheerder, redactie or vakexpert:DISCIPLINE."""
    platform_role, discipline = parse_platform_role(role)
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        user = get_user_by_email(session, email)
        service.grant_role(session, SYSTEM, user.id, platform_role, discipline)
    label = f"{platform_role.value}:{discipline}" if discipline else platform_role.value
    click.echo(f"Granted {label} to {user.email}")


# -- organisations --------------------------------------------------------------------------------


@click.group("orgs")
def orgs_group() -> None:
    """Add organisations and manage their members."""


@orgs_group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--kind", required=True, type=click.Choice([kind.value for kind in OrganisationKind]),
              help="What kind of organisation it is.")
@click.option("--brin", default=None, metavar="CODE", help="Its BRIN code (12AB or 12AB01).")
def orgs_add_command(slug: str, name: str, kind: str, brin: str | None) -> None:
    """Add the organisation SLUG (lower-case letters, digits and hyphens)."""
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        organisation = service.add_organisation(session, SYSTEM, slug, name, kind, brin=brin)
        code = f", BRIN {organisation.brin}" if organisation.brin else ""
        click.echo(f"Added organisation {organisation.slug}: {organisation.name} "
                   f"({organisation.kind.value}{code})")


@orgs_group.command("member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([role.value for role in MemberRole]),
              help="The member's role: lid, redacteur (publishes) or beheerder (also manages members).")
def orgs_member_command(slug: str, email: str, role: str) -> None:
    """Make the user EMAIL a member of SLUG with ROLE, or give a member that role."""
    member_role = parse_member_role(role)
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        organisation = get_organisation(session, slug)
        user = get_user_by_email(session, email)
        try:
            service.change_member_role(session, SYSTEM, organisation.id, user.id, member_role)
            done = "now"
        except UnknownMembership:
            service.add_member(session, SYSTEM, organisation.id, user.id, member_role)
            done = "added as"
    click.echo(f"{user.email} is {done} {member_role.value} of {organisation.slug}")


# -- API tokens -----------------------------------------------------------------------------------


@click.group("tokens")
def tokens_group() -> None:
    """Create and revoke users' API tokens."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, to recognise it later.")
@click.option("--org", "slug", default=None, metavar="SLUG",
              help="Let the token act only for this organisation (the user must be a member).")
@click.option("--scope", "scopes", default=",".join(scope.value for scope in TokenScope), show_default=True,
              metavar="SCOPES", help="Comma-separated: publish, annotate, curate.")
def tokens_create_command(email: str, name: str, slug: str | None, scopes: str) -> None:
    """Create an API token for the user EMAIL and print its secret, once."""
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        user = get_user_by_email(session, email)
        organisation_id = get_organisation(session, slug).id if slug is not None else None
        created = service.create_token(
            session, SYSTEM, user.id, name, [s for s in scopes.split(",") if s.strip()],
            organisation_id=organisation_id,
        )
    scope_list = ",".join(sorted(scope.value for scope in created.scopes))
    click.echo(f"Created token {created.id} for {user.email} ({scope_list}"
               f"{f', for {slug}' if slug else ''}). Its secret, shown only now:", err=True)
    click.echo(created.secret)


@tokens_group.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def tokens_revoke_command(token_id: int) -> None:
    """Revoke the API token ID for good."""
    with store_sessions(command_settings()) as sessions, sessions.begin() as session:
        service.revoke_token(session, SYSTEM, token_id)
    click.echo(f"Revoked token {token_id}")


commands = [users_group, orgs_group, tokens_group]
