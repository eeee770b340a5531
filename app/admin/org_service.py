"""Creating, renaming and moving org units; codes unique and well-formed, paths kept right."""

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.audit.service import record
from app.dashboard import rollup
from app.errors import ForbiddenError, ValidationError
from app.extensions import db
from app.org.models import OrgKind, OrgUnit, User
from app.org.permissions import is_admin_of
from app.org.service import unit_by_code, unit_path

CODE = re.compile(r"^\d{6,20}\Z", re.ASCII)
# Which kinds may sit under which: an exclusive grid hangs under its village or township (DOMAIN.md §2.2).
CHILD_KINDS = {
    OrgKind.CITY: {OrgKind.COUNTY},
    OrgKind.COUNTY: {OrgKind.TOWNSHIP},
    OrgKind.TOWNSHIP: {OrgKind.VILLAGE, OrgKind.EXCLUSIVE_GRID},
    OrgKind.VILLAGE: {OrgKind.GRID, OrgKind.EXCLUSIVE_GRID},
    OrgKind.GRID: set(),
    OrgKind.EXCLUSIVE_GRID: set(),
}


def unit_problems(code: str, name: str, kind: OrgKind | None, parent: OrgUnit | None) -> dict[str, str]:
    """Field errors for a new unit; {} when it may be created."""
    errors: dict[str, str] = {}
    if not CODE.match(code):
        errors["code"] = _("Use 6 to 20 digits (the division code, then the unit's number).")
    elif unit_by_code(code) is not None:
        errors["code"] = _("This code is already used.")
    if not name.strip() or len(name) > 120:
        errors["name"] = (
            _("This field is required.") if not name.strip() else _("Must be at most %(n)d characters long.", n=120)
        )
    if parent is None:
        errors["parent"] = _("Choose the unit above it.")
    elif kind is None or kind not in CHILD_KINDS[parent.kind]:
        errors["kind"] = _("This kind of unit cannot sit under that unit.")
    return errors


def create_unit(code: str, name: str, kind: OrgKind | None, parent: OrgUnit | None, *, actor: User,
                now: datetime) -> OrgUnit:  # fmt: skip
    if parent is not None and not is_admin_of(actor, parent):
        raise ForbiddenError(_("You may only change units in your own area."))
    errors = unit_problems(code.strip(), name, kind, parent)
    if errors or kind is None or parent is None:  # unit_problems names a missing kind or parent
        raise ValidationError(_("Some fields need your attention."), errors)
    unit = OrgUnit(code=code.strip(), name=name.strip(), kind=kind, parent=parent, parent_id=parent.id, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = unit_path(parent, unit.id)
    record("unit_created", now=now, user=actor, code=unit.code, name=unit.name, parent=parent.code)
    db.session.flush()
    return unit


def rename_unit(unit: OrgUnit, name: str, *, actor: User, now: datetime) -> OrgUnit:
    if not is_admin_of(actor, unit):
        raise ForbiddenError(_("You may only change units in your own area."))
    if not name.strip() or len(name) > 120:
        raise ValidationError(
            _("Some fields need your attention."), {"name": _("A name is required (at most 120 characters).")}
        )
    record("unit_changed", now=now, user=actor, code=unit.code, before=unit.name, after=name.strip())
    unit.name = name.strip()
    db.session.flush()
    return unit


def move_unit(unit: OrgUnit, parent: OrgUnit, *, actor: User, now: datetime) -> OrgUnit:
    """Hang a unit (with everything under it) under another parent in the admin's area.

    Cases keep their unit; the subtree's paths are rewritten in one statement.
    """
    if not (is_admin_of(actor, unit) and is_admin_of(actor, parent)) or unit.parent_id is None:
        raise ForbiddenError(_("You may only change units in your own area."))
    if parent.path.startswith(unit.path) or unit.kind not in CHILD_KINDS[parent.kind]:
        raise ValidationError(
            _("Some fields need your attention."), {"parent": _("This kind of unit cannot sit under that unit.")}
        )
    old, new, old_ancestors = unit.path, unit_path(parent, unit.id), unit.ancestor_ids()
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.in_subtrees([old]))
        .values(path=new + func.substr(OrgUnit.path, len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    unit.parent_id, unit.parent = parent.id, parent
    record("unit_changed", now=now, user=actor, code=unit.code, moved_from=old, moved_to=new)
    db.session.flush()
    db.session.expire_all()
    rollup.unit_moved(unit, old_ancestors)  # the statistics' subtree sums follow the unit
    return unit


def units_administered(user: User) -> list[OrgUnit]:
    """Every unit in the subtrees where the user is an admin, in tree order."""
    paths = sorted({m.org_unit.path for m in user.memberships if m.role == "admin"})
    if not paths:
        return []
    stmt = select(OrgUnit).where(OrgUnit.in_subtrees(paths)).order_by(OrgUnit.code)
    return list(db.session.scalars(stmt))
