"""The accounts suite's people: ids of users and an organisation, and the password they share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from oer.accounts.actor import Actor
from oer.accounts.queries import load_actor

PASSWORD = "paars-fietsrek-onder-de-brug"


@dataclass(frozen=True)
class People:
    """Ids of the suite's users and organisation; `actor` reads one's roles as they are now."""

    session: Session
    beheerder: int
    org_beheerder: int
    redacteur: int
    lid: int
    outsider: int
    school: int

    def actor(self, user_id: int) -> Actor:
        return load_actor(self.session, user_id)
