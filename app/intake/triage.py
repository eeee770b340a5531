"""The triage queue (待分拨): matters routing could not place, and a dispatcher choosing their grid."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.events import add_event
from app.cases.locking import lock_case
from app.cases.models import Case, CaseStatus
from app.cases.service import open_tasks_of
from app.dashboard import rollup
from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.extensions import db
from app.intake.routing import GRID_KINDS
from app.org.models import OrgUnit, User
from app.org.permissions import can_see_case, can_triage, triage_paths
from app.org.service import candidate_unit, unit_by_code

QUEUE_LIMIT = 200


def triage_queue(user: User) -> list[Case]:
    """Open cases waiting in triage at units of the user's triage area, oldest first."""
    paths = triage_paths(user)
    if not paths:
        return []
    stmt = (
        select(Case)
        .join(Case.org_unit)
        .where(Case.routing == "triage", Case.status == CaseStatus.OPEN, OrgUnit.in_subtrees(paths))
        .order_by(Case.opened_at, Case.id)
        .limit(QUEUE_LIMIT)
    )
    return list(db.session.scalars(stmt))


def route_from_triage(case_id: int, grid_code: str, *, actor: User, now: datetime) -> Case:
    """Move a triage case to the chosen grid with its open unassigned tasks; recorded as a `routed` event."""
    case = lock_case(case_id)
    if not can_see_case(actor, case):
        raise NotFoundError(_("No such case."))
    if not can_triage(actor, case.org_unit):
        raise ForbiddenError(_("You may not do this."))
    if case.routing != "triage" or case.status is not CaseStatus.OPEN:
        raise ConflictError(_("This case is no longer waiting in triage."))
    grid = unit_by_code(grid_code.strip())
    if grid is None or not grid.is_grid or not can_triage(actor, grid):
        raise ValidationError(_("Some fields need your attention."), {"org_unit": _("Choose a grid of your area.")})
    before = case.org_unit
    case.org_unit_id, case.org_unit = grid.id, grid
    case.routing = "dispatcher"
    rollup.case_moved(case, before)  # its statistics move to the grid with it
    moved = []
    for task in open_tasks_of(case):
        if task.assignee_id is None:
            unit = candidate_unit(task.role, grid)
            task.org_unit_id, task.org_unit = unit.id, unit
            moved.append(task.id)
    add_event(case, "routed", actor=actor, now=now,
              payload={"from": before.code, "to": grid.code, "reason": case.routing_reason, "tasks": moved})  # fmt: skip
    db.session.flush()
    return case


def triage_grids(user: User) -> list[OrgUnit]:
    """The grids a dispatcher may choose, by code."""
    paths = triage_paths(user)
    stmt = select(OrgUnit).where(OrgUnit.kind.in_(GRID_KINDS), OrgUnit.in_subtrees(paths)).order_by(OrgUnit.code)
    return list(db.session.scalars(stmt)) if paths else []
