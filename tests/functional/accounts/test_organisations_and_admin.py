"""/organisaties/<slug> and /beheer, each permission from both sides (allowed and refused)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind, PlatformRole
from oer.accounts.queries import audit_log, get_organisation, get_user_by_email
from tests.support.account_site import Mailbox, register, sign_in, submit
from web.runtime import app_runtime

PASSWORD = "zeven-lange-woorden-op-een-rij"


@pytest.fixture
def people(accounts_app: Flask) -> dict[str, str]:
    """A platform beheerder, the school's beheerder, a lid, and an outsider, all verified."""
    who = {
        "bea": "bea@oer.example.org", "olga": "olga@lyceum.example.org",
        "lisa": "lisa@lyceum.example.org", "otto": "otto@elders.example.org",
    }
    with accounts_app.app_context(), app_runtime(accounts_app).sessions.begin() as db:
        ids = {name: service.add_user(db, SYSTEM, email, name.title(), password=PASSWORD,
                                      email_verified=True).id for name, email in who.items()}
        service.grant_role(db, SYSTEM, ids["bea"], PlatformRole.BEHEERDER)
        school = service.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL,
                                          brin="12AB").id
        service.add_member(db, SYSTEM, school, ids["olga"], MemberRole.BEHEERDER)
        service.add_member(db, SYSTEM, school, ids["lisa"], MemberRole.LID)
    return who


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def members(app: Flask) -> dict[str, str]:
    with app.app_context(), app_runtime(app).sessions() as db:
        return {m.email: m.role.value for m in get_organisation(db, "het-lyceum").members}


def test_the_organisation_page_is_public_but_its_members_are_not(
    accounts_app: Flask, people: dict[str, str],
) -> None:
    visitor = accounts_app.test_client().get("/organisaties/het-lyceum").get_data(as_text=True)
    assert "Het Lyceum" in visitor and "BRIN 12AB" in visitor
    assert people["lisa"] not in visitor
    lid = client_of(accounts_app, people["lisa"]).get("/organisaties/het-lyceum").get_data(as_text=True)
    assert people["olga"] not in lid and "Iemand uitnodigen" not in lid
    beheerder = client_of(accounts_app, people["olga"]).get("/organisaties/het-lyceum").get_data(as_text=True)
    assert people["lisa"] in beheerder and "Iemand uitnodigen" in beheerder
    assert accounts_app.test_client().get("/organisaties/bestaat-niet").status_code == 404


def test_the_organisations_beheerder_adds_an_existing_user_and_a_lid_may_not(
    accounts_app: Flask, people: dict[str, str], mailbox: Mailbox,
) -> None:
    lid = client_of(accounts_app, people["lisa"])
    refused = submit(lid, "/organisaties/het-lyceum/uitnodigen",
                     {"email": people["otto"], "role": "redacteur"}, form_page="/account")
    assert refused.status_code == 403
    assert people["otto"] not in members(accounts_app)

    olga = client_of(accounts_app, people["olga"])
    added = submit(olga, "/organisaties/het-lyceum/uitnodigen",
                   {"email": people["otto"], "role": "redacteur"}, form_page="/organisaties/het-lyceum")
    assert added.status_code == 302
    assert members(accounts_app)[people["otto"]] == "redacteur"
    assert "toegevoegd aan Het Lyceum" in mailbox.messages_to(people["otto"])[-1]


def test_an_invitation_to_a_new_address_adds_its_owner_after_sign_up(
    accounts_app: Flask, people: dict[str, str], mailbox: Mailbox,
) -> None:
    new = "nina@lyceum.example.org"
    olga = client_of(accounts_app, people["olga"])
    submit(olga, "/organisaties/het-lyceum/uitnodigen", {"email": new, "role": "lid"},
           form_page="/organisaties/het-lyceum")
    invitation = mailbox.last_link_to(new, "/uitnodiging/")
    assert new not in members(accounts_app)

    # Someone else following the link is refused, and nothing changes.
    otto = client_of(accounts_app, people["otto"])
    assert otto.get(invitation).status_code == 403
    assert people["otto"] not in members(accounts_app)

    nina = accounts_app.test_client()
    register(nina, new, PASSWORD, name="Nina Nieuw")
    nina.get(mailbox.last_link_to(new, "/account/bevestigen/"))
    sign_in(nina, new, PASSWORD)
    assert nina.get(invitation).status_code == 302
    assert members(accounts_app)[new] == "lid"
    with accounts_app.app_context(), app_runtime(accounts_app).sessions() as db:
        olga_id = get_user_by_email(db, people["olga"]).id
        added = [e for e in audit_log(db).entries if e.details.get("invited_by") == olga_id]
    assert len(added) == 1


def test_only_a_platform_beheerder_sees_beheer(accounts_app: Flask, people: dict[str, str]) -> None:
    assert accounts_app.test_client().get("/beheer").status_code == 302
    assert client_of(accounts_app, people["olga"]).get("/beheer").status_code == 403
    page = client_of(accounts_app, people["bea"]).get("/beheer")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert people["lisa"] in text and "Het Lyceum" in text and "role.granted" in text


def test_a_platform_beheerder_grants_and_revokes_a_role_and_others_may_not(
    accounts_app: Flask, people: dict[str, str],
) -> None:
    olga = client_of(accounts_app, people["olga"])
    refused = submit(olga, "/beheer/rollen", {"email": people["lisa"], "role": "vakexpert",
                                              "discipline": "wiskunde", "action": "grant"},
                     form_page="/account")
    assert refused.status_code == 403

    bea = client_of(accounts_app, people["bea"])
    submit(bea, "/beheer/rollen", {"email": people["lisa"], "role": "vakexpert", "discipline": "wiskunde",
                                   "action": "grant"}, form_page="/beheer")
    with accounts_app.app_context(), app_runtime(accounts_app).sessions() as db:
        grants = get_user_by_email(db, people["lisa"]).grants
    assert [(g.role.value, g.discipline) for g in grants] == [("vakexpert", "wiskunde")]

    submit(bea, "/beheer/rollen", {"email": people["lisa"], "role": "vakexpert", "discipline": "wiskunde",
                                   "action": "revoke"}, form_page="/beheer")
    with accounts_app.app_context(), app_runtime(accounts_app).sessions() as db:
        assert get_user_by_email(db, people["lisa"]).grants == ()


def test_a_platform_beheerder_adds_an_organisation_and_others_may_not(
    accounts_app: Flask, people: dict[str, str],
) -> None:
    data = {"slug": "vakvereniging-nvvw", "name": "NVvW", "kind": "vakvereniging", "brin": ""}
    refused = submit(client_of(accounts_app, people["lisa"]), "/beheer/organisaties", data, form_page="/account")
    assert refused.status_code == 403
    added = submit(client_of(accounts_app, people["bea"]), "/beheer/organisaties", data, form_page="/beheer")
    assert added.status_code == 302 and added.headers["Location"].endswith("/organisaties/vakvereniging-nvvw")
    assert accounts_app.test_client().get("/organisaties/vakvereniging-nvvw").status_code == 200
