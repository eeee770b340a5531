"""Intake pages: the taxonomy (list, search, import with a dry run, export)."""

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from app.audit.service import record
from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.extensions import db
from app.intake.catalog import category_paths, export_csv, import_taxonomy, search_categories
from app.intake.forms import TaxonomyImportForm
from app.intake.taxonomy import COLUMNS
from app.org.permissions import can_manage_taxonomy

bp = Blueprint("intake", __name__, url_prefix="/intake")


@bp.get("/taxonomy")
@login_required
def taxonomy() -> ResponseReturnValue:
    """The tree (or the items matching ?q=), for everyone who reports or routes matters."""
    q = request.args.get("q", "").strip()[:100]  # as the other category searches: SQLite refuses huge patterns
    items = search_categories(q, limit=200) if q else search_categories("", limit=5000)
    return render_template("intake/taxonomy.html", items=items, q=q, paths=category_paths() if q else {},
                           can_manage=can_manage_taxonomy(signed_in_user()))  # fmt: skip


@bp.route("/taxonomy/import", methods=["GET", "POST"])
@login_required
def taxonomy_import() -> ResponseReturnValue:
    user = signed_in_user()
    require(can_manage_taxonomy(user))
    form = TaxonomyImportForm()
    result, status = None, 200
    if form.validate_on_submit():
        result = import_taxonomy(form.file.data.read(), actor=user, now=utcnow(), dry_run=bool(form.dry_run.data),
                                 ip=request.remote_addr or "")  # fmt: skip
        db.session.commit()  # the items when all lines are good; the security log's entry in any case
        status = 422 if result.errors else 200
    elif request.method == "POST":
        status = 422
    return render_template("intake/taxonomy_import.html", form=form, result=result, columns=", ".join(COLUMNS)), status


@bp.get("/taxonomy/export.csv")
@login_required
def taxonomy_export() -> ResponseReturnValue:
    user = signed_in_user()
    require(can_manage_taxonomy(user))
    body = export_csv()
    record("export", now=utcnow(), user=user, ip=request.remote_addr or "", what="taxonomy")
    db.session.commit()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=taxonomy.csv"})  # fmt: skip
