"""Intake forms: WTForms for CSRF and layout; the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField


class TaxonomyImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("CSV (UTF-8) or XLSX file"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Dry run: check only, import nothing"), default=True)


class KnowledgeForm(FlaskForm):  # type: ignore[misc]
    title = StringField(_l("Title"))
    keywords = StringField(_l("Keywords (separated by spaces)"))
    body = TextAreaField(_l("Answer"))
    categories = SelectMultipleField(_l("Taxonomy items (leaves or branches)"), choices=[], validate_choice=False)
    active = BooleanField(_l("Active (shown to operators and handlers)"), default=True)
