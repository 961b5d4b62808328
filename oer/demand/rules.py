"""Who may do what with a wish, as plain functions of the actor. Pure; no I/O.

- Anyone asks for something and says "ik zoek dit ook" (a visitor is counted,
  a signed-in user once, by their account).
- "Wij maken dit" is said in an organisation's name by whoever publishes in
  its name (its redacteuren and beheerders, `can_publish_for`), or in the
  platform's name by the redactie (`can_curate`): a plain account, or an
  organisation's lid, does not promise material for others.
- Material is linked to an answer by whoever may answer in the answer's name.
- Purging the anonymous counts is the operator's (the system).
"""

from __future__ import annotations

from oer.accounts.actor import Actor, can_curate, can_publish_for


def can_answer_wish(actor: Actor, organisation_id: int | None) -> bool:
    """May say "wij maken dit" in the organisation's name (None: the redactie's)."""
    if organisation_id is None:
        return can_curate(actor)
    return can_publish_for(actor, organisation_id)


def can_link_material(actor: Actor, organisation_id: int | None) -> bool:
    """May link the published material to an answer given in the organisation's name (None: the redactie's)."""
    return can_answer_wish(actor, organisation_id)


def can_purge_counts(actor: Actor) -> bool:
    return actor.is_system
