"""Editing one calendar day."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; the stubs lag
from wtforms.validators import DataRequired, Length


class CalendarDayForm(FlaskForm):  # type: ignore[misc]
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice("holiday", _l("Day off")), SelectChoice("workday", _l("Working day"))]
    )
    name = StringField(_l("Name"), validators=[Length(max=60)])
