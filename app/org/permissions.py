"""Every access rule in one place: jurisdiction, candidacy and who may do what."""

from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, select

from app.cases.models import Case, CaseStatus
from app.org.models import OrgKind, OrgUnit, User
from app.org.roles import (
    DASHBOARD_ROLES,
    DESK_ROLES,
    INTAKE_CHANNEL_ROLE,
    KNOWLEDGE_EDITOR_ROLES,
    PERSONAL_DATA_ROLES,
    REGISTER_WRITER_ROLES,
    SUPERVISOR_ROLES,
    TAXONOMY_ROLES,
    TRIAGE_ROLES,
)
from app.registers.models import Building, MarketEntity, Resident
from app.tasks.models import Task, TaskStatus


def jurisdiction_paths(user: User) -> list[str]:
    """The paths of the units a user works in; their subtrees are the user's jurisdiction."""
    return sorted({m.org_unit.path for m in user.memberships})


def in_jurisdiction(user: User, unit: OrgUnit) -> bool:
    return any(unit.path.startswith(path) for path in jurisdiction_paths(user))


def visible_units(user: User) -> Select[tuple[OrgUnit]]:
    paths = jurisdiction_paths(user)
    return select(OrgUnit).where(OrgUnit.in_subtrees(paths))


def visible_cases(user: User) -> Select[tuple[Case]]:
    paths = jurisdiction_paths(user)
    return select(Case).join(Case.org_unit).where(OrgUnit.in_subtrees(paths))


def can_see_case(user: User, case: Case) -> bool:
    """Cases in the user's jurisdiction, and a case elsewhere while one of its open tasks is theirs or waits for
    them (a task sent to another grid or unit): its handler needs the case's photos, history and page."""
    return in_jurisdiction(user, case.org_unit) or any(works_on(user, task) for task in case.open_tasks)


def can_attach(user: User, case: Case) -> bool:
    """Photos and documents may be added to an open case by anyone who may see it."""
    return case.status is CaseStatus.OPEN and can_see_case(user, case)


def is_candidate(user: User, task: Task) -> bool:
    return any(m.role == task.role and m.org_unit_id == task.org_unit_id for m in user.memberships)


def can_see_task(user: User, task: Task) -> bool:
    """Its holder and candidates while it is open, and whoever may see its case. A finished task shows its case's
    current data, so once done it is its case's area's again: its holder from elsewhere no longer reads the case."""
    return works_on(user, task) or can_see_case(user, task.case)


def works_on(user: User, task: Task) -> bool:
    """The task is open and theirs, or waits for their role at their unit."""
    return task.status is TaskStatus.OPEN and (task.assignee_id == user.id or is_candidate(user, task))


def can_claim(user: User, task: Task) -> bool:
    return task.status is TaskStatus.OPEN and is_candidate(user, task)


def can_complete(user: User, task: Task) -> bool:
    if task.status is not TaskStatus.OPEN:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return is_candidate(user, task)


def is_supervisor_of(user: User, unit: OrgUnit) -> bool:
    return any(m.role in SUPERVISOR_ROLES and unit.path.startswith(m.org_unit.path) for m in user.memberships)


def can_assign(user: User, task: Task) -> bool:
    """Supervisors of the case's unit, and the current assignee handing the task over."""
    if task.status is not TaskStatus.OPEN:
        return False
    return task.assignee_id == user.id or is_supervisor_of(user, task.case.org_unit)


def can_unclaim(user: User, task: Task) -> bool:
    return task.status is TaskStatus.OPEN and task.assignee_id is not None and can_assign(user, task)


def can_start_in(user: User, start_role: str | None, unit: OrgUnit, *, triage: bool = False) -> bool:
    """A case of a type whose start event sits in `start_role`'s lane, reported in `unit`.

    Cases start in a grid; only a matter that routing could not place (`triage`) starts at the triage
    unit (the county), waiting there for a dispatcher to choose its grid: whoever may report it in
    some unit under that county may leave it there. An intake channel's system account (role
    `intake_channel`, e.g. an Open311 client) may start any case type in its subtree.
    """
    if not unit.is_grid and not triage:
        return False

    def covers(home: OrgUnit) -> bool:
        return unit.path.startswith(home.path) or (triage and home.path.startswith(unit.path))

    if any(m.role == INTAKE_CHANNEL_ROLE and covers(m.org_unit) for m in user.memberships):
        return True
    if start_role is None:
        return in_jurisdiction(user, unit) or (triage and any(covers(m.org_unit) for m in user.memberships))
    return any(m.role == start_role and covers(m.org_unit) for m in user.memberships)


def holds_start_lane(user: User, start_lanes: Collection[str | None]) -> bool:
    """Whether `user` holds the role of some case type's start lane (any role, for a type whose start event sits in
    no lane): the menu offers reporting. Where they may report it is `startable_units` (app/cases/service.py)."""
    roles = {m.role for m in user.memberships}
    return bool(roles) and (None in start_lanes or not roles.isdisjoint(start_lanes))


def may_hold(user: User, role: str, unit: OrgUnit) -> bool:
    """Whether `user` holds `role` at `unit` or one of its ancestors (an assignment target)."""
    return any(m.role == role and unit.path.startswith(m.org_unit.path) for m in user.memberships)


