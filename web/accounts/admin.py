"""/beheer: the platform beheerders' page: users and their roles, organisations, the audit log.

Only a platform beheerder may see or post here (403 for everyone else, a
sign-in page for visitors). Every change goes through `oer.accounts.service`
with the beheerder's actor, so the audit log records who did it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from oer.accounts import service
from oer.accounts.actor import Actor, is_platform_beheerder
from oer.accounts.errors import AccountsError, DuplicateRoleGrant, UnknownRoleGrant
from oer.accounts.models import EMAIL_LENGTH, OrganisationKind, PlatformRole
from oer.accounts.queries import audit_log, find_user_by_email, list_organisations, list_users
from oer.accounts.validation import NAME_LENGTH
from web.accounts.session import signed_in, signed_in_actor
from web.runtime import app_runtime, read_session

blueprint = Blueprint("admin", __name__, url_prefix="/beheer")
# The highest audit log page asked for (50 events a page: 50 million events).
LAST_AUDIT_PAGE = 1_000_000
_REQUIRED = _l("Vul dit veld in.")


class RoleForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mailadres van de gebruiker"), validators=[DataRequired(_REQUIRED), Length(max=EMAIL_LENGTH)])
    role = SelectField(_l("Rol"), choices=[
        SelectChoice(PlatformRole.REDACTIE.value, _l("redactie")),
        SelectChoice(PlatformRole.VAKEXPERT.value, _l("vakexpert")),
        SelectChoice(PlatformRole.BEHEERDER.value, _l("beheerder")),
    ])
    discipline = StringField(_l("Vak (alleen voor een vakexpert)"), validators=[Optional(), Length(max=100)])


class OrganisationForm(FlaskForm):  # type: ignore[misc]
    slug = StringField(_l("Korte naam in de URL"), validators=[DataRequired(_REQUIRED), Length(max=60)])
    name = StringField(_l("Naam"), validators=[DataRequired(_REQUIRED), Length(max=NAME_LENGTH)])
    kind = SelectField(_l("Soort"), choices=[SelectChoice(kind.value, kind.value) for kind in OrganisationKind])
    brin = StringField(_l("BRIN-code (optioneel)"), validators=[Optional(), Length(max=8)])


def _beheerder() -> Actor:
    actor = signed_in_actor()
    if not is_platform_beheerder(actor):
        abort(403)
    return actor


@blueprint.get("")
@signed_in
def overview() -> str:
    _beheerder()
    # Bounded: past the last page is an empty page, and a huge number would overflow the OFFSET.
    page = min(max(1, request.args.get("pagina", 1, type=int) or 1), LAST_AUDIT_PAGE)
    with read_session() as db:
        users = list_users(db)
        organisations = list_organisations(db)
        log = audit_log(db, page=page)
    return render_template("accounts/admin.html", users=users, organisations=organisations, log=log,
                           role_form=RoleForm(), organisation_form=OrganisationForm())


@blueprint.post("/rollen")
@signed_in
def change_role() -> BaseResponse:
    actor = _beheerder()
    form = RoleForm()
    revoke = request.form.get("action") == "revoke"
    if form.validate_on_submit():
        with read_session() as db:
            user = find_user_by_email(db, form.email.data)
        if user is None:
            flash(_("Er is geen gebruiker met dat e-mailadres."), "error")
            return redirect(url_for("admin.overview"))
        role = PlatformRole(form.role.data)
        discipline = (form.discipline.data or "").strip() or None
        try:
            with app_runtime().sessions.begin() as db:
                if revoke:
                    service.revoke_role(db, actor, user.id, role, discipline)
                else:
                    service.grant_role(db, actor, user.id, role, discipline)
        except DuplicateRoleGrant:
            flash(_("Die rol heeft deze gebruiker al."), "error")
        except UnknownRoleGrant:
            flash(_("Die rol heeft deze gebruiker niet."), "error")
        except AccountsError as error:
            flash(str(error), "error")
        else:
            flash(_("De rol is ingetrokken.") if revoke else _("De rol is toegekend."))
    else:
        flash(_("Vul een e-mailadres en een rol in."), "error")
    return redirect(url_for("admin.overview"))


@blueprint.post("/organisaties")
@signed_in
def add_organisation() -> BaseResponse:
    actor = _beheerder()
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            with app_runtime().sessions.begin() as db:
                service.add_organisation(db, actor, form.slug.data, form.name.data,
                                         OrganisationKind(form.kind.data), brin=form.brin.data or None)
        except AccountsError as error:
            flash(str(error), "error")
        else:
            flash(_("De organisatie is toegevoegd."))
            return redirect(url_for("organisations.page", slug=form.slug.data.strip()))
    else:
        flash(_("Vul een korte naam, een naam en een soort in."), "error")
    return redirect(url_for("admin.overview"))
