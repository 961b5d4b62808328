"""`oer users`, `oer orgs` and `oer tokens` through the real console-script group, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import Result

from oer.accounts import service
from oer.accounts.models import AuditAction
from oer.accounts.queries import audit_log, get_organisation, list_tokens
from oer.settings import Settings
from oer.store.database import store_sessions
from tests.support.accounts import PASSWORD
from tests.support.cli import run_oer as oer


@pytest.fixture
def instance(store_settings: Settings) -> Settings:
    store_settings.home.mkdir(parents=True, exist_ok=True)
    return store_settings




def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_users_add_with_roles_and_a_password_then_list(instance: Settings) -> None:
    added = ok(oer(instance, "users", "add", "Bea@OER.example.org", "--name", "Bea Beheer",
                   "--role", "beheerder", "--role", "vakexpert:Wiskunde", "--password-stdin",
                   input=PASSWORD + "\n"))
    assert "Added user 1: bea@oer.example.org (Bea Beheer), with a password; roles: beheerder, vakexpert:wiskunde" in added
    ok(oer(instance, "users", "add", "sso@oer.example.org", "--name", "Sam SSO"))

    [bea, sam] = json.loads(ok(oer(instance, "users", "list", "--json")))
    assert (bea["email"], bea["has_password"], bea["roles"]) == (
        "bea@oer.example.org", True, ["beheerder", "vakexpert:wiskunde"])
    assert (sam["email"], sam["has_password"], sam["roles"]) == ("sso@oer.example.org", False, [])
    listed = ok(oer(instance, "users", "list"))
    assert "bea@oer.example.org" in listed and "roles: beheerder, vakexpert:wiskunde" in listed

    granted = ok(oer(instance, "users", "grant", "SSO@oer.example.org", "redactie"))
    assert granted.strip() == "Granted redactie to sso@oer.example.org"


def test_orgs_add_and_member_add_then_change(instance: Settings) -> None:
    ok(oer(instance, "users", "add", "rik@school.example.org", "--name", "Rik"))
    added = ok(oer(instance, "orgs", "add", "het-lyceum", "--name", "Het Lyceum", "--kind", "school",
                   "--brin", "12ab"))
    assert added.strip() == "Added organisation het-lyceum: Het Lyceum (school, BRIN 12AB)"
    assert "is added as lid of het-lyceum" in ok(oer(instance, "orgs", "member", "het-lyceum",
                                                      "rik@school.example.org", "--role", "lid"))
    assert "is now redacteur of het-lyceum" in ok(oer(instance, "orgs", "member", "het-lyceum",
                                                       "rik@school.example.org", "--role", "redacteur"))
    with store_sessions(instance) as sessions, sessions() as session:
        [member] = get_organisation(session, "het-lyceum").members
    assert (member.email, member.role.value) == ("rik@school.example.org", "redacteur")


def test_tokens_create_prints_the_secret_once_and_revoke(instance: Settings) -> None:
    ok(oer(instance, "users", "add", "rik@school.example.org", "--name", "Rik"))
    ok(oer(instance, "orgs", "add", "het-lyceum", "--name", "Het Lyceum", "--kind", "school"))
    ok(oer(instance, "orgs", "member", "het-lyceum", "rik@school.example.org", "--role", "redacteur"))

    created = oer(instance, "tokens", "create", "rik@school.example.org", "--name", "upload",
                  "--org", "het-lyceum", "--scope", "publish,annotate")
    ok(created)
    secret = created.stdout.strip()
    assert secret.startswith("oer_") and "\n" not in secret
    assert "Created token 1 for rik@school.example.org (annotate,publish, for het-lyceum)" in created.stderr

    with store_sessions(instance) as sessions, sessions.begin() as session:
        actor = service.authenticate_token(session, secret)
        assert actor.token_organisation_id == get_organisation(session, "het-lyceum").id

    assert ok(oer(instance, "tokens", "revoke", "1")).strip() == "Revoked token 1"
    with store_sessions(instance) as sessions, sessions() as session:
        [token] = list_tokens(session, actor.user_id or 0)
        assert not token.active
        entries = audit_log(session, size=100).entries
    # The CLI acts as the system operator and the log says so.
    assert entries and all(entry.actor_id is None and entry.via == "cli" for entry in entries)
    assert {AuditAction.USER_ADDED, AuditAction.ORGANISATION_ADDED, AuditAction.MEMBER_ADDED,
            AuditAction.TOKEN_CREATED, AuditAction.TOKEN_REVOKED} <= {entry.action for entry in entries}


@pytest.mark.parametrize(("setup", "args", "message"), [
    ([], ["users", "add", "nope", "--name", "X"], "'nope' is not an e-mail address"),
    ([["users", "add", "a@b.nl", "--name", "A"]], ["users", "add", "A@B.nl", "--name", "A"], "already exists"),
    ([], ["users", "add", "a@b.nl", "--name", "A", "--role", "koning"], "unknown platform role 'koning'"),
    ([], ["users", "add", "a@b.nl", "--name", "A", "--role", "vakexpert"], "needs a discipline"),
    ([], ["users", "grant", "nobody@b.nl", "redactie"], "no user with e-mail address 'nobody@b.nl'"),
    ([], ["orgs", "add", "Bad Slug", "--name", "X", "--kind", "school"], "organisation slug 'Bad Slug'"),
    ([], ["orgs", "add", "x", "--name", "X", "--kind", "school", "--brin", "XYZ"], "is not a BRIN code"),
    ([["users", "add", "a@b.nl", "--name", "A"]], ["orgs", "member", "nope", "a@b.nl", "--role", "lid"],
     "no organisation 'nope'"),
    ([["users", "add", "a@b.nl", "--name", "A"], ["orgs", "add", "x", "--name", "X", "--kind", "school"]],
     ["tokens", "create", "a@b.nl", "--name", "t", "--org", "x"], "is not a member of x"),
    ([["users", "add", "a@b.nl", "--name", "A"]], ["tokens", "create", "a@b.nl", "--name", "t", "--scope", "delete"],
     "unknown token scope 'delete'"),
    ([], ["tokens", "revoke", "7"], "no API token with id 7"),
])
def test_bad_input_gets_one_line(instance: Settings, setup: list[list[str]], args: list[str], message: str) -> None:
    for step in setup:
        ok(oer(instance, *step))
    assert message in one_line_error(oer(instance, *args))


def test_a_weak_password_from_stdin_is_refused_in_one_line(instance: Settings) -> None:
    error = one_line_error(oer(instance, "users", "add", "a@b.nl", "--name", "A", "--password-stdin",
                               input="qwerty123456\n"))
    assert "most commonly used" in error
    assert json.loads(ok(oer(instance, "users", "list", "--json"))) == []
