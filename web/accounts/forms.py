"""The account forms (Flask-WTF: every one carries its CSRF token). No I/O.

Field checks here are only what the browser could have caught (present, not
too long); what an address or password must be is the accounts domain's, and
its errors are shown on the field they belong to.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from oer.accounts.models import EMAIL_LENGTH
from oer.accounts.validation import NAME_LENGTH

_REQUIRED = _l("Vul dit veld in.")


class RegisterForm(FlaskForm):  # type: ignore[misc]
    display_name = StringField(_l("Naam"), validators=[DataRequired(_REQUIRED), Length(max=NAME_LENGTH)])
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_REQUIRED), Length(max=EMAIL_LENGTH)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_REQUIRED), Length(max=1024)])


class SignInForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_REQUIRED), Length(max=EMAIL_LENGTH)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_REQUIRED), Length(max=1024)])
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat"))


class ForgotPasswordForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_REQUIRED), Length(max=EMAIL_LENGTH)])


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(_REQUIRED), Length(max=1024)])


class ChangeEmailForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("Nieuw e-mailadres"), validators=[DataRequired(_REQUIRED), Length(max=EMAIL_LENGTH)])


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Naam van de sleutel"), validators=[DataRequired(_REQUIRED), Length(max=100)])
    scope_publish = BooleanField(_l("Publiceren"))
    scope_annotate = BooleanField(_l("Annoteren"))
    scope_curate = BooleanField(_l("Cureren"))


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something (sign out, revoke, delete): only its CSRF token."""


# The word that confirms an account's deletion, in the site's language; the Dutch word is
# accepted on the English site too (the confirmation is about intent, not about the language).
DELETE_WORD = _l("VERWIJDER")


class DeleteAccountForm(FlaskForm):  # type: ignore[misc]
    confirm = StringField(_l("Typ %(word)s om te bevestigen", word=DELETE_WORD), validators=[DataRequired(_REQUIRED)])

    def confirmed(self) -> bool:
        typed = (self.confirm.data or "").strip().upper()
        return typed in {"VERWIJDER", str(DELETE_WORD).upper()}
