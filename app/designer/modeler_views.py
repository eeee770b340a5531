"""The in-browser modeler: a page with bpmn-js's Modeler, and the draft endpoints its script calls."""

from pathlib import Path

from flask import Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, signed_in_user
from app.clock import utcnow
from app.designer.drafts import (
    check_key,
    deploy_draft,
    form_names,
    get_draft,
    open_draft,
    refused,
    save_draft,
    saved_json,
    validation_json,
)
from app.designer.service import record_refusal
from app.designer.views import bp
from app.engine import InvalidDiagram
from app.extensions import db
from app.org.roles import ROLES, role_label

MODELER_SCRIPT = "vendor/bpmn-js/bpmn-modeler.production.min.js"


def modeler_installed() -> bool:
    """bpmn-js is fetched from npm by `make run`; without it the page says the modeler is unavailable."""
    return (Path(current_app.static_folder or "") / MODELER_SCRIPT).is_file()


@bp.get("/modeler")
@login_required
def new_diagram() -> ResponseReturnValue:
    """The index page's "new case type" form: open the modeler on the key typed."""
    key = check_key((request.args.get("key") or "").strip())
    return redirect(url_for("designer.modeler", key=key))


@bp.get("/<key>/modeler")
@login_required
def modeler(key: str) -> ResponseReturnValue:
    opened = open_draft(key)
    roles = [{"code": code, "label": role_label(code)} for code in ROLES]
    return render_template("designer/modeler.html", key=key, opened=opened, installed=modeler_installed(),
                           forms=form_names(key, current_app.config["GRIDCASE_FORMS_DIR"]), roles=roles)  # fmt: skip


@bp.get("/<key>/draft.bpmn")
@login_required
def download_draft(key: str) -> ResponseReturnValue:
    response = Response(open_draft(key).xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{key}.draft.bpmn"'
    return response


@bp.post("/<key>/draft")
@login_required
def put_draft(key: str) -> ResponseReturnValue:
    try:
        draft = save_draft(key, request.get_data(cache=False), actor=signed_in_user(), now=utcnow())
    except InvalidDiagram as err:
        db.session.rollback()
        return refused(err.problems, "", _("The draft was not saved; fix the problems listed.")), 422
    db.session.commit()
    return saved_json(draft, signed_in_user().username)


@bp.post("/<key>/draft/validate")
@login_required
def validate(key: str) -> ResponseReturnValue:
    return validation_json(key, current_app.config["GRIDCASE_FORMS_DIR"])


@bp.post("/<key>/draft/deploy")
@login_required
def deploy_from_draft(key: str) -> ResponseReturnValue:
    return deploy_saved_draft(key)


def deploy_saved_draft(key: str) -> tuple[dict[str, object], int]:
    """Deploy the saved draft (page and API): the new version and 201 (200 when identical to the latest), or 422
    with every problem, the refusal kept in the security log."""
    user, now, ip = signed_in_user(), utcnow(), request.remote_addr or ""
    draft = get_draft(check_key(key))
    xml = draft.bpmn_xml if draft else ""
    try:
        version, created = deploy_draft(key, current_app.config["GRIDCASE_FORMS_DIR"], actor=user, now=now, ip=ip)
    except InvalidDiagram as err:
        db.session.rollback()
        record_refusal(f"{key}.bpmn", err.problems, actor=user, now=now, ip=ip)
        db.session.commit()
        return refused(err.problems, xml, _("The diagram was not deployed; fix the problems listed.")), 422
    db.session.commit()
    body = {"key": version.key, "version": version.version, "sha256": version.sha256, "created": created,
            "url": url_for("designer.case_type", key=version.key)}  # fmt: skip
    return body, 201 if created else 200
