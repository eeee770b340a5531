"""/api/v1/designer/case-types/<key>/migrations: the migration page's twin (dry run and real run)."""

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, json_body
from app.auth.guards import require, signed_in_user
from app.clock import utcnow
from app.designer.migration import CaseMove, dry_run, migrate_cases
from app.designer.service import get_version
from app.errors import ValidationError
from app.extensions import db
from app.org.permissions import can_design
from app.whole_numbers import db_int


def _number(body: dict[str, Any], name: str) -> int:
    value = db_int(body.get(name))
    if value is None:
        raise ValidationError(_("Some fields need your attention."), {name: _("Must be a version number.")})
    return value


def _move_json(move: CaseMove, *, done: bool) -> dict[str, object]:
    body: dict[str, object] = {"id": move.case.id, "number": move.case.number, "current_tasks": move.current,
                               "movable": move.movable, "reasons": move.reasons, "notes": move.notes}  # fmt: skip
    if done:
        body["moved"] = move.moved
    return body


@bp.post("/designer/case-types/<key>/migrations")
def designer_migrate(key: str) -> ResponseReturnValue:
    """Body `{source, target, dry_run}`; a dry run (the default) changes nothing."""
    user = signed_in_user()
    require(can_design(user))
    body = json_body()
    source = get_version(key, _number(body, "source"))
    target = get_version(key, _number(body, "target"))
    dry = body.get("dry_run", True)
    if not isinstance(dry, bool):
        raise ValidationError(_("Some fields need your attention."), {"dry_run": _("Must be true or false.")})
    if dry:
        moves = dry_run(source, target)
    else:
        moves = migrate_cases(source, target, actor=user, now=utcnow(), ip=request.remote_addr or "")
        db.session.commit()
    cases = [_move_json(m, done=not dry) for m in moves]
    return {"key": key, "source": source.version, "target": target.version, "dry_run": dry, "cases": cases,
            "movable": sum(1 for m in moves if m.movable), "moved": sum(1 for m in moves if m.moved)}  # fmt: skip
