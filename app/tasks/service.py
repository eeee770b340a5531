"""Domain verbs for tasks: claim, unclaim, assign, complete; and the inbox queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.orm import defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app import engine
from app.cases.locking import holds_lock, lock_case, lock_case_of_task
from app.cases.models import Case
from app.cases.service import Change, ProcessError, add_event, record_engine_result
from app.casetypes.registry import deployed_version
from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.extensions import db
from app.jsonforms.validate import form_errors
from app.notifications.service import notify
from app.org.models import User
from app.org.permissions import can_assign, can_claim, can_complete, can_see_task, can_unclaim, may_hold
from app.registers.references import link_references, reference_errors
from app.tasks.models import Task, TaskStatus, is_open

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# The inbox's display order; the partial indexes ix_task_open_assignee and ix_task_open_candidate hold it.
INBOX_ORDER = (Task.due_at.asc().nulls_last(), Task.created_at, Task.id)


def get_task_for(user: User, task_id: str) -> Task:
    """Load a task the user may see; anything else is 'not found' so existence does not leak."""
    task = db.session.get(Task, task_id) if len(task_id) <= 36 else None
    if task is None or not can_see_task(user, task):
        raise NotFoundError(_("No such task."))
    return task


def locked_task_for(user: User, task_id: str) -> Task:
    """`get_task_for` for a change: lock the task's case, then read the task and its open siblings.

    Two round trips, all rows read under the lock; the verbs below need no further lock or refresh.
    """
    case = lock_case_of_task(task_id) if len(task_id) <= 36 else None
    if case is None:
        raise NotFoundError(_("No such task."))
    stmt = (
        select(Task)
        .where(Task.case_id == case.id, or_(Task.status == TaskStatus.OPEN, Task.id == task_id))
        .order_by(Task.created_at)
        # The case is already in the session; an assignee's own roles are not needed to act on the task.
        .options(lazyload(Task.case), defaultload(Task.assignee).lazyload(User.memberships))
    )
    tasks = list(db.session.scalars(stmt))
    for t in tasks:
        set_committed_value(t, "case", case)  # held by its tasks, the locked case stays in the session
    set_committed_value(case, "open_tasks", [t for t in tasks if t.status is TaskStatus.OPEN])
    task = next((t for t in tasks if t.id == task_id), None)
    if task is None or not can_see_task(user, task):
        raise NotFoundError(_("No such task."))
    return task


def locked_task(task: Task) -> Task:
    if not holds_lock(task.case_id):
        lock_case(task.case_id)
        db.session.refresh(task)  # loaded before the lock: decide on the locked row
    if task.status is not TaskStatus.OPEN:
        raise ConflictError(_("This task has already been completed."))
    return task


def claim_task(task: Task, *, actor: User, now: datetime) -> Task:
    task = locked_task(task)
    if not can_claim(actor, task):
        raise ForbiddenError(_("You are not a candidate for this task."))
    if task.assignee is not None and task.assignee_id != actor.id:
        raise ConflictError(_("This task has already been claimed by %(name)s.", name=task.assignee.display_name))
    task.assignee_id, task.assignee = actor.id, actor
    add_event(task.case, "claimed", actor=actor, now=now, task=task)
    db.session.flush()
    return task


def unclaim_task(task: Task, *, actor: User, now: datetime) -> Task:
    task = locked_task(task)
    if task.assignee is None or not can_unclaim(actor, task):  # can_unclaim also requires an assignee
        raise ForbiddenError(_("You may not release this task."))
    add_event(task.case, "unclaimed", actor=actor, now=now, task=task, payload={"from": task.assignee.username})
    task.assignee_id, task.assignee = None, None
    db.session.flush()
    return task


def assign_task(task: Task, assignee: User, *, actor: User, now: datetime) -> Task:
    task = locked_task(task)
    if not can_assign(actor, task):
        raise ForbiddenError(_("You may not assign this task."))
    if not assignee.active or not may_hold(assignee, task.role, task.case.org_unit):
        raise ValidationError(
            _("%(name)s cannot take this task.", name=assignee.display_name),
            {"username": _("Must hold the task's role for this case's area.")},
        )
    task.assignee_id, task.assignee = assignee.id, assignee
    add_event(task.case, "assigned", actor=actor, now=now, task=task, payload={"to": assignee.username})
    if assignee.id != actor.id:
        notify([assignee], "assigned", task=task, now=now)
    db.session.flush()
    return task


def complete_task(task: Task, data: dict[str, Any], *, actor: User, now: datetime) -> Change:
    task = locked_task(task)
    if not can_complete(actor, task):
        raise ForbiddenError(_("You are not a candidate for this task."))
    case = task.case
    deployed = deployed_version(case.process_version)
    spec = deployed.definition.user_tasks.get(task.bpmn_id)
    form = deployed.form(spec.form if spec else None)
    schema = form[0] if form is not None else {}
    if errors := (form_errors(schema, data) if form is not None else {}) or reference_errors(
        schema, data, case.org_unit
    ):
        raise ValidationError(_("Some fields need your attention."), errors)
    # A submission answers its whole form: a field left out is cleared, so an answer
    # from an earlier round of a loop cannot steer this round's gateways.
    answers = {**dict.fromkeys(form[0].get("properties", {}) if form else ()), **data}
    try:
        result = engine.complete(deployed.definition, case.state, task.id, answers, now=now)
    except engine.EngineError as err:
        raise ProcessError(_("The process could not continue: %(reason)s", reason=str(err))) from err
    task.status, task.completed_at, task.completed_by_id = TaskStatus.COMPLETED, now, actor.id
    add_event(case, "completed", actor=actor, now=now, task=task, payload=dict(data))
    link_references(case, schema, data)
    change = record_engine_result(
        case, deployed, result, submitted=answers, actor=actor, now=now, completed_task_id=task.id
    )
    db.session.flush()
    return change


@dataclass(frozen=True)
class InboxQuery:
    scope: str = "all"  # mine | candidate | all (both)
    status: str = "open"  # open | completed
    case_type: str | None = None
    state: str | None = None  # normal | warning | overdue
    supervised: bool = False
    offset: int = 0
    limit: int = PAGE_SIZE


def inbox(user: User, query: InboxQuery, *, now: datetime) -> tuple[list[Task], int | None]:
    """One page of the user's tasks and the offset of the next page (None at the end).

    One statement: the page's ids come from one index scan per inbox branch (my tasks;
    each role x unit I hold), each stopping after the page, merged in display order;
    then those rows with what a list shows of their case: its number, never its data or state.
    """
    depth = query.offset + query.limit + 1
    if query.status == "completed":
        done = (Task.status == TaskStatus.COMPLETED, Task.completed_by_id == user.id)
        page = select(Task.id).where(*done).order_by(Task.completed_at.desc(), Task.id).limit(depth).subquery()
        order: tuple[Any, ...] = (Task.completed_at.desc(), Task.id)
    else:
        branches = _branches(user, query.scope)
        if not branches:
            return [], None
        filters = _filters(query, now=now)
        parts = [
            select(Task.id).where(is_open(), branch, *filters).order_by(*INBOX_ORDER).limit(depth)
            for branch in branches
        ]
        page = (parts[0] if len(parts) == 1 else union_all(*(select(p.subquery()) for p in parts))).subquery()
        order = INBOX_ORDER
    stmt = (
        select(Task)
        .join(page, page.c.id == Task.id)
        .order_by(*order)
        .offset(query.offset)
        .limit(query.limit + 1)
        .options(
            joinedload(Task.case)
            .load_only(Case.id, Case.number, Case.title, Case.case_type, Case.process_version_id, Case.org_unit_id)
            .joinedload(Case.process_version),
            defaultload(Task.assignee).lazyload(User.memberships),
        )
    )
    rows = list(db.session.scalars(stmt))
    more = len(rows) > query.limit
    return rows[: query.limit], (query.offset + query.limit if more else None)


def _branches(user: User, scope: str) -> list[ColumnElement[bool]]:
    """'mine', and one 'candidate' branch per role x unit the user holds: each is one index range."""
    mine = [Task.assignee_id == user.id] if scope in ("mine", "all") else []
    pairs = sorted({(m.role, m.org_unit_id) for m in user.memberships}) if scope in ("candidate", "all") else []
    return mine + [
        and_(Task.assignee_id.is_(None), Task.role == role, Task.org_unit_id == unit) for role, unit in pairs
    ]


def _filters(query: InboxQuery, *, now: datetime) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.supervised:
        filters.append(Task.supervised_at.is_not(None))
    if query.case_type:
        of_type = select(Case.id).where(Case.id == Task.case_id, Case.case_type == query.case_type)
        filters.append(of_type.exists())
    if query.state is not None:
        filters.append(_STATES[query.state](now))
    return filters


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(Task.due_at.is_not(None), Task.due_at < now)


def _warning(now: datetime) -> ColumnElement[bool]:
    return and_(Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at >= now))


def _normal(now: datetime) -> ColumnElement[bool]:
    return and_(or_(Task.warn_at.is_(None), Task.warn_at > now), or_(Task.due_at.is_(None), Task.due_at >= now))


_STATES = {"overdue": _overdue, "warning": _warning, "normal": _normal}


def inbox_counts(user: User, *, now: datetime) -> dict[str, int]:
    """Open tasks of mine or for my roles, by deadline state: {normal, warning, overdue}.

    Counted per inbox branch from its partial index alone (due_at and warn_at are in it).
    """
    branches = _branches(user, "all")
    if not branches:
        return {"normal": 0, "warning": 0, "overdue": 0}
    counted = [
        select(
            func.count().filter(_overdue(now)).label("overdue"),
            func.count().filter(_warning(now)).label("warning"),
            func.count().label("total"),
        ).where(is_open(), branch)
        for branch in branches
    ]
    both = union_all(*(select(c.subquery()) for c in counted)).subquery() if len(counted) > 1 else counted[0].subquery()
    overdue, warning, total = db.session.execute(
        select(func.sum(both.c.overdue), func.sum(both.c.warning), func.sum(both.c.total))
    ).one()
    overdue, warning, total = int(overdue or 0), int(warning or 0), int(total or 0)
    return {"normal": total - overdue - warning, "warning": warning, "overdue": overdue}


def task_state(task: Task, now: datetime) -> str:
    """The colour of a task: normal, warning or overdue (待处 / 预警 / 超期)."""
    if task.due_at is not None and task.due_at < now:
        return "overdue"
    if task.warn_at is not None and task.warn_at <= now:
        return "warning"
    return "normal"
