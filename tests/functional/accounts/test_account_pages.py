"""Register, verify, sign in and out, reset, change e-mail, delete: the account pages over HTTP.

Mail goes to the instance's outbox (no OER_SMTP_URL), which is what the demo
uses too; the SMTP path has its own test against a real server.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oer.accounts import links
from oer.accounts.links import LinkPurpose
from tests.support.account_site import Mailbox, csrf_of, register, sign_in, signed_in_as, submit

PASSWORD = "zeven-lange-woorden-op-een-rij"
NEW_PASSWORD = "een-heel-ander-wachtwoord-nu"
EMAIL = "tess@school.example.org"


def verified_user(site: FlaskClient, mailbox: Mailbox, email: str = EMAIL) -> None:
    assert register(site, email, PASSWORD).status_code == 200
    assert site.get(mailbox.last_link_to(email, "/account/bevestigen/")).status_code == 302


def test_register_verify_by_mail_sign_in_and_out(site: FlaskClient, mailbox: Mailbox) -> None:
    registered = register(site, "Tess@School.example.org", PASSWORD)
    assert registered.status_code == 200
    assert "Kijk in je mail" in registered.get_data(as_text=True)

    # Not verified yet: the right password is not enough.
    early = sign_in(site, EMAIL, PASSWORD)
    assert early.status_code == 403
    assert "Bevestig eerst je e-mailadres" in early.get_data(as_text=True)
    assert signed_in_as(site) is None

    verified = site.get(mailbox.last_link_to(EMAIL, "/account/bevestigen/"))
    assert verified.status_code == 302 and verified.headers["Location"].endswith("/account/inloggen")

    signed = sign_in(site, EMAIL, PASSWORD)
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/account")
    assert signed_in_as(site) == "Tess Leraar"
    assert "tess@school.example.org" in site.get("/account").get_data(as_text=True)

    page = site.get("/account").get_data(as_text=True)
    out = site.post("/account/uitloggen", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 302
    assert signed_in_as(site) is None
    assert site.get("/account").status_code == 302


def test_the_session_cookie_is_httponly_and_lax_and_secure_over_https(
    accounts_app: Flask, mailbox: Mailbox,
) -> None:
    site = accounts_app.test_client()
    verified_user(site, mailbox)
    response = sign_in(site, EMAIL, PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    secure = accounts_app.test_client()
    page = secure.get("/account/inloggen", base_url="https://oer.example.org")
    # Over https, Flask-WTF also checks that the form came from this site (the Referer).
    answer = secure.post("/account/inloggen", base_url="https://oer.example.org",
                         headers={"Referer": "https://oer.example.org/account/inloggen"}, data={
        "email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert answer.status_code == 302
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_registering_an_address_in_use_looks_the_same_and_mails_its_owner(
    site: FlaskClient, mailbox: Mailbox,
) -> None:
    verified_user(site, mailbox)
    first = len(mailbox.messages_to(EMAIL))
    again = register(site, EMAIL, "nog-een-wachtwoord-van-iemand", name="Iemand Anders")
    assert again.status_code == 200
    assert "Kijk in je mail" in again.get_data(as_text=True)
    mails = mailbox.messages_to(EMAIL)
    assert len(mails) == first + 1
    assert "bestaat al" in mails[-1]
    # The account is as it was: the old password still signs in.
    assert sign_in(site, EMAIL, PASSWORD).status_code == 302


def test_a_weak_password_is_refused_on_its_field_and_nothing_is_mailed(
    site: FlaskClient, mailbox: Mailbox,
) -> None:
    short = register(site, EMAIL, "kort")
    assert short.status_code == 200
    assert "minstens 12 tekens" in short.get_data(as_text=True)
    common = register(site, EMAIL, "password1234")
    assert "te vaak gebruikt" in common.get_data(as_text=True)
    assert mailbox.messages_to(EMAIL) == []


def test_wrong_password_and_unknown_address_get_the_same_refusal(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    wrong = sign_in(site, EMAIL, "niet-het-goede-wachtwoord")
    unknown = sign_in(site, "niemand@school.example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "Dit e-mailadres en wachtwoord horen niet bij elkaar."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert signed_in_as(site) is None


def test_a_form_without_its_csrf_token_is_refused(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    response = site.post("/account/inloggen", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert signed_in_as(site) is None


def test_reset_by_mailed_link_works_once(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    asked = submit(site, "/account/wachtwoord-vergeten", {"email": EMAIL})
    assert "Kijk in je mail" in asked.get_data(as_text=True)
    link = mailbox.last_link_to(EMAIL, "/account/wachtwoord-herstellen/")

    done = submit(site, link, {"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert sign_in(site, EMAIL, PASSWORD).status_code == 401
    assert sign_in(site, EMAIL, NEW_PASSWORD).status_code == 302

    reused = site.get(link)
    assert reused.status_code == 400
    assert "al gebruikt" in reused.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(
    site: FlaskClient, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch,
) -> None:
    verified_user(site, mailbox)
    submit(site, "/account/wachtwoord-vergeten", {"email": EMAIL})
    link = mailbox.last_link_to(EMAIL, "/account/wachtwoord-herstellen/")
    # Any age is past a validity of less than nothing: the link is as a link an hour old is.
    monkeypatch.setitem(links.MAX_AGE, LinkPurpose.RESET_PASSWORD, -1)
    expired = site.get(link)
    assert expired.status_code == 400
    assert "verlopen" in expired.get_data(as_text=True)


def test_a_tampered_link_is_refused(site: FlaskClient, mailbox: Mailbox) -> None:
    register(site, EMAIL, PASSWORD)
    link = mailbox.last_link_to(EMAIL, "/account/bevestigen/")
    assert site.get(link[:-3] + "abc").status_code == 400
    assert sign_in(site, EMAIL, PASSWORD).status_code == 403


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    site: FlaskClient, mailbox: Mailbox,
) -> None:
    answer = submit(site, "/account/wachtwoord-vergeten", {"email": "niemand@school.example.org"})
    assert answer.status_code == 200 and "Kijk in je mail" in answer.get_data(as_text=True)
    assert mailbox.messages_to("niemand@school.example.org") == []


def test_ten_failed_sign_ins_from_one_address_answer_429_with_retry_after(
    site: FlaskClient, mailbox: Mailbox,
) -> None:
    verified_user(site, mailbox)
    for _ in range(10):
        assert sign_in(site, EMAIL, "fout-fout-fout-fout").status_code == 401
    limited = sign_in(site, EMAIL, PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert signed_in_as(site) is None


def test_ten_failed_sign_ins_for_one_account_lock_it_from_every_address(
    accounts_app: Flask, mailbox: Mailbox,
) -> None:
    verified_user(accounts_app.test_client(), mailbox)
    for number in range(10):
        attacker = accounts_app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        assert sign_in(attacker, EMAIL, "fout-fout-fout-fout").status_code == 401
    owner = accounts_app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    limited = sign_in(owner, EMAIL, PASSWORD)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    # Another account from that address is not affected.
    assert sign_in(owner, "ander@school.example.org", PASSWORD).status_code == 401


def test_successful_sign_ins_do_not_count_towards_the_limit(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    for _ in range(12):
        assert sign_in(site, EMAIL, PASSWORD).status_code == 302


def test_changing_the_address_takes_effect_after_its_link(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    sign_in(site, EMAIL, PASSWORD)
    new = "tess.nieuw@school.example.org"
    answer = submit(site, "/account/e-mail", {"email": new}, form_page="/account")
    assert "Kijk in je mail" in answer.get_data(as_text=True)
    assert sign_in(site, new, PASSWORD).status_code == 401
    confirmed = site.get(mailbox.last_link_to(new, "/account/e-mail/bevestigen/"))
    assert confirmed.status_code == 302
    assert new in site.get("/account").get_data(as_text=True)
    assert sign_in(site, EMAIL, PASSWORD).status_code == 401
    assert sign_in(site, new, PASSWORD).status_code == 302


def test_a_user_downloads_their_data_and_deletes_their_account(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    sign_in(site, EMAIL, PASSWORD)
    download = site.get("/account/gegevens")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert EMAIL in json.dumps(download.get_json())

    refused = submit(site, "/account/verwijderen", {"confirm": "nee"}, form_page="/account")
    assert refused.status_code == 302 and signed_in_as(site) == "Tess Leraar"

    deleted = submit(site, "/account/verwijderen", {"confirm": "VERWIJDER"}, form_page="/account")
    assert deleted.status_code == 302
    assert signed_in_as(site) is None
    assert sign_in(site, EMAIL, PASSWORD).status_code == 401


def test_account_pages_need_sign_in(site: FlaskClient) -> None:
    for path in ("/account", "/account/sleutels", "/account/gegevens"):
        response = site.get(path)
        assert response.status_code == 302
        assert "/account/inloggen" in response.headers["Location"]


def test_sign_in_returns_only_to_a_path_of_this_site(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    for target, expected in (("/account/sleutels", "/account/sleutels"),
                             ("https://evil.example.com/", "/account"), ("//evil.example.com", "/account")):
        page = site.get("/account/inloggen", query_string={"next": target})
        answer = site.post("/account/inloggen", query_string={"next": target}, data={
            "email": EMAIL, "password": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True))})
        assert answer.status_code == 302
        assert answer.headers["Location"] == expected


def test_the_privacy_page_says_what_is_kept(site: FlaskClient) -> None:
    page = site.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Argon2id" in text and "voormalige gebruiker" in text


def test_the_english_site_confirms_a_deletion_with_the_english_word(site: FlaskClient, mailbox: Mailbox) -> None:
    verified_user(site, mailbox)
    sign_in(site, EMAIL, PASSWORD)
    site.set_cookie("lang", "en")
    assert "Type DELETE to confirm" in site.get("/account").get_data(as_text=True)

    refused = submit(site, "/account/verwijderen", {"confirm": "remove"}, form_page="/account")
    assert refused.status_code == 302
    assert "Type DELETE to delete your account." in site.get("/account").get_data(as_text=True)
    assert signed_in_as(site) == "Tess Leraar"

    deleted = submit(site, "/account/verwijderen", {"confirm": "delete"}, form_page="/account")
    assert deleted.status_code == 302
    assert signed_in_as(site) is None
