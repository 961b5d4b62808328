"""The account pages under /account: register, verify, sign in and out, reset, profile, tokens, data.

Views parse forms, call `oer.accounts.service` with an actor (the signed-in
user's, or the self-service channel before sign-in), and render. Answers about
an address never tell whether it is registered: registering an address in use
and asking a reset for an unknown one show the same page as success (the
owner of an address in use gets a mail instead). Sign-in, registration and
reset are rate limited per address and per account (`web.accounts.limits`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from oer.accounts import service
from oer.accounts.errors import (
    AccountsError,
    DuplicateUser,
    EmailNotVerified,
    ExpiredLink,
    InvalidAccountData,
    InvalidLink,
    SignInFailed,
    UnknownToken,
    UnknownUser,
    WeakPassword,
)
from oer.accounts.links import LinkPurpose, read_link_token
from oer.accounts.models import Locale, TokenScope
from oer.accounts.queries import find_user_by_email, list_tokens, reset_fingerprint
from oer.accounts.validation import normalise_email
from oer.quality.queries import contributions_of
from web.accounts import mails
from web.accounts.forms import (
    DELETE_WORD,
    ChangeEmailForm,
    ConfirmForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    NewPasswordForm,
    RegisterForm,
    SignInForm,
    TokenForm,
)
from web.accounts.session import sign_in, sign_out, signed_in, signed_in_actor
from web.redirects import safe_next
from web.runtime import app_runtime, read_session

AnyResponse = Response | BaseResponse | str


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _write_session() -> Any:
    return app_runtime().sessions.begin()


def _password_problem(error: AccountsError) -> str:
    text = str(error)
    if not isinstance(error, WeakPassword):
        return str(_("Dit klopt niet. Controleer wat je hebt ingevuld."))
    if "at least" in text:
        return str(_("Een wachtwoord heeft minstens 12 tekens."))
    if "e-mail address or name" in text:
        return str(_("Een wachtwoord mag je e-mailadres of naam niet bevatten."))
    return str(_("Dit wachtwoord wordt te vaak gebruikt of is te voorspelbaar. Kies een ander."))


def _locale() -> Locale:
    from web.i18n import current_language

    return Locale.EN if current_language() == "en" else Locale.NL


# -- registration and verification -----------------------------------------------------------


def register() -> AnyResponse:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with _write_session() as db:
                registration = service.register(
                    db, form.email.data, form.display_name.data, form.password.data, locale=_locale())
        except WeakPassword as error:
            form.password.errors.append(_password_problem(error))
        except InvalidAccountData:
            form.email.errors.append(_("Vul een geldig e-mailadres en een naam in."))
        else:
            if registration.created:
                mails.send_verification(registration.user_id, registration.email)
            else:
                mails.send_already_registered(registration.email)
            return render_template("accounts/check_mail.html", reason="register")
    return render_template("accounts/register.html", form=form)


def verify(token: str) -> AnyResponse:
    try:
        payload = read_link_token(_secret(), LinkPurpose.VERIFY_EMAIL, token)
        with _write_session() as db:
            service.confirm_email(db, int(payload["user"]), str(payload["email"]))
    except ExpiredLink:
        return _link_problem("expired", 400)
    except (InvalidLink, UnknownUser, KeyError, ValueError):
        return _link_problem("invalid", 400)
    flash(_("Je e-mailadres is bevestigd. Je kunt nu inloggen."))
    return redirect(url_for("accounts.sign_in"))


def _link_problem(kind: str, status: int) -> Response:
    response = Response(render_template("accounts/link_problem.html", kind=kind))
    response.status_code = status
    return response


# -- sign-in and sign-out --------------------------------------------------------------------


def sign_in_page() -> AnyResponse:
    form = SignInForm()
    next_path = safe_next(request.values.get("next"))
    status = 200
    if form.validate_on_submit():
        try:
            with _write_session() as db:
                user_id = service.check_sign_in(db, form.email.data, form.password.data)
        except SignInFailed:
            g.sign_in_failed = True
            status = 401
            form.password.errors.append(_("Dit e-mailadres en wachtwoord horen niet bij elkaar."))
        except EmailNotVerified:
            g.sign_in_failed = True
            status = 403
            form.email.errors.append(
                _("Bevestig eerst je e-mailadres met de link in de mail die we je stuurden."))
        else:
            sign_in(user_id, remember=bool(form.remember.data))
            return redirect(next_path or url_for("accounts.profile"))
    elif request.method == "POST":
        status = 400
    response = Response(render_template(
        "accounts/sign_in.html", form=form, next_path=next_path,
        sso=current_app.config["OER_SETTINGS"].oidc_enabled))
    response.status_code = status
    return response


def sign_out_view() -> AnyResponse:
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out()
        flash(_("Je bent uitgelogd."))
    return redirect(url_for("site.index"))


# -- password reset --------------------------------------------------------------------------


def forgot_password() -> AnyResponse:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with read_session() as db:
            user = find_user_by_email(db, form.email.data)
            fingerprint = reset_fingerprint(db, user.id) if user is not None else None
        if user is not None and fingerprint is not None:
            mails.send_reset(user.id, user.email, fingerprint)
        return render_template("accounts/check_mail.html", reason="reset")
    return render_template("accounts/forgot_password.html", form=form)


def reset_password(token: str) -> AnyResponse:
    try:
        payload = read_link_token(_secret(), LinkPurpose.RESET_PASSWORD, token)
        user_id, fingerprint = int(payload["user"]), str(payload["fp"])
        with read_session() as db:
            if reset_fingerprint(db, user_id) != fingerprint:
                raise InvalidLink("used")
    except ExpiredLink:
        return _link_problem("expired", 400)
    except (InvalidLink, KeyError, ValueError):
        return _link_problem("used", 400)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            with _write_session() as db:
                service.reset_password(db, user_id, fingerprint, form.password.data)
        except WeakPassword as error:
            form.password.errors.append(_password_problem(error))
        except (InvalidLink, UnknownUser):
            return _link_problem("used", 400)
        else:
            flash(_("Je nieuwe wachtwoord is ingesteld. Log ermee in."))
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


# -- the signed-in user's own pages ----------------------------------------------------------


@signed_in
def profile() -> AnyResponse:
    return render_template(
        "accounts/profile.html", user=current_user.view, email_form=ChangeEmailForm(),
        confirm=ConfirmForm(), delete_form=DeleteAccountForm())


@signed_in
def change_email() -> AnyResponse:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            address = normalise_email(form.email.data)
        except InvalidAccountData:
            flash(_("Vul een geldig e-mailadres in."), "error")
            return redirect(url_for("accounts.profile"))
        with read_session() as db:
            taken = find_user_by_email(db, address) is not None
        # The same answer whether the address is taken: only its owner learns by mail.
        if not taken:
            mails.send_email_change(current_user.view.id, address)
        return render_template("accounts/check_mail.html", reason="change")
    return redirect(url_for("accounts.profile"))


@signed_in
def confirm_email_change(token: str) -> AnyResponse:
    try:
        payload = read_link_token(_secret(), LinkPurpose.CHANGE_EMAIL, token)
        user_id = int(payload["user"])
        if user_id != current_user.view.id:
            raise InvalidLink("another user's link")
        with _write_session() as db:
            service.change_email(db, signed_in_actor(), user_id, str(payload["email"]))
    except ExpiredLink:
        return _link_problem("expired", 400)
    except (InvalidLink, DuplicateUser, KeyError, ValueError):
        return _link_problem("invalid", 400)
    flash(_("Je e-mailadres is gewijzigd."))
    return redirect(url_for("accounts.profile"))


@signed_in
def tokens() -> AnyResponse:
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        scopes = [scope for scope, wanted in (
            (TokenScope.PUBLISH, form.scope_publish.data),
            (TokenScope.ANNOTATE, form.scope_annotate.data),
            (TokenScope.CURATE, form.scope_curate.data),
        ) if wanted]
        if not scopes:
            form.scope_publish.errors.append(_("Kies minstens één ding dat de sleutel mag."))
        else:
            created = _create_token(form, scopes)
    with read_session() as db:
        listed = list_tokens(db, current_user.view.id)
    response = Response(render_template(
        "accounts/tokens.html", form=form, tokens=listed, created=created, confirm=ConfirmForm()))
    # The page may show a secret once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _create_token(form: TokenForm, scopes: list[TokenScope]) -> service.CreatedToken | None:
    try:
        with _write_session() as db:
            return service.create_token(db, signed_in_actor(), current_user.view.id, form.name.data, scopes)
    except InvalidAccountData:
        form.name.errors.append(_("Geef de sleutel een naam van hoogstens 100 tekens."))
        return None


@signed_in
def revoke_token(token_id: int) -> AnyResponse:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with read_session() as db:
        owned = any(token.id == token_id for token in list_tokens(db, current_user.view.id))
    if not owned:
        abort(404)
    try:
        with _write_session() as db:
            service.revoke_token(db, signed_in_actor(), token_id)
    except UnknownToken:
        abort(404)
    flash(_("De sleutel is ingetrokken."))
    return redirect(url_for("accounts.tokens"))


@signed_in
def download_data() -> AnyResponse:
    with _write_session() as db:
        data = service.export_user_data(db, signed_in_actor(), current_user.view.id)
        # What the quality domain keeps of the user (accounts reads no other domain).
        data["quality"] = contributions_of(db, current_user.view.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mijn-gegevens.json"',
        "Cache-Control": "no-store",
    })


@signed_in
def delete_account() -> AnyResponse:
    form = DeleteAccountForm()
    if not form.validate_on_submit() or not form.confirmed():
        flash(_("Typ %(word)s om je account te verwijderen.", word=DELETE_WORD), "error")
        return redirect(url_for("accounts.profile"))
    user_id = current_user.view.id
    with _write_session() as db:
        service.delete_user(db, signed_in_actor(), user_id)
    sign_out()
    flash(_("Je account en je persoonsgegevens zijn verwijderd."))
    return redirect(url_for("site.index"))


def privacy() -> AnyResponse:
    return render_template("accounts/privacy.html")


def build_blueprint(limits: Any) -> Blueprint:
    """The /account blueprint of one app, its abuse limits bound to that app's limiter."""
    blueprint = Blueprint("accounts", __name__, url_prefix="/account")
    rules: list[tuple[str, str, Any, list[str]]] = [
        ("/registreren", "register", limits.registration(register), ["GET", "POST"]),
        ("/bevestigen/<token>", "verify", verify, ["GET"]),
        ("/inloggen", "sign_in", limits.sign_in(sign_in_page), ["GET", "POST"]),
        ("/uitloggen", "sign_out", sign_out_view, ["POST"]),
        ("/wachtwoord-vergeten", "forgot_password", limits.reset(forgot_password), ["GET", "POST"]),
        ("/wachtwoord-herstellen/<token>", "reset_password", reset_password, ["GET", "POST"]),
        ("", "profile", profile, ["GET"]),
        ("/e-mail", "change_email", limits.reset(change_email), ["POST"]),
        ("/e-mail/bevestigen/<token>", "confirm_email_change", confirm_email_change, ["GET"]),
        ("/sleutels", "tokens", tokens, ["GET", "POST"]),
        ("/sleutels/<int:token_id>/intrekken", "revoke_token", revoke_token, ["POST"]),
        ("/gegevens", "download_data", download_data, ["GET"]),
        ("/verwijderen", "delete_account", delete_account, ["POST"]),
    ]
    for rule, endpoint, view, methods in rules:
        blueprint.add_url_rule(rule, endpoint, view, methods=methods)
    return blueprint
