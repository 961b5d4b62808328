"""The publishing pages and API on a fresh migrated store (SQLite and PostgreSQL), with people signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind
from oer.settings import Settings
from tests.support.account_site import sign_in
from tests.support.accounts import PASSWORD
from tests.support.publishing_site import Publishers
from web.app import create_app
from web.runtime import app_runtime


@pytest.fixture
def publishing_app(store_settings: Settings) -> Iterator[Flask]:
    store_settings.home.mkdir(parents=True, exist_ok=True)
    app = create_app({"OER_SETTINGS": store_settings, "TESTING": True})
    yield app
    app.extensions["oer_runtime"].close()


@pytest.fixture
def sessions(publishing_app: Flask) -> sessionmaker[Session]:
    return app_runtime(publishing_app).sessions


@pytest.fixture
def publishers(publishing_app: Flask, sessions: sessionmaker[Session]) -> Publishers:
    """A school with a redacteur and a lid, a verified teacher, an unverified one; none signed in."""
    with sessions.begin() as db:
        def user(email: str, name: str, verified: bool = True) -> int:
            return service.add_user(db, SYSTEM, email, name, password=PASSWORD, email_verified=verified).id

        redacteur, lid = user("rik@school.example.org", "Rik Redacteur"), user("lisa@school.example.org", "Lisa Lid")
        teacher, unverified = user("tess@elders.example.org", "Tess Leraar"), user("uma@x.example.org", "Uma", False)
        school = service.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        service.add_member(db, SYSTEM, school, redacteur, MemberRole.REDACTEUR)
        service.add_member(db, SYSTEM, school, lid, MemberRole.LID)
    return Publishers(publishing_app, school, redacteur, lid, teacher, unverified)


@pytest.fixture
def redacteur(publishing_app: Flask, publishers: Publishers) -> FlaskClient:
    client = publishing_app.test_client()
    assert sign_in(client, "rik@school.example.org", PASSWORD).status_code == 302
    return client


@pytest.fixture
def teacher(publishing_app: Flask, publishers: Publishers) -> FlaskClient:
    client = publishing_app.test_client()
    assert sign_in(client, "tess@elders.example.org", PASSWORD).status_code == 302
    return client
