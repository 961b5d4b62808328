"""The wensenlijst's e-mail: material was linked to a wish you asked for. I/O: sends mail.

Sent only to those who asked while signed in and agreed (the demand service
picks them); plain text, in Dutch with English below, one link each.
"""

from __future__ import annotations

import logging

from flask import current_app, url_for

from oer.mail import Mail, MailError, send_mail
from oer.settings import Settings

log = logging.getLogger(__name__)


def send_material_linked(addresses: list[str], wish_id: int, resource_id: str) -> int:
    """Tell each address that the wish has material; how many were sent (a failure is logged, not raised)."""
    settings: Settings = current_app.config["OER_SETTINGS"]
    wish_link = url_for("demand.page", wish_id=wish_id, _external=True)
    material_link = url_for("site.resource", resource_id=resource_id, _external=True)
    text = (
        "Er is materiaal voor een wens op de wensenlijst waarvan je liet weten dat je het ook zocht:\n"
        f"{material_link}\n\nDe wens: {wish_link}\n\n-- English --\n\n"
        "There is material for a wish you asked for too:\n"
        f"{material_link}\n\nThe wish: {wish_link}\n\n{settings.repository_name}\n"
    )
    sent = 0
    for address in addresses:
        try:
            send_mail(settings, Mail(to=address, subject="Er is materiaal voor je wens / Material for your wish",
                                     text=text))
        except MailError as error:
            log.warning("wish %s: no mail to one supporter: %s", wish_id, error)
        else:
            sent += 1
    return sent
