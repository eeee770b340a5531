"""The form editor page: JSON Schema and UI schema in text areas, a preview as caseworkers see it,
sample data validated as a task completion would be, and saving as a new version."""

import json
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import signed_in_user
from app.casetypes.models import ProcessVersion
from app.clock import utcnow
from app.designer.service import parse_form_upload, record_refusal, save_forms
from app.engine import InvalidDiagram, Problem
from app.errors import NotFoundError
from app.extensions import db
from app.i18n import locale_code
from app.jsonforms.html import FormField, form_fields
from app.jsonforms.localize import localize
from app.jsonforms.validate import form_errors

SCHEMA_SUFFIX, UI_SUFFIX = ".schema.json", ".uischema.json"


@dataclass
class Editor:
    schema_text: str
    ui_text: str
    sample_text: str = "{}"
    problems: list[Problem] = field(default_factory=list)
    sample_errors: dict[str, str] = field(default_factory=dict)
    fields: list[FormField] = field(default_factory=list)
    validated: bool = False


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def edit_form_page(version: ProcessVersion, name: str) -> ResponseReturnValue:
    if not name.endswith(SCHEMA_SUFFIX) or name not in version.forms:
        raise NotFoundError(_("No such form in this version."))
    ui_name = name.removesuffix(SCHEMA_SUFFIX) + UI_SUFFIX
    has_ui = ui_name in version.forms
    if request.method == "GET":
        editor = Editor(_pretty(version.forms[name]), _pretty(version.forms.get(ui_name, {})))
    else:
        editor = Editor(request.form.get("schema", ""), request.form.get("ui_schema", "{}") if has_ui else "{}",
                        request.form.get("sample", "{}") or "{}")  # fmt: skip
    schema, ui = _parse(editor, name, ui_name)
    action = request.form.get("action", "preview")
    if schema is not None and ui is not None and request.method == "POST" and action == "save":
        changed = {name: editor.schema_text.encode("utf-8")}
        if has_ui:
            changed[ui_name] = editor.ui_text.encode("utf-8")
        return _save(version, changed, editor, name, ui_name)
    if schema is not None and ui is not None:
        values = _check_sample(editor, schema) if action == "validate" else {}
        editor.fields = form_fields(localize(schema, ui, locale_code()), ui, values, editor.sample_errors)
    status = 422 if editor.problems else 200
    return _render(version, name, ui_name if has_ui else None, editor), status


def _parse(editor: Editor, name: str, ui_name: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    parsed: list[dict[str, Any] | None] = []
    for file, text in ((name, editor.schema_text), (ui_name, editor.ui_text)):
        try:
            parsed.append(parse_form_upload(file, text.encode("utf-8")))
        except InvalidDiagram as err:
            editor.problems.extend(err.problems)
            parsed.append(None)
    return parsed[0], parsed[1]


def _check_sample(editor: Editor, schema: dict[str, Any]) -> dict[str, Any]:
    editor.validated = True
    try:
        sample = json.loads(editor.sample_text)
    except json.JSONDecodeError as err:
        editor.sample_errors = {"data": _("Not valid JSON (line %(line)d): %(reason)s", line=err.lineno,
                                          reason=err.msg)}  # fmt: skip
        return {}
    except (ValueError, RecursionError) as err:  # a number of thousands of digits; nesting past the stack
        editor.sample_errors = {"data": _("Not valid JSON (line %(line)d): %(reason)s", line=1, reason=str(err)[:200])}
        return {}
    editor.sample_errors = form_errors(schema, sample)
    return sample if isinstance(sample, dict) else {}


def _save(
    version: ProcessVersion, changed: dict[str, bytes], editor: Editor, name: str, ui_name: str
) -> ResponseReturnValue:
    user, now, ip = signed_in_user(), utcnow(), request.remote_addr or ""
    try:
        new, created = save_forms(version, changed, actor=user, now=now, ip=ip)
    except InvalidDiagram as err:
        db.session.rollback()
        record_refusal(name, err.problems, actor=user, now=now, ip=ip)
        db.session.commit()
        editor.problems = err.problems
        return _render(version, name, ui_name if ui_name in changed else None, editor), 422
    db.session.commit()
    if created:
        flash(_("Deployed %(key)s version %(version)d.", key=new.key, version=new.version), "success")
    else:
        flash(_("Nothing changed: %(key)s version %(version)d is identical.", key=new.key, version=new.version),
              "success")  # fmt: skip
    return redirect(url_for("designer.edit_form", key=new.key, number=new.version, name=name))


def _render(version: ProcessVersion, name: str, ui_name: str | None, editor: Editor) -> str:
    return render_template("designer/form.html", version=version, name=name, ui_name=ui_name, editor=editor)
