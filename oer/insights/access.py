"""Who may see the operators' figures (harvest health, per organisation). Pure; no I/O.

Operators and the alliance: the system (an `oer` command, a task) and anyone
signed in with a platform role (redactie, vakexpert, beheerder). The public
figures need no check: they are aggregates of what the catalogue shows anyway.
"""

from __future__ import annotations

from oer.accounts.actor import Actor


def can_see_operator_figures(actor: Actor | None) -> bool:
    return actor is not None and (actor.is_system or bool(actor.grants))
