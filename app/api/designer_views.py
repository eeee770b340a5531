"""/api/v1/designer: the designer pages' twins (versions, deploy)."""

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.designer.service import VersionRow, deploy_upload, record_refusal, version_rows
from app.designer.uploads import problem_fields, problem_json, read_upload
from app.engine import InvalidDiagram
from app.extensions import db
from app.org.permissions import can_design


def _version_json(row: VersionRow) -> dict[str, object]:
    v = row.version
    return {"version": v.version, "sha256": v.sha256, "deployed_at": v.deployed_at.isoformat(),
            "deployed_by": row.deployed_by or None, "running_cases": row.running}  # fmt: skip


@bp.get("/designer/case-types")
def designer_case_types() -> ResponseReturnValue:
    require(can_design(signed_in_user()))
    items = [{"key": key, "name": rows[0].version.name, "versions": [_version_json(r) for r in rows]}
             for key, rows in version_rows().items()]  # fmt: skip
    return {"items": items}


@bp.post("/designer/deploy")
def designer_deploy() -> ResponseReturnValue:
    user, now, ip = signed_in_user(), utcnow(), request.remote_addr or ""
    require(can_design(user))
    upload = read_upload()
    try:
        version, created = deploy_upload(upload.xml, upload.filename, upload.forms,
                                         current_app.config["GRIDCASE_FORMS_DIR"], actor=user, now=now, ip=ip)  # fmt: skip
    except InvalidDiagram as err:
        db.session.rollback()
        record_refusal(upload.filename, err.problems, actor=user, now=now, ip=ip)
        db.session.commit()
        error = {"code": "invalid_diagram", "message": _("The diagram was not deployed; fix the problems listed."),
                 "fields": problem_fields(err.problems), "problems": [problem_json(p) for p in err.problems]}  # fmt: skip
        return {"error": error}, 422
    db.session.commit()
    body = {"key": version.key, "version": version.version, "sha256": version.sha256, "created": created}
    return body, 201 if created else 200
