"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs lag
from wtforms.validators import DataRequired, Length

from app.org.models import OrgKind
from app.org.roles import ROLES

KIND_LABELS = {
    OrgKind.COUNTY: _l("County"), OrgKind.TOWNSHIP: _l("Township / street"), OrgKind.VILLAGE: _l("Village / community"),
    OrgKind.GRID: _l("Grid"), OrgKind.EXCLUSIVE_GRID: _l("Exclusive grid"), OrgKind.CITY: _l("City"),
}  # fmt: skip


class UnitForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    parent = SelectField(_l("Under"), choices=[])


class UserForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    role = SelectField(_l("Role"), choices=[SelectChoice(code, label) for code, label in ROLES.items()])
    org_unit = SelectField(_l("Unit"), choices=[])


class ImportForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField(
        _l("Import"), choices=[SelectChoice("units", _l("Org units")), SelectChoice("users", _l("Users"))]
    )
    file = FileField(_l("CSV file"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Dry run: check only, import nothing"), default=True)
