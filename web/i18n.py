"""The site's languages: Dutch by default, English available; the choice kept in a cookie. I/O: HTTP.

The language is, in order: the visitor's choice (the `lang` cookie, set by
the language switch), the best match in Accept-Language, else Dutch. Texts in
the code and templates are written in Dutch; `web/translations/en` holds the
English catalogue (its compiled `.mo` is kept beside the `.po`; see
`web/translations/README.md`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, redirect, request
from flask_babel import Babel, get_locale
from werkzeug.wrappers import Response as BaseResponse

from web.redirects import safe_next

DEFAULT_LANGUAGE = "nl"
# Language code -> its own name (the switch names each language in that language).
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

blueprint = Blueprint("i18n", __name__)


def select_language() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


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
    app.jinja_env.globals.update(_template_globals())
    app.register_blueprint(blueprint)

    @app.after_request
    def vary_on_language(response: Response) -> Response:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
