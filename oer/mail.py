"""Sending mail: through an SMTP server by settings, or into OER_HOME/mail. I/O: network or files.

`OER_SMTP_URL` (smtp://USER:PASSWORD@HOST:PORT, STARTTLS when the server offers
it; smtps:// for TLS from the start) sends through that server. Unset, every
message is written as one `.eml` file to `OER_HOME/mail/` (the outbox), and
`oer mail list` shows them, so sign-up and password reset work on the embedded
defaults without a mail server. Messages are plain text: links in them are the
only thing a user acts on, and text can carry no script.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from oer.errors import OerError
from oer.settings import Settings

SMTP_TIMEOUT = 20.0


class MailError(OerError):
    """A message could not be handed to the mail server."""


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    path: Path
    to: str
    subject: str
    date: str
    text: str


def compose(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{settings.repository_name} <{settings.mail_from}>"
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2])
    message.set_content(mail.text)
    return message


def send_mail(settings: Settings, mail: Mail) -> None:
    """Send one message (SMTP), or write it to the outbox when no server is configured."""
    message = compose(settings, mail)
    if settings.smtp_url is None:
        _write_outbox(settings.mail_dir, message)
        return
    try:
        _send_smtp(settings.smtp_url, message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server refused or could not be reached: {error}") from error


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        with smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT,
                              context=ssl.create_default_context()) as smtp:
            _login(smtp, parts.username, parts.password)
            smtp.send_message(message)
        return
    with smtplib.SMTP(host, parts.port or 587, timeout=SMTP_TIMEOUT) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        _login(smtp, parts.username, parts.password)
        smtp.send_message(message)


def _login(smtp: smtplib.SMTP, user: str | None, password: str | None) -> None:
    if user:
        smtp.login(unquote(user), unquote(password or ""))


def _write_outbox(folder: Path, message: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    # Written under a temporary name and renamed: a reader never sees half a message.
    target = folder / f"{stamp}.eml"
    partial = folder / f".{stamp}.eml.part"
    partial.write_bytes(message.as_bytes(policy=policy.SMTP))
    partial.replace(target)


def read_outbox(settings: Settings) -> list[OutboxMessage]:
    """The outbox's messages, oldest first."""
    if not settings.mail_dir.is_dir():
        return []
    found = []
    for path in sorted(settings.mail_dir.glob("*.eml")):
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = parsed.get_body(preferencelist=("plain",))
        found.append(OutboxMessage(
            path=path,
            to=str(parsed["To"]),
            subject=str(parsed["Subject"]),
            date=str(parsed["Date"]),
            text=body.get_content() if body is not None else "",
        ))
    return found
