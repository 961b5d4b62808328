"""/organisaties/<slug>: an organisation's public page; its beheerders manage members and invite.

Anyone sees the name, kind and its published materials; its redacteuren get
a button to publish in its name, its beheerders a link to its own sources. The member list and the invitation form are for the
organisation's beheerders and platform beheerders only; everyone else who
posts to them gets 403. An invitation to an address with an account adds
the member at once (and tells them by mail); any other address gets a signed
link that adds the membership when its owner, signed in with that address,
follows it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from oer.accounts import service
from oer.accounts.actor import can_manage_members, can_publish_for
from oer.accounts.errors import (
    DuplicateMembership,
    ExpiredLink,
    InvalidAccountData,
    InvalidLink,
    PermissionDenied,
    UnknownOrganisation,
)
from oer.accounts.links import LinkPurpose, make_link_token, read_link_token
from oer.accounts.models import EMAIL_LENGTH, MemberRole
from oer.accounts.queries import OrganisationView, find_organisation, find_user_by_email
from oer.accounts.validation import normalise_email
from oer.mail import Mail, send_mail
from oer.publishing.queries import organisation_publications
from web.accounts.session import current_actor, signed_in, signed_in_actor
from web.runtime import app_runtime, read_session

blueprint = Blueprint("organisations", __name__, url_prefix="/organisaties")

ROLE_CHOICES = [
    SelectChoice(MemberRole.LID.value, _l("lid")),
    SelectChoice(MemberRole.REDACTEUR.value, _l("redacteur: publiceert en cureert namens de organisatie")),
    SelectChoice(MemberRole.BEHEERDER.value, _l("beheerder: beheert leden en bronnen")),
]


class InviteForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul dit veld in.")), Length(max=EMAIL_LENGTH)])
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default=MemberRole.LID.value)


def _organisation(slug: str) -> OrganisationView:
    with read_session() as db:
        organisation = find_organisation(db, slug)
    if organisation is None:
        abort(404)
    return organisation


def _may_manage(organisation: OrganisationView) -> bool:
    actor = current_actor()
    return actor is not None and can_manage_members(actor, organisation.id)


@blueprint.get("/<slug>")
def page(slug: str) -> str:
    organisation = _organisation(slug)
    manages = _may_manage(organisation)
    actor = current_actor()
    with read_session() as db:
        published = organisation_publications(db, organisation.id)
    return render_template("accounts/organisation.html", organisation=organisation, manages=manages,
                           form=InviteForm() if manages else None, published=published,
                           can_publish=actor is not None and can_publish_for(actor, organisation.id))


@blueprint.post("/<slug>/uitnodigen")
@signed_in
def invite(slug: str) -> BaseResponse:
    organisation = _organisation(slug)
    if not _may_manage(organisation):
        abort(403)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("Vul een e-mailadres en een rol in."), "error")
        return redirect(url_for("organisations.page", slug=slug))
    try:
        address = normalise_email(form.email.data)
    except InvalidAccountData:
        flash(_("Vul een geldig e-mailadres in."), "error")
        return redirect(url_for("organisations.page", slug=slug))
    actor = signed_in_actor()
    with read_session() as db:
        existing = find_user_by_email(db, address)
    if existing is not None:
        try:
            with app_runtime().sessions.begin() as db:
                service.add_member(db, actor, organisation.id, existing.id, form.role.data)
        except DuplicateMembership:
            flash(_("%(email)s is al lid.", email=address), "error")
            return redirect(url_for("organisations.page", slug=slug))
        except PermissionDenied:
            abort(403)
        _mail(address, organisation, added=True)
        flash(_("%(email)s is toegevoegd.", email=address))
    else:
        token = make_link_token(str(current_app.config["SECRET_KEY"]), LinkPurpose.INVITATION, {
            "org": organisation.id, "email": address, "role": form.role.data, "by": actor.user_id})
        _mail(address, organisation, added=False,
              link=url_for("organisations.accept", slug=slug, token=token, _external=True))
        flash(_("We hebben een uitnodiging gestuurd naar %(email)s.", email=address))
    return redirect(url_for("organisations.page", slug=slug))


def _mail(address: str, organisation: OrganisationView, *, added: bool, link: str | None = None) -> None:
    settings = current_app.config["OER_SETTINGS"]
    if added:
        text = (f"Je bent toegevoegd aan {organisation.name}.\n\n-- English --\n\n"
                f"You were added to {organisation.name}.")
    else:
        text = (f"Je bent uitgenodigd voor {organisation.name}. Maak een account met dit adres "
                f"(of log in) en volg dan deze link (14 dagen geldig):\n{link}\n\n-- English --\n\n"
                f"You are invited to {organisation.name}. Sign up with this address (or sign in), "
                f"then follow this link (valid for 14 days):\n{link}")
    send_mail(settings, Mail(to=address, subject=f"{organisation.name}: uitnodiging / invitation", text=text))


@blueprint.get("/<slug>/uitnodiging/<token>")
@signed_in
def accept(slug: str, token: str) -> BaseResponse | str:
    organisation = _organisation(slug)
    try:
        payload: dict[str, Any] = read_link_token(
            str(current_app.config["SECRET_KEY"]), LinkPurpose.INVITATION, token)
        if payload.get("org") != organisation.id:
            raise InvalidLink("another organisation's invitation")
        with app_runtime().sessions.begin() as db:
            service.accept_invitation(db, signed_in_actor(), organisation.id, str(payload["email"]),
                                      str(payload["role"]), invited_by=int(payload["by"]))
    except ExpiredLink:
        return _problem("expired")
    except (InvalidLink, KeyError, ValueError, UnknownOrganisation):
        return _problem("invalid")
    except PermissionDenied:
        return _problem("other_address")
    flash(_("Welkom bij %(name)s.", name=organisation.name))
    return redirect(url_for("organisations.page", slug=slug))


def _problem(kind: str) -> Response:
    response = Response(render_template("accounts/link_problem.html", kind=kind))
    response.status_code = 403 if kind == "other_address" else 400
    return response
