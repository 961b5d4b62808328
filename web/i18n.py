"""The site's languages: Dutch by default, English available; the choice kept in a cookie. I/O: HTTP.

The site is Dutch unless the visitor chose English with the language switch
(the `lang` cookie, remembered for a year): a first visit is Dutch whatever
the browser's Accept-Language, because the site is for Dutch schools and an
English browser is no choice of the visitor's. The JSON API (`/api/`) also
honours Accept-Language, an API client's explicit choice. Texts in
the code and templates are written in Dutch; `web/translations/en` holds the
English catalogue (its compiled `.mo` is kept beside the `.po`; see
`web/translations/README.md`).

The templates translate, count and date through `Formats`, which gives what
Flask-Babel gives but looks each catalogue up once per language and each
formatted date up once per day, format and language: a results page says a
hundred texts and numbers, and Flask-Babel's per-call lookups were a large
part of its rendering time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import flask_babel
from babel import Locale, numbers
from babel.support import NullTranslations
from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import Babel, get_locale, get_translations, to_user_timezone
from werkzeug.wrappers import Response as BaseResponse

from web.redirects import safe_next

DEFAULT_LANGUAGE = "nl"
# Language code -> its own name (the switch names each language in that language).
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

blueprint = Blueprint("i18n", __name__)


API_PREFIX = "/api/"


def select_language() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if request.path.startswith(API_PREFIX):
        return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def locale_key() -> str:
    """The request's locale as Flask-Babel keys its catalogues (`nl`, `en`); "" outside a request."""
    locale = get_locale()
    return str(locale) if locale is not None else ""


@lru_cache(maxsize=16)
def whole_number_format(locale: Locale) -> Callable[[int], str] | None:
    """Whole numbers as babel's `format_decimal` writes them in `locale`, without its pattern machinery.

    Digits grouped by three with the locale's group symbol (`nl`: 12.345, `en`:
    12,345); taken only when it gives what babel gives for every probe, else
    None and babel formats (a locale that groups otherwise).
    """
    symbol = numbers.get_group_symbol(locale)

    def grouped(number: int) -> str:
        return f"{number:,}".replace(",", symbol)

    probes = (0, 7, 42, 999, 1_000, 9_999, 12_345, 100_000, 1_234_567, 987_654_321, -1, -1_234)
    if all(grouped(probe) == numbers.format_decimal(probe, locale=locale) for probe in probes):
        return grouped
    return None


class Formats:
    """The templates' gettext, `numberformat` and `dateformat`: Flask-Babel's results, looked up less.

    Each app has its own (its Flask-Babel configuration could differ). The
    catalogue is Flask-Babel's own for the request's locale, kept here by the
    locale's name as Flask-Babel keys it, so a locale switched within a request
    (`flask_babel.force_locale`) is still followed.
    """

    # Formatted dates kept (days x formats x languages): a catalogue's dates span a few thousand days.
    DATES = 20_000

    def __init__(self) -> None:
        self._catalogues: dict[str, NullTranslations] = {}
        self._dates: dict[Hashable, str] = {}

    def translations(self) -> NullTranslations:
        key = locale_key()
        found = self._catalogues.get(key)
        if found is None:
            found = self._catalogues[key] = get_translations()
        return found

    def gettext(self, message: str) -> str:
        return self.translations().ugettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations().ungettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations().upgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return self.translations().unpgettext(context, singular, plural, count)

    def format_number(self, number: Any) -> str:
        """The `numberformat` filter: whole numbers (every count) without babel's pattern machinery."""
        locale = get_locale()
        if type(number) is int and locale is not None:
            grouped = whole_number_format(locale)
            if grouped is not None:
                return grouped(number)
        return str(flask_babel.format_number(number))

    def format_date(self, value: date | datetime | None = None, format: str | None = None,
                    rebase: bool = True) -> str:
        """The `dateformat` filter: a moment in the visitor's time zone, formatted once per day, format and language."""
        if value is None:
            return str(flask_babel.format_date(value, format, rebase))
        if rebase and isinstance(value, datetime):
            value = to_user_timezone(value)
        # babel formats a datetime's date: the day is all that counts.
        day = value.date() if isinstance(value, datetime) else value
        key = (locale_key(), day, format)
        found = self._dates.get(key)
        if found is None:
            if len(self._dates) >= self.DATES:
                self._dates.clear()
            found = self._dates[key] = str(flask_babel.format_date(day, format, rebase=False))
        return found


@blueprint.post("/language")
def switch_language() -> BaseResponse:
    """Remember the chosen language and go back to the page the visitor was on."""
    language = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or "/", code=303)
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
            secure=request.is_secure,
        )
    return response


def _template_globals() -> dict[str, Any]:
    return {"languages": LANGUAGES, "current_language": current_language}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    Babel(app, locale_selector=select_language)
    # After Babel, which installed its own: the same catalogues and formats, found with fewer lookups.
    formats = Formats()
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=formats.gettext, ngettext=formats.ngettext, newstyle=True,
        pgettext=formats.pgettext, npgettext=formats.npgettext,
    )
    app.jinja_env.filters.update(numberformat=formats.format_number, dateformat=formats.format_date)
    app.extensions["oer_formats"] = formats
    app.jinja_env.globals.update(_template_globals())
    app.register_blueprint(blueprint)

    @app.after_request
    def vary_on_language(response: Response) -> Response:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
