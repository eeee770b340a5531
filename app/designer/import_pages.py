"""The designer's import of spiff-arena models: upload, map lanes to roles, deploy (routes on the designer blueprint)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, signed_in_user
from app.clock import utcnow
from app.designer.service import record_refusal
from app.designer.spiff_import import SpiffModel, decode_model, encode_model, import_model, read_model
from app.designer.views import bp
from app.engine import InvalidDiagram, Problem
from app.errors import ValidationError
from app.extensions import db
from app.org.roles import ROLES


def _mapping(
    model: SpiffModel,
    chosen: dict[str, str],
    *,
    problems: list[Problem] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = render_template("designer/import.html", model=model, payload=encode_model(model), roles=ROLES,
                           chosen=chosen, problems=problems or [], errors=errors or {})  # fmt: skip
    return page, status


@bp.get("/import")
@login_required
def import_page() -> ResponseReturnValue:
    return render_template("designer/import.html", model=None, problems=[])


@bp.post("/import")
@login_required
def import_upload() -> ResponseReturnValue:
    """Step 1: read the model and show its lanes, each with a choice of role (a lane already named by a role keeps it)."""
    files = [(f.filename or "", f.read()) for f in request.files.getlist("model") if f.filename]
    if not files:
        raise ValidationError(_("Choose the model's files or its zip."), {"model": _("This field is required.")})
    try:
        model = read_model(files)
    except InvalidDiagram as err:
        return render_template("designer/import.html", model=None, problems=err.problems), 422
    return _mapping(model, {lane.id: lane.name for lane in model.lanes if lane.name in ROLES})


@bp.post("/import/deploy")
@login_required
def import_deploy() -> ResponseReturnValue:
    """Step 2: rename the lanes to the chosen roles and deploy through the ordinary checks."""
    user, now, ip = signed_in_user(), utcnow(), request.remote_addr or ""
    model = decode_model(request.form.get("model", ""))
    chosen = {lane.id: request.form.get(f"lane-{lane.id}", "") for lane in model.lanes}
    try:
        version, created = import_model(
            model, chosen, current_app.config["GRIDCASE_FORMS_DIR"], actor=user, now=now, ip=ip
        )
    except ValidationError as err:
        return _mapping(model, chosen, errors=err.fields, status=422)
    except InvalidDiagram as err:
        db.session.rollback()
        record_refusal(model.filename, err.problems, actor=user, now=now, ip=ip)
        db.session.commit()
        return _mapping(model, chosen, problems=err.problems, status=422)
    db.session.commit()
    if created:
        flash(_("Imported %(key)s as version %(version)d.", key=version.key, version=version.version), "success")
    else:
        flash(_("Nothing changed: %(key)s version %(version)d is identical.", key=version.key,
                version=version.version), "success")  # fmt: skip
    return redirect(url_for("designer.case_type", key=version.key))
