"""The accounts suite: users and an organisation on a migrated store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from oer.accounts import service
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind, PlatformRole
from tests.support.accounts import People


@pytest.fixture
def people(store_session: Session) -> People:
    def user(email: str, name: str) -> int:
        return service.add_user(store_session, SYSTEM, email, name).id

    beheerder = user("beheer@oer.example.org", "Bea Beheer")
    service.grant_role(store_session, SYSTEM, beheerder, PlatformRole.BEHEERDER)
    org_beheerder, redacteur, lid = (
        user("olga@school.example.org", "Olga Org"),
        user("rik@school.example.org", "Rik Redacteur"),
        user("lisa@school.example.org", "Lisa Lid"),
    )
    outsider = user("otto@elders.example.org", "Otto Outsider")
    school = service.add_organisation(
        store_session, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL, brin="12ab"
    ).id
    for member, role in ((org_beheerder, MemberRole.BEHEERDER), (redacteur, MemberRole.REDACTEUR),
                         (lid, MemberRole.LID)):
        service.add_member(store_session, SYSTEM, school, member, role)
    store_session.commit()
    return People(store_session, beheerder, org_beheerder, redacteur, lid, outsider, school)
