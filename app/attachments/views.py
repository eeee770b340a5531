"""Attachment pages: add files to a case, and serve them to those who may see the case."""

from flask import Blueprint, Response, flash, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from app.attachments.models import Attachment
from app.attachments.service import (
    add_attachments,
    attachment_of,
    file_path,
    limits,
    read_uploads,
    refuse_closed,
    written,
)
from app.auth.guards import login_required, require, signed_in_user
from app.cases.views import get_case_for
from app.clock import utcnow
from app.errors import ValidationError, flash_errors
from app.extensions import db
from app.org.permissions import can_attach

bp = Blueprint("attachments", __name__)


@bp.post("/cases/<int:case_id>/attachments")
@login_required
def add(case_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    case = get_case_for(user, case_id)
    refuse_closed(case)
    require(can_attach(user, case))
    back = redirect(url_for("cases.detail", case_id=case.id, _anchor="attachments"))
    try:
        uploads = read_uploads(request.files.to_dict(flat=False), limits())
    except ValidationError as err:  # back to the case page, which says why (a chosen file cannot be shown again)
        flash_errors(err)
        return back
    if not uploads:
        flash(_("Choose a photo or document."), "error")
        return back
    add_attachments(case, uploads, actor=user, now=utcnow())
    with written(uploads, limits()):
        db.session.commit()
    flash(ngettext("%(num)d file attached.", "%(num)d files attached.", len(uploads)), "success")
    return back


def send_attachment(attachment: Attachment, *, thumbnail: bool = False) -> Response:
    """Images open in the browser, documents download; nosniff and the CSP come from app/security.py."""
    path = file_path(attachment, limits(), thumbnail=thumbnail)
    response = send_file(
        path,
        mimetype="image/jpeg" if thumbnail else attachment.content_type,
        as_attachment=not attachment.is_image,
        download_name=attachment.filename,
        etag=attachment.sha256 + ("-thumb" if thumbnail else ""),
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"  # never kept by shared caches
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def download(case_id: int, attachment_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)  # outside the area: 404, as for the case page
    return send_attachment(attachment_of(case, attachment_id))


@bp.get("/cases/<int:case_id>/attachments/<int:attachment_id>/thumbnail")
@login_required
def thumbnail(case_id: int, attachment_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)
    return send_attachment(attachment_of(case, attachment_id), thumbnail=True)  # documents have none: 404
