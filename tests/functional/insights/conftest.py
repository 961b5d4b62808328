"""Users of the populated app for the insight pages: a platform role, and none."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import PlatformRole, User
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
