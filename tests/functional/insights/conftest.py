"""Users of the populated app for the insight pages: a platform role, and none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, select

from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import Organisation, OrganisationKind, PlatformRole, User
from oer.harvesting.models import Source, SourceOwner
from tests.support.insights import OPERATOR, PASSWORD, TEACHER
from web.runtime import app_runtime


@pytest.fixture
def insight_users(app: Flask) -> tuple[str, str]:
    """(operator e-mail, teacher e-mail), made once in the populated app (redactie and no role)."""
    with app_runtime(app).sessions.begin() as db:
        if db.scalars(select(User.id).where(User.email == OPERATOR)).first() is None:
            operator = accounts.add_user(db, SYSTEM, OPERATOR, "Ina Inzicht", password=PASSWORD,
                                         email_verified=True).id
            accounts.grant_role(db, SYSTEM, operator, PlatformRole.REDACTIE)
            accounts.add_user(db, SYSTEM, TEACHER, "Tom Leraar", password=PASSWORD, email_verified=True)
    return OPERATOR, TEACHER


@pytest.fixture
def insight_organisation(app: Flask) -> Iterator[tuple[str, str]]:
    """(slug, source name): an organisation in the populated app that owns its first source; removed after."""
    runtime = app_runtime(app)
    with runtime.sessions.begin() as db:
        organisation = accounts.add_organisation(db, SYSTEM, "inzicht-bron", "Inzicht Bron",
                                                 OrganisationKind.INSTELLING).id
        source = db.scalars(select(Source).order_by(Source.name)).first()
        assert source is not None
        db.add(SourceOwner(source_id=source.id, organisation_id=organisation))
        name = source.name
    try:
        yield "inzicht-bron", name
    finally:
        with runtime.sessions.begin() as db:
            db.execute(delete(SourceOwner).where(SourceOwner.organisation_id == organisation))
            db.execute(delete(Organisation).where(Organisation.id == organisation))
