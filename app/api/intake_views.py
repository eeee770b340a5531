"""/api/v1/categories (and later the knowledge base and desk): the twins of the intake pages."""

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.extensions import db
from app.intake.catalog import SEARCH_LIMIT, category_paths, import_taxonomy, search_categories
from app.intake.models import Category
from app.org.permissions import can_manage_taxonomy


def category_json(category: Category, paths: dict[int, str]) -> dict[str, Any]:
    return {
        "id": category.id, "code": category.code, "name": category.name, "name_en": category.name_en,
        "level": category.level, "leaf": category.is_leaf, "path": paths.get(category.id, category.name),
        "initials": category.initials, "case_type": category.case_type, "unit_kind": category.unit_kind,
        "time_limit": category.time_limit, "admitted": category.admitted,
    }  # fmt: skip


def _flag(name: str) -> bool:
    return request.values.get(name, "").lower() in ("1", "true", "yes")


@bp.get("/categories")
def list_categories() -> ResponseReturnValue:
    """?q= searches names, keywords (part of a name), codes and pinyin initials; ?leaves=1 keeps level-3 items."""
    signed_in_user()
    q = request.args.get("q", "")[:100]
    items = search_categories(q, leaves_only=_flag("leaves"), limit=SEARCH_LIMIT if q.strip() else 5000)
    paths = category_paths()
    return {"items": [category_json(c, paths) for c in items]}


@bp.post("/categories/import")
def import_categories() -> ResponseReturnValue:
    """A CSV or XLSX file (multipart `file`, or the raw body); ?dry_run=1 checks only. 422 lists every bad line."""
    user = signed_in_user()
    require(can_manage_taxonomy(user))
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    result = import_taxonomy(data, actor=user, now=utcnow(), dry_run=_flag("dry_run"), ip=request.remote_addr or "")
    db.session.commit()  # the items when all lines are good; the security log's entry in any case
    lines = [{"line": e.line, "field": e.field, "message": e.message} for e in result.errors]
    if result.errors:
        fields = {f"line {e.line}: {e.field}": e.message for e in result.errors}
        message = _("Nothing was imported: %(num)d problems.", num=len(result.errors))
        return {"error": {"code": "invalid", "message": message, "fields": fields, "lines": lines}}, 422
    return {"dry_run": result.dry_run, "count": result.count, "saved": result.saved}
