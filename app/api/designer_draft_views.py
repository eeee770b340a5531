"""/api/v1/designer/drafts: the modeler's draft (read, save, validate, deploy) for scripts."""

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, json_body, text_field
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.designer.drafts import (
    open_draft,
    opened_json,
    refused,
    save_draft,
    saved_json,
    validation_json,
)
from app.designer.modeler_views import deploy_saved_draft
from app.engine import InvalidDiagram
from app.extensions import db
from app.org.permissions import can_design


def _designer() -> None:
    require(can_design(signed_in_user()))


@bp.get("/designer/drafts/<key>")
def designer_draft(key: str) -> ResponseReturnValue:
    _designer()
    return opened_json(open_draft(key))


@bp.put("/designer/drafts/<key>")
def designer_save_draft(key: str) -> ResponseReturnValue:
    """The diagram as a JSON body {"xml": "..."} or as the raw application/xml body."""
    _designer()
    xml = text_field(json_body(), "xml").encode("utf-8") if request.is_json else request.get_data(cache=False)
    try:
        draft = save_draft(key, xml, actor=signed_in_user(), now=utcnow())
    except InvalidDiagram as err:
        db.session.rollback()
        return refused(err.problems, "", _("The draft was not saved; fix the problems listed.")), 422
    db.session.commit()
    return saved_json(draft, signed_in_user().username)


@bp.post("/designer/drafts/<key>/validate")
def designer_validate_draft(key: str) -> ResponseReturnValue:
    _designer()
    return validation_json(key, current_app.config["GRIDCASE_FORMS_DIR"])


@bp.post("/designer/drafts/<key>/deploy")
def designer_deploy_draft(key: str) -> ResponseReturnValue:
    _designer()
    return deploy_saved_draft(key)
