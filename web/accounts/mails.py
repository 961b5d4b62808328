"""The account e-mails: what they say, in Dutch with English below. I/O: sends mail.

Plain text with one link each; links are absolute URLs of this site, built
from the request that caused the mail.
"""

from __future__ import annotations

from flask import current_app, url_for

from oer.accounts.links import LinkPurpose, make_link_token
from oer.mail import Mail, send_mail
from oer.settings import Settings


def _settings() -> Settings:
    settings: Settings = current_app.config["OER_SETTINGS"]
    return settings


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _send(to: str, subject: str, dutch: str, english: str) -> None:
    settings = _settings()
    text = f"{dutch}\n\n-- English --\n\n{english}\n\n{settings.repository_name}\n"
    send_mail(settings, Mail(to=to, subject=subject, text=text))


def send_verification(user_id: int, email: str) -> None:
    token = make_link_token(_secret(), LinkPurpose.VERIFY_EMAIL, {"user": user_id, "email": email})
    link = url_for("accounts.verify", token=token, _external=True)
    _send(
        email, "Bevestig je e-mailadres / Confirm your e-mail address",
        f"Welkom! Bevestig je e-mailadres met deze link (3 dagen geldig):\n{link}\n\n"
        "Heb je geen account aangemaakt? Dan kun je deze mail negeren.",
        f"Welcome! Confirm your e-mail address with this link (valid for 3 days):\n{link}\n\n"
        "Did not sign up? Then ignore this mail.",
    )


def send_already_registered(email: str) -> None:
    link = url_for("accounts.forgot_password", _external=True)
    _send(
        email, "Je hebt al een account / You already have an account",
        "Iemand probeerde een account aan te maken met dit e-mailadres, maar dat account bestaat al. "
        f"Wachtwoord vergeten? Vraag hier een nieuw aan:\n{link}",
        "Someone tried to sign up with this address, which already has an account. "
        f"Forgot your password? Ask for a new one here:\n{link}",
    )


def send_reset(user_id: int, email: str, fingerprint: str) -> None:
    token = make_link_token(_secret(), LinkPurpose.RESET_PASSWORD, {"user": user_id, "fp": fingerprint})
    link = url_for("accounts.reset_password", token=token, _external=True)
    _send(
        email, "Nieuw wachtwoord instellen / Set a new password",
        f"Stel met deze link een nieuw wachtwoord in. De link werkt één keer en een uur lang:\n{link}\n\n"
        "Heb je dit niet gevraagd? Dan blijft je wachtwoord zoals het is.",
        f"Set a new password with this link. It works once, for one hour:\n{link}\n\n"
        "Did not ask for this? Then your password stays as it is.",
    )


def send_email_change(user_id: int, new_email: str) -> None:
    token = make_link_token(_secret(), LinkPurpose.CHANGE_EMAIL, {"user": user_id, "email": new_email})
    link = url_for("accounts.confirm_email_change", token=token, _external=True)
    _send(
        new_email, "Bevestig je nieuwe e-mailadres / Confirm your new e-mail address",
        f"Bevestig met deze link dat dit je nieuwe e-mailadres is (24 uur geldig):\n{link}",
        f"Confirm with this link that this is your new e-mail address (valid for 24 hours):\n{link}",
    )
