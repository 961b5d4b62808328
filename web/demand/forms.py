"""The wensenlijst's forms (Flask-WTF: every one carries its CSRF token). No I/O.

Field checks here are only what the browser could have caught (lengths, a
sector from the list); the demand service checks again and cleans the text.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from oer.demand.models import ANSWER_NOTE_LENGTH, QUERY_LENGTH, WISH_FIELD_LENGTH, WISH_TEXT_LENGTH
from oer.demand.service import WISH_SECTORS, WISH_TEXT_MINIMUM

SECTOR_NAMES = {
    "PO": _l("Primair onderwijs (po)"),
    "SBaO": _l("Speciaal basisonderwijs (sbao)"),
    "SO": _l("Speciaal onderwijs (so)"),
    "VSO": _l("Voortgezet speciaal onderwijs (vso)"),
    "VO": _l("Voortgezet onderwijs (vo)"),
    "PRO": _l("Praktijkonderwijs (pro)"),
    "MBO": _l("Middelbaar beroepsonderwijs (mbo)"),
}


class WishForm(FlaskForm):  # type: ignore[misc]
    text = TextAreaField(_l("Wat zocht je?"), validators=[
        DataRequired(_l("Beschrijf in een zin wat je zocht.")), Length(min=WISH_TEXT_MINIMUM, max=WISH_TEXT_LENGTH)])
    sector = SelectField(_l("Sector"), choices=[SelectChoice("", _l("(geen keuze)")),
                                                *(SelectChoice(code, SECTOR_NAMES[code]) for code in WISH_SECTORS)],
                         validators=[Optional()])
    level = StringField(_l("Niveau of leerjaar"), validators=[Optional(), Length(max=WISH_FIELD_LENGTH)])
    subject = StringField(_l("Vak"), validators=[Optional(), Length(max=WISH_FIELD_LENGTH)])
    kerndoel = StringField(_l("Kerndoel"), validators=[Optional(), Length(max=WISH_FIELD_LENGTH)])
    query = HiddenField(validators=[Optional(), Length(max=QUERY_LENGTH)])
    notify = BooleanField(_l("Stuur me een e-mail als er materiaal voor komt"))


class SupportForm(FlaskForm):  # type: ignore[misc]
    notify = BooleanField(_l("Stuur me een e-mail als er materiaal voor komt"))


class AnswerForm(FlaskForm):  # type: ignore[misc]
    owner = SelectField(_l("Namens"), choices=[])
    note = TextAreaField(_l("Toelichting (wat, voor wanneer)"), validators=[Optional(),
                                                                           Length(max=ANSWER_NOTE_LENGTH)])


class LinkForm(FlaskForm):  # type: ignore[misc]
    resource = StringField(_l("Adres of id van het gepubliceerde materiaal"),
                           validators=[DataRequired(_l("Vul dit veld in.")), Length(max=2000)])
