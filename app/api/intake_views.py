"""/api/v1/categories, /api/v1/knowledge and /api/v1/desk: the twins of the intake pages."""

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, json_body
from app.api.serializers import case_status_json, tasks_json
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.intake.catalog import SEARCH_LIMIT, category_by_code, category_paths, import_taxonomy, search_categories
from app.intake.desk import previous_calls, take_call
from app.intake.duplicates import DuplicateFound, duplicate_json
from app.intake.knowledge import EntryInput, get_entry, save_entry, search_entries
from app.intake.models import Category, KbEntry
from app.org.permissions import can_edit_knowledge, can_manage_taxonomy, reads_knowledge, sees_personal_data, works_desk


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


def entry_json(entry: KbEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "title": entry.title, "body": entry.body, "keywords": entry.keywords, "active": entry.active,
        "categories": [{"code": c.code, "name": c.name} for c in entry.categories],
        "updated_at": entry.updated_at.isoformat(),
        "updated_by": entry.updated_by.username if entry.updated_by else None,
    }  # fmt: skip


@bp.get("/knowledge")
def list_knowledge() -> ResponseReturnValue:
    """?q= words in title, keywords or body (ranked); ?category=<code>: answers for that item or a branch above it."""
    user = signed_in_user()
    require(reads_knowledge(user))
    code = request.args.get("category", "").strip()
    category = category_by_code(code) if code else None
    if code and category is None:
        raise ValidationError(_("Some fields need your attention."), {"category": _("Unknown taxonomy code.")})
    entries = search_entries(request.args.get("q", "")[:200], category=category)
    return {"items": [entry_json(e) for e in entries]}


@bp.get("/knowledge/<int:entry_id>")
def get_knowledge(entry_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    require(reads_knowledge(user))
    return entry_json(get_entry(entry_id, active_only=not can_edit_knowledge(user)))


def _entry_input(body: dict[str, Any]) -> EntryInput:
    codes = body.get("categories", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise ValidationError(_("Some fields need your attention."), {"categories": _("A list of taxonomy codes.")})
    texts = {name: body.get(name, "") for name in ("title", "body", "keywords")}
    if bad := [name for name, value in texts.items() if not isinstance(value, str)]:
        raise ValidationError(_("Some fields need your attention."), dict.fromkeys(bad, _("Must be text.")))
    if not isinstance(active := body.get("active", True), bool):
        raise ValidationError(_("Some fields need your attention."), {"active": _("Must be true or false.")})
    return EntryInput(texts["title"], texts["body"], texts["keywords"], codes, active)


@bp.post("/knowledge")
def create_knowledge() -> ResponseReturnValue:
    """{title, body, keywords, categories: [codes], active} → 201 and the entry."""
    user = signed_in_user()
    require(can_edit_knowledge(user))
    entry = save_entry(None, _entry_input(json_body()), actor=user, now=utcnow())
    db.session.commit()
    return entry_json(entry), 201


@bp.put("/knowledge/<int:entry_id>")
def update_knowledge(entry_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    require(can_edit_knowledge(user))
    entry = save_entry(get_entry(entry_id, active_only=False), _entry_input(json_body()), actor=user, now=utcnow())
    db.session.commit()
    return entry_json(entry)


@bp.post("/desk/calls")
def take_desk_call() -> ResponseReturnValue:
    """{action: answer|create, category, caller_name, caller_phone, appeal_kind, content, address, latitude,
    longitude, org_unit, kb_entry, answer} → 201 {case: {id, number, status}, open_tasks}; 422 names every field."""
    user = signed_in_user()
    require(works_desk(user))
    body = json_body()
    try:
        change = take_call(body, str(body.get("action", "")), actor=user, now=utcnow())
    except DuplicateFound as found:
        db.session.rollback()
        return duplicate_json(found), 409
    db.session.commit()
    now = utcnow()
    return {"merged": bool(body.get("duplicate_of")),
            "case": {**case_status_json(change.case), "category": change.case.category.code if change.case.category
                     else None, "case_type": change.case.case_type},
            "open_tasks": tasks_json(change.open_tasks, now=now)}, 201  # fmt: skip


@bp.get("/desk/callers")
def caller_history() -> ResponseReturnValue:
    """?phone= → the earlier hotline matters from that number in the operator's area (personal data: desk roles)."""
    user = signed_in_user()
    require(works_desk(user) and sees_personal_data(user))
    calls = previous_calls(user, request.args.get("phone", ""))
    return {"items": [{**case_status_json(c), "title": c.title, "opened_at": c.opened_at.isoformat(),
                       "caller_name": c.data.get("caller_name")} for c in calls]}  # fmt: skip
