"""An annotator's shown name in the feed: when it changes, the annotated materials change. I/O: database.

A shown annotation travels in the feed's LOM under its annotator's display
name (`oer.quality.queries.lom_annotations`), so a change of that name is a
change of what the feed shows of every material the person annotated. The one
that matters is erasure (`oer.accounts.service.delete_user` replaces the name,
AVG art. 17): the feed's stored payloads must stop naming the person, and
harvesters' copies with them. Accounts knows nothing of annotations, so this
watches what a unit of work changes: before a flush writes a user whose
display name changed, the materials with that user's shown annotations are
touched (`oer.catalogue.service.touch`), and the feed's projections rewrite
them at the commit, with a new datestamp. Names changed by an UPDATE statement
past the ORM are not seen; the accounts service changes them on the instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from oer.accounts.models import User
from oer.catalogue import service as catalogue
from oer.quality.models import ModerationState, QualityAnnotation


def watch_annotator_names() -> None:
    """Touch the annotated materials of users renamed in any session (idempotent; the composition root calls it)."""
    if not event.contains(Session, "before_flush", _touch_annotated_by_renamed):
        event.listen(Session, "before_flush", _touch_annotated_by_renamed)


def _touch_annotated_by_renamed(
    session: Session, _flush_context: Any, _instances: Sequence[Any] | None
) -> None:
    renamed = [
        user.id
        for user in session.dirty
        if isinstance(user, User)
        and user.id is not None
        and inspect(user).attrs.display_name.history.has_changes()
    ]
    if not renamed:
        return
    # Inside the flush, this query does not flush again.
    annotated = session.scalars(
        select(QualityAnnotation.resource_id)
        .where(
            QualityAnnotation.annotator_id.in_(renamed), QualityAnnotation.state == ModerationState.APPROVED
        )
        .distinct()
    )
    catalogue.touch(session, sorted(annotated))
