"""The designer's pages: case types and versions, upload and deploy, download, form editor, diff."""

from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.designer.forms_editor import edit_form_page
from app.designer.service import deploy_upload, diff_versions, get_version, record_refusal, version_rows
from app.designer.uploads import read_upload
from app.engine import InvalidDiagram
from app.errors import NotFoundError
from app.extensions import db
from app.org.permissions import can_design
from app.whole_numbers import whole

bp = Blueprint("designer", __name__, url_prefix="/designer")


@bp.before_request
@login_required
def authorise() -> None:
    require(can_design(signed_in_user()))


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    return render_template("designer/index.html", case_types=version_rows(), problems=[])


@bp.post("/deploy")
@login_required
def deploy() -> ResponseReturnValue:
    user, now, ip = signed_in_user(), utcnow(), request.remote_addr or ""
    upload = read_upload()
    try:
        version, created = deploy_upload(upload.xml, upload.filename, upload.forms,
                                         current_app.config["GRIDCASE_FORMS_DIR"], actor=user, now=now, ip=ip)  # fmt: skip
    except InvalidDiagram as err:
        db.session.rollback()
        record_refusal(upload.filename, err.problems, actor=user, now=now, ip=ip)
        db.session.commit()
        page = render_template("designer/index.html", case_types=version_rows(), problems=err.problems)
        return page, 422
    db.session.commit()
    if created:
        flash(_("Deployed %(key)s version %(version)d.", key=version.key, version=version.version), "success")
    else:
        flash(_("Nothing changed: %(key)s version %(version)d is identical.", key=version.key,
                version=version.version), "success")  # fmt: skip
    return redirect(url_for("designer.case_type", key=version.key))


@bp.get("/<key>")
@login_required
def case_type(key: str) -> ResponseReturnValue:
    rows = version_rows(key).get(key)
    if not rows:
        raise NotFoundError(_("No such case type."))
    return render_template("designer/case_type.html", key=key, rows=rows, viewer=_viewer_installed())


def _viewer_installed() -> bool:
    """bpmn-js is fetched from npm by `make run`; without it the page has no diagram view."""
    static = Path(current_app.static_folder or "")
    return (static / "vendor" / "bpmn-js" / "bpmn-navigated-viewer.production.min.js").is_file()


@bp.get("/<key>/<int:number>.bpmn")
@login_required
def download(key: str, number: int) -> ResponseReturnValue:
    version = get_version(key, number)
    response = Response(version.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{key}.v{number}.bpmn"'
    return response


@bp.route("/<key>/<int:number>/forms/<name>", methods=["GET", "POST"])
@login_required
def edit_form(key: str, number: int, name: str) -> ResponseReturnValue:
    return edit_form_page(get_version(key, number), name)


@bp.get("/<key>/diff")
@login_required
def diff(key: str) -> ResponseReturnValue:
    rows = version_rows(key).get(key)
    if not rows:
        raise NotFoundError(_("No such case type."))
    newest = rows[0].version.version
    new_number = request.args.get("to", type=whole) or newest
    old_number = request.args.get("from", type=whole) or max(new_number - 1, 1)
    old, new = get_version(key, old_number), get_version(key, new_number)
    return render_template("designer/diff.html", key=key, rows=rows, old=old, new=new, diff=diff_versions(old, new))
