"""Mail through a real SMTP server on loopback (aiosmtpd), and into the outbox without one."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from oer.mail import Mail, MailError, read_outbox, send_mail
from oer.settings import Settings
from tests.support.cli import run_oer


class Collecting:
    """An aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, Collecting]]:
    handler = Collecting()
    # aiosmtpd connects to its own port to see that it started, so it needs a real one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler
    finally:
        controller.stop()


def settings_in(home: Path, **changes: Any) -> Settings:
    base = Settings(home=home, database_url=f"sqlite:///{home / 'oer.sqlite3'}", search_url=None,
                    broker_url=None, secret_key="s")
    return dataclasses.replace(base, **changes)


def test_mail_goes_through_the_configured_smtp_server(tmp_path: Path, smtp_server: tuple[str, Collecting]) -> None:
    url, handler = smtp_server
    settings = settings_in(tmp_path, smtp_url=url, mail_from="noreply@oer.example.org")
    send_mail(settings, Mail(to="tess@school.example.org", subject="Bevestig je adres",
                             text="Volg deze link: https://oer.example.org/account/bevestigen/x"))
    [(sender, recipients)] = handler.envelopes
    assert sender == "noreply@oer.example.org" and recipients == ["tess@school.example.org"]
    [message] = handler.messages
    assert message["Subject"] == "Bevestig je adres"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "https://oer.example.org/account/bevestigen/x" in body.get_content()
    assert not settings.mail_dir.exists(), "nothing is written to the outbox when SMTP is set"


def test_an_unreachable_smtp_server_is_a_mail_error(tmp_path: Path, smtp_server: tuple[str, Collecting]) -> None:
    url, _handler = smtp_server
    closed = url.rsplit(":", 1)[0] + ":9"
    with pytest.raises(MailError, match=r"could not be reached|refused"):
        send_mail(settings_in(tmp_path, smtp_url=closed), Mail(to="a@b.example.org", subject="x", text="y"))


def test_without_smtp_mail_lands_in_the_outbox_and_oer_mail_list_shows_it(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    send_mail(settings, Mail(to="tess@school.example.org", subject="Nieuw wachtwoord", text="Link: https://x.example.org/r/1"))
    send_mail(settings, Mail(to="rik@school.example.org", subject="Welkom", text="Hallo Rik"))
    [first, second] = read_outbox(settings)
    assert (first.to, first.subject) == ("tess@school.example.org", "Nieuw wachtwoord")
    assert second.text.strip() == "Hallo Rik"
    assert not list(settings.mail_dir.glob(".*.part")), "no half-written message is left"

    listed = run_oer(settings, "mail", "list")
    assert listed.exit_code == 0, listed.output
    assert "tess@school.example.org  Nieuw wachtwoord" in listed.output
    assert "Link: https://x.example.org/r/1" in listed.output
    as_json = json.loads(run_oer(settings, "mail", "list", "--json", "--last", "1").output)
    assert [m["to"] for m in as_json] == ["rik@school.example.org"]


def test_an_empty_outbox_says_where_mail_goes(tmp_path: Path) -> None:
    listed = run_oer(settings_in(tmp_path), "mail", "list")
    assert listed.exit_code == 0
    assert "No messages in the outbox" in listed.output


def test_a_malformed_smtp_url_fails_at_start_up() -> None:
    with pytest.raises(Exception, match="OER_SMTP_URL"):
        Settings.from_env({"OER_HOME": "/tmp/x", "OER_SMTP_URL": "http://mail.example.org"})
