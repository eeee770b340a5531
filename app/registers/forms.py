"""Register forms: WTForms for CSRF and layout; the rules live in app/registers/validation.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs lag
from wtforms.validators import Length, Optional

from app.registers.labels import BUILDING_KINDS, ENTITY_KINDS, RISK_LEVELS, SPECIAL_GROUPS


def _choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class EntityForm(FlaskForm):  # type: ignore[misc]
    grid = SelectField(_l("Grid"), choices=[])
    name = StringField(_l("Name"))
    credit_code = StringField(_l("Unified social credit code or licence number"))
    kind = SelectField(_l("Kind"), choices=_choices(ENTITY_KINDS))
    address = StringField(_l("Address"))
    risk_level = SelectField(_l("Risk level"), choices=_choices(RISK_LEVELS))
    contact_person = StringField(_l("Contact person"))
    contact_phone = StringField(_l("Contact phone"))


class BuildingForm(FlaskForm):  # type: ignore[misc]
    grid = SelectField(_l("Grid"), choices=[])
    name = StringField(_l("Name"))
    address_code = StringField(_l("Standard address code"))
    address = StringField(_l("Address"))
    kind = SelectField(_l("Kind"), choices=_choices(BUILDING_KINDS))
    floors = IntegerField(_l("Floors"), validators=[Optional()])
    risk_level = SelectField(_l("Fire risk level"), choices=_choices(RISK_LEVELS))
    contact_person = StringField(_l("Owner or manager"))
    contact_phone = StringField(_l("Contact phone"))


class ResidentForm(FlaskForm):  # type: ignore[misc]
    grid = SelectField(_l("Grid"), choices=[])
    name = StringField(_l("Name"))
    id_card = StringField(_l("ID-card number"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address"))
    household_number = StringField(_l("Household number"))
    registered_here = BooleanField(_l("Registered residence here"), default=True)
    special_group = SelectField(_l("Special group"), choices=_choices(SPECIAL_GROUPS))
    visit_every_days = IntegerField(_l("Visit every (days)"), validators=[Optional()])


class ImportForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField(_l("Register"), choices=[SelectChoice("residents", _l("Residents")),
                                                 SelectChoice("entities", _l("Market entities")),
                                                 SelectChoice("buildings", _l("Buildings"))])  # fmt: skip
    file = FileField(_l("CSV (UTF-8) or XLSX file"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Dry run: check only, import nothing"), default=True)
    skip_bad_lines = BooleanField(_l("Import the good lines and skip the bad ones"), default=False)


class VisitForm(FlaskForm):  # type: ignore[misc]
    visited_on = DateField(_l("Visited on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
