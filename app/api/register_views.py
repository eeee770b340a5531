"""/api/v1/registers: market entities, residents and buildings, the twins of the register pages."""

import enum
from datetime import date
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, json_body, optional_text, text_field
from app.audit.service import record
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import can_write_register, in_jurisdiction, sees_personal_data
from app.org.service import unit_by_code
from app.privacy import mask_value
from app.registers.kinds import RESIDENTS, RegisterKind, register_kind
from app.registers.models import Visit
from app.registers.visits import due_visits, log_visit, visits_of
from app.whole_numbers import whole

KIND = "<any(entities, residents, buildings):slug>"
VISITED = "<any(entities, residents):slug>"  # the registers whose records are visited
PAGE_SIZE = 50


def register_json(kind: RegisterKind, row: Any, *, reveal: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row.id, "grid": {"code": row.org_unit.code, "name": row.org_unit.name}}
    for name in kind.fields:
        value = getattr(row, name)
        value = value.value if isinstance(value, enum.Enum) else value
        data[name] = value if reveal or name not in kind.personal else mask_value(kind.personal[name], value)
    return {**data, "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}


def _reveal(user: User, kind: RegisterKind, **detail: Any) -> bool:
    """Full identifiers for roles that need them, or on ?reveal=1, which the security log records."""
    if sees_personal_data(user):
        return True
    if request.args.get("reveal") != "1":
        return False
    record("reveal", now=utcnow(), user=user, ip=request.remote_addr or "", register=kind.slug, **detail)
    db.session.commit()
    return True


@bp.get(f"/registers/{KIND}")
def list_register(slug: str) -> ResponseReturnValue:
    """?q= searches names; ?page= from 1, PAGE_SIZE records a page."""
    kind, user = register_kind(slug), signed_in_user()
    page = max(request.args.get("page", 1, type=whole) or 1, 1)
    stmt = kind.search(user, request.args.get("q", "").strip()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = list(db.session.scalars(stmt))
    reveal = _reveal(user, kind, ids=[r.id for r in rows[:PAGE_SIZE]])
    return {"items": [register_json(kind, r, reveal=reveal) for r in rows[:PAGE_SIZE]],
            "next_page": page + 1 if len(rows) > PAGE_SIZE else None}  # fmt: skip


@bp.get(f"/registers/{KIND}/<int:record_id>")
def get_register_record(slug: str, record_id: int) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    return register_json(kind, row, reveal=_reveal(user, kind, record_id=row.id))


def _writable_grid(user: User, code: str) -> OrgUnit:
    """The grid a record is filed under: one outside the caller's area is a field error (422), as a case's
    `org_unit` is; the record addressed, if any, was found."""
    unit = unit_by_code(code)
    if unit is None or not in_jurisdiction(user, unit):
        raise ValidationError(_("No grid %(code)s in your area.", code=code), {"grid": _("Unknown grid code.")})
    if not unit.is_grid:
        raise ValidationError(_("Some fields need your attention."), {"grid": _("Must be a grid's code.")})
    require(can_write_register(user, unit))
    return unit


@bp.post(f"/registers/{KIND}")
def create_register_record(slug: str) -> ResponseReturnValue:
    """{grid: "<grid code>", ...fields} → 201 and the record."""
    kind, user = register_kind(slug), signed_in_user()
    body = json_body()
    unit = _writable_grid(user, text_field(body, "grid"))
    row = kind.create(unit, body, actor=user, now=utcnow())
    db.session.commit()
    return register_json(kind, row, reveal=True), 201


@bp.put(f"/registers/{KIND}/<int:record_id>")
def update_register_record(slug: str, record_id: int) -> ResponseReturnValue:
    """The whole record again, {grid, ...fields}; the change log keeps before and after."""
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    require(can_write_register(user, row.org_unit))
    body = json_body()
    unit = _writable_grid(user, text_field(body, "grid"))
    row = kind.save(row, unit, body, actor=user, now=utcnow())
    db.session.commit()
    return register_json(kind, row, reveal=True)


def visit_json(visit: Visit) -> dict[str, Any]:
    return {"id": visit.id, "visited_on": visit.visited_on.isoformat(), "note": visit.note,
            "visitor": visit.visitor.username if visit.visitor else None, "logged_at": visit.logged_at.isoformat()}  # fmt: skip


@bp.post(f"/registers/{VISITED}/<int:record_id>/visits")
def add_visit(slug: str, record_id: int) -> ResponseReturnValue:
    """{visited_on?: "YYYY-MM-DD" (today), note?} → 201 and the visit."""
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    require(can_write_register(user, row.org_unit))
    body = json_body()
    visit = log_visit(row, _date_field(body, "visited_on"), optional_text(body, "note"), actor=user, now=utcnow())
    db.session.commit()
    return visit_json(visit), 201


@bp.get(f"/registers/{VISITED}/<int:record_id>/visits")
def list_visits(slug: str, record_id: int) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    return {"items": [visit_json(v) for v in visits_of(kind.get_for(user, record_id))]}


@bp.get("/registers/visits/due")
def list_due_visits() -> ResponseReturnValue:
    """Special-group residents of my grids whose visit is due (or due within a week)."""
    user = signed_in_user()
    reveal = sees_personal_data(user)
    return {"items": [{"resident": register_json(RESIDENTS, d.resident, reveal=reveal), "due_on": d.due_on.isoformat(),
                       "last_visit": d.last_visit.isoformat() if d.last_visit else None, "overdue": d.overdue}
                      for d in due_visits(user, now=utcnow())]}  # fmt: skip


def _date_field(body: dict[str, Any], name: str) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        raise ValidationError(_("Some fields need your attention."), {name: _("Must be a date, YYYY-MM-DD.")}) from None
