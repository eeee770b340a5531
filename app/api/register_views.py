"""/api/v1/registers: market entities and residents, the twins of the register pages."""

import enum
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, json_body, text_field
from app.audit.service import record
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.errors import NotFoundError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import can_write_register, in_jurisdiction, sees_personal_data
from app.org.service import unit_by_code
from app.privacy import mask_value
from app.registers.kinds import RegisterKind, register_kind

KIND = "<any(entities, residents):slug>"
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
    page = max(request.args.get("page", 1, type=int) or 1, 1)
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
    unit = unit_by_code(code)
    if unit is None or not in_jurisdiction(user, unit):
        raise NotFoundError(_("No grid %(code)s in your area.", code=code), {"grid": _("Unknown grid code.")})
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
