"""/api/v1 attachments: multipart uploads to a case, its list, and the files themselves (bearer token)."""

from typing import Any

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.api.serializers import attachment_json
from app.attachments.service import (
    add_attachments,
    attachment_of,
    attachments_of,
    limits,
    read_uploads,
    refuse_closed,
    written,
)
from app.attachments.views import send_attachment
from app.auth.guards import require, signed_in_user
from app.cases.views import get_case_for
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.org.permissions import can_attach
from app.storable_text import refuse_unstorable_json


def multipart_body() -> dict[str, Any]:
    """POST /cases as multipart/form-data: case_type, org_unit, channel as fields, `data` as JSON text."""
    body: dict[str, Any] = {name: request.form.get(name) for name in ("case_type", "org_unit", "channel")}
    try:  # read as a JSON body is read: no NaN, whole big integers, nesting refused past the stack
        body["data"] = current_app.json.loads(request.form.get("data") or "{}")
    except ValueError as err:
        raise ValidationError(_("Some fields need your attention."), {"data": _("Must be a JSON object.")}) from err
    refuse_unstorable_json(body["data"], at="data")
    return body


@bp.post("/cases/<int:case_id>/attachments")
def add_case_attachments(case_id: int) -> ResponseReturnValue:
    """multipart/form-data with one or more `files` (or `photos`, which must be images)."""
    user = signed_in_user()
    case = get_case_for(user, case_id)
    refuse_closed(case)
    require(can_attach(user, case))
    uploads = read_uploads(request.files.to_dict(flat=False), limits())
    if not uploads:
        raise ValidationError(_("Send the files as multipart/form-data."), {"files": _("This field is required.")})
    added = add_attachments(case, uploads, actor=user, now=utcnow())
    with written(uploads, limits()):
        db.session.commit()
    return {"items": [attachment_json(a) for a in added]}, 201


@bp.get("/cases/<int:case_id>/attachments")
def list_case_attachments(case_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)
    return {"items": [attachment_json(a) for a in attachments_of(case)]}


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
def attachment_file(case_id: int, attachment_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)
    return send_attachment(attachment_of(case, attachment_id))


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>/thumbnail")
def attachment_thumbnail(case_id: int, attachment_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)
    return send_attachment(attachment_of(case, attachment_id), thumbnail=True)
