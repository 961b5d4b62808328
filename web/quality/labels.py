"""Names of quality criteria, values, roles and search tokens in the visitor's language. I/O: database.

The framework is data (`schemas/quality/`), so its names come from the
version current in the database, read once per request and kept on
`flask.g`. The search pages, which show the framework's criteria on every
page, take the version the app read in the last `FRAMEWORK_MAX_AGE` seconds
(`CurrentFramework`): a new version is made current by `oer quality load`,
another process, so a worker cannot be told; it notices within that time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from flask import Flask, current_app, g
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import SQLAlchemyError

from metadata.quality import AT_LEAST, EQUALS, ROLE_MARK, AnnotatorRole, Framework, bundled_framework
from oer.quality.queries import current_framework
from oer.store.errors import StoreError
from web.i18n import current_language
from web.runtime import read_session

log = logging.getLogger(__name__)

ROLE_LABELS: Mapping[str, LazyString] = {
    AnnotatorRole.AUTEUR.value: _l("Auteur"),
    AnnotatorRole.VAKEXPERT.value: _l("Vakexpert"),
    AnnotatorRole.LERAAR.value: _l("Leraar"),
    AnnotatorRole.LEERLING.value: _l("Leerling"),
    AnnotatorRole.OUDER.value: _l("Ouder"),
    AnnotatorRole.REDACTIE.value: _l("Redactie"),
}


EXTENSION = "oer_quality_framework"
# Seconds a search page may name criteria by the version its worker read before: every search page
# shows the framework's criteria, and a query for them was a tenth of the page's time.
FRAMEWORK_MAX_AGE = 10.0


class CurrentFramework:
    """The current framework version as this app last read it from the database.

    A failed read is not kept: it raises, and the next call reads again.
    """

    def __init__(self, read: Callable[[], Framework], clock: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self._clock = clock
        self._kept: tuple[float, Framework] | None = None

    def get(self, max_age: float = 0.0) -> Framework:
        """The version read at most `max_age` seconds ago, else read now."""
        kept = self._kept
        now = self._clock()
        if kept is not None and now - kept[0] < max_age:
            return kept[1]
        found = self._read()
        self._kept = (now, found)
        return found


def _read_current_framework() -> Framework:
    with read_session() as db:
        return current_framework(db)


def init_app(app: Flask, clock: Callable[[], float] = time.monotonic) -> None:
    app.extensions[EXTENSION] = CurrentFramework(_read_current_framework, clock)


def framework(max_age: float = 0.0) -> Framework:
    """The current framework version, the same one for the whole request.

    `max_age`: a version the app read at most that many seconds ago will do
    (the search pages give `FRAMEWORK_MAX_AGE`). Search pages name criteria
    with it and must keep working while the database is down (they read the
    index only): then the bundled version names them.
    """
    found: Framework | None = g.get("quality_framework")
    if found is None:
        current: CurrentFramework = current_app.extensions[EXTENSION]
        try:
            found = current.get(max_age)
        except (SQLAlchemyError, StoreError) as error:
            log.warning("quality framework not read (the bundled version names criteria): %s", error)
            found = bundled_framework()
        g.quality_framework = found
    return found


def role_label(role: str | AnnotatorRole) -> str:
    code = role.value if isinstance(role, AnnotatorRole) else role
    label = ROLE_LABELS.get(code)
    return str(label) if label is not None else code


def criterion_label(criterion_id: str) -> str:
    criterion = framework().criteria.get(criterion_id)
    return criterion.label(current_language()) if criterion else criterion_id


def scale_label(criterion_id: str, value: str) -> str:
    criterion = framework().criteria.get(criterion_id)
    found = criterion.scale.value(value) if criterion else None
    return found.label(current_language()) if found else value


def token_label(token: str) -> str:
    """A search token (`metadata.quality.detail_token`) said in words."""
    rest, at_least, value = token, False, None
    if AT_LEAST in rest:
        rest, value = rest.split(AT_LEAST, 1)
        at_least = True
    elif EQUALS in rest:
        rest, value = rest.split(EQUALS, 1)
    criterion, _, role = rest.partition(ROLE_MARK)
    text = criterion_label(criterion)
    if role:
        text = gettext("%(criterion)s, door %(role)s", criterion=text, role=role_label(role).lower())
    if value:
        shown = scale_label(criterion, value)
        text = (gettext("%(text)s: ten minste %(value)s", text=text, value=shown.lower()) if at_least
                else gettext("%(text)s: %(value)s", text=text, value=shown.lower()))
    return text
