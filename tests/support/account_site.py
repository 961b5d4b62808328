"""Driving the account pages with Flask's test client: forms with their CSRF token, mailed links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from oer.mail import read_outbox
from oer.settings import Settings

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LINK = re.compile(r"https?://\S+")


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "the page has a form with a CSRF token"
    return match.group(1)


def submit(client: FlaskClient, path: str, data: dict[str, str], *, form_page: str | None = None) -> TestResponse:
    """POST `data` to `path` with the CSRF token of the form on `form_page` (default: `path`)."""
    page = client.get(form_page or path)
    return client.post(path, data={**data, "csrf_token": csrf_of(page.get_data(as_text=True))})


@dataclass(frozen=True)
class Mailbox:
    settings: Settings

    def messages_to(self, address: str) -> list[str]:
        return [m.text for m in read_outbox(self.settings) if m.to == address]

    def last_link_to(self, address: str, contains: str) -> str:
        """The path (and query) of the newest mailed link to `address` containing `contains`."""
        for text in reversed(self.messages_to(address)):
            for link in _LINK.findall(text):
                if contains in link:
                    return re.sub(r"^https?://[^/]+", "", link)
        raise AssertionError(f"no mail to {address} with a link containing {contains!r}")


def register(client: FlaskClient, email: str, password: str, name: str = "Tess Leraar") -> TestResponse:
    return submit(client, "/account/registreren", {"display_name": name, "email": email, "password": password})


def sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    return submit(client, "/account/inloggen", {"email": email, "password": password})


def signed_in_as(client: FlaskClient) -> str | None:
    """The display name the header shows, or None for a visitor."""
    html = client.get("/privacy").get_data(as_text=True)
    match = re.search(r'<a href="/account">([^<]+)</a>', html)
    return match.group(1) if match else None


def app_settings(app: Flask) -> Settings:
    settings: Settings = app.config["OER_SETTINGS"]
    return settings