def is_admin_of(user: User, unit: OrgUnit) -> bool:
    return any(m.role == "admin" and unit.path.startswith(m.org_unit.path) for m in user.memberships)


def can_supervise(user: User, task: Task) -> bool:
    """督办: dispatchers, leaders and admins over the case's area."""
    return task.status is TaskStatus.OPEN and is_supervisor_of(user, task.case.org_unit)


def can_reassign(user: User, task: Task) -> bool:
    return task.status is TaskStatus.OPEN and is_supervisor_of(user, task.case.org_unit)


def can_return(user: User, task: Task) -> bool:
    return task.status is TaskStatus.OPEN and task.assignee_id == user.id


def can_edit_calendar(user: User) -> bool:
    """The working calendar is the whole installation's: admins of a top-level unit edit it."""
    return is_top_admin(user)


def sees_personal_data(user: User) -> bool:
    return any(m.role in PERSONAL_DATA_ROLES for m in user.memberships)


def is_admin(user: User) -> bool:
    return any(m.role == "admin" for m in user.memberships)


def is_top_admin(user: User) -> bool:
    return any(m.role == "admin" and m.org_unit.parent_id is None for m in user.memberships)


def can_design(user: User) -> bool:
    """Case types are the installation's: designers and admins deploy and edit them."""
    return any(m.role in ("designer", "admin") for m in user.memberships)


def dashboard_units(user: User) -> list[OrgUnit]:
    """The units where `user` holds a dashboard role, widest first; their subtrees are what the dashboard shows."""
    units = {m.org_unit.id: m.org_unit for m in user.memberships if m.role in DASHBOARD_ROLES}
    return sorted(units.values(), key=lambda u: (len(u.ancestor_ids()), u.code))


def can_view_dashboard(user: User) -> bool:
    return bool(dashboard_units(user))


def dashboard_covers(user: User, unit: OrgUnit) -> bool:
    return any(unit.path.startswith(home.path) for home in dashboard_units(user))


def can_see_assessment_of(viewer: User, worker: User) -> bool:
    """A grid worker sees their own score; dashboard holders see the workers of grids in their area."""
    if viewer.id == worker.id:
        return True
    return any(m.role == "grid_worker" and dashboard_covers(viewer, m.org_unit) for m in worker.memberships)


def _within(user: User) -> ColumnElement[bool]:
    return OrgUnit.in_subtrees(jurisdiction_paths(user))


def visible_entities(user: User) -> Select[tuple[MarketEntity]]:
    return select(MarketEntity).join(MarketEntity.org_unit).where(_within(user))


def visible_residents(user: User) -> Select[tuple[Resident]]:
    return select(Resident).join(Resident.org_unit).where(_within(user))


def visible_buildings(user: User) -> Select[tuple[Building]]:
    return select(Building).join(Building.org_unit).where(_within(user))


def can_write_register(user: User, unit: OrgUnit) -> bool:
    """Grid workers, village staff and admins keep the base data of the grids in their area."""
    return unit.is_grid and any(
        m.role in REGISTER_WRITER_ROLES and unit.path.startswith(m.org_unit.path) for m in user.memberships
    )


def writable_grids(user: User) -> Select[tuple[OrgUnit]]:
    """The grids where `user` may create and change register records, by code."""
    paths = sorted({m.org_unit.path for m in user.memberships if m.role in REGISTER_WRITER_ROLES})
    return (
        select(OrgUnit)
        .where(OrgUnit.kind.in_((OrgKind.GRID, OrgKind.EXCLUSIVE_GRID)))
        .where(OrgUnit.in_subtrees(paths))
        .order_by(OrgUnit.code)
    )


def sees_registers(user: User) -> bool:
    """Anyone who works in a unit sees the base data of its subtree."""
    return bool(user.memberships)


def keeps_registers(user: User) -> bool:
    """Holds a role that creates register records and visits (somewhere)."""
    return any(m.role in REGISTER_WRITER_ROLES for m in user.memberships)


def can_manage_taxonomy(user: User) -> bool:
    """The taxonomy and admission list are the installation's: admins and the county centre import them."""
    return any(m.role in TAXONOMY_ROLES for m in user.memberships)


def can_edit_knowledge(user: User) -> bool:
    return any(m.role in KNOWLEDGE_EDITOR_ROLES for m in user.memberships)


def reads_knowledge(user: User) -> bool:
    """Anyone who works in a unit reads the policy answers (operators answer from them, handlers consult them)."""
    return bool(user.memberships)


def works_desk(user: User) -> bool:
    """12345 operators take calls at the desk: answer directly, or create a case."""
    return any(m.role in DESK_ROLES for m in user.memberships)


def triage_paths(user: User) -> list[str]:
    """The subtrees whose triage queue `user` works: dispatchers' (and admins') units."""
    return sorted({m.org_unit.path for m in user.memberships if m.role in TRIAGE_ROLES})


def can_triage(user: User, unit: OrgUnit) -> bool:
    """Whether `user` may route a case from triage at `unit` (the case's or the chosen grid)."""
    return any(unit.path.startswith(path) for path in triage_paths(user))
