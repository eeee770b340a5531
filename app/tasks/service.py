"""Domain verbs for tasks: claim, unclaim, assign, complete; and the inbox queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, or_, select, tuple_
from sqlalchemy import case as sql_case
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
from app.tasks.models import Task, TaskStatus

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


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
    return record_engine_result(
        case, deployed, result, submitted=answers, actor=actor, now=now, completed_task_id=task.id
    )


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
    """One page of the user's tasks and the offset of the next page (None at the end)."""
    # First the page's ids from the task table alone (the inbox indexes serve it), then
    # those rows with what a list shows of their case: its number, never its data or state.
    page = _inbox_statement(user, query, now=now).with_only_columns(Task.id).offset(query.offset).limit(query.limit + 1)
    ids = list(db.session.scalars(page))
    stmt = (
        select(Task)
        .where(Task.id.in_(ids))
        .options(
            joinedload(Task.case)
            .load_only(Case.id, Case.number, Case.title, Case.case_type, Case.process_version_id, Case.org_unit_id)
            .joinedload(Case.org_unit)
        )
    )
    found = {t.id: t for t in db.session.scalars(stmt).unique()} if ids else {}
    rows = [found[i] for i in ids if i in found]
    more = len(rows) > query.limit
    return rows[: query.limit], (query.offset + query.limit if more else None)


def _mine_and_candidate(user: User) -> tuple[Any, Any]:
    pairs = [(m.role, m.org_unit_id) for m in user.memberships]
    mine = Task.assignee_id == user.id
    candidate = and_(Task.assignee_id.is_(None), tuple_(Task.role, Task.org_unit_id).in_(pairs)) if pairs else false()
    return mine, candidate


def inbox_counts(user: User, *, now: datetime) -> dict[str, int]:
    """Open tasks of mine or for my roles, by deadline state: {normal, warning, overdue}."""
    mine, candidate = _mine_and_candidate(user)
    state = sql_case(
        (and_(Task.due_at.is_not(None), Task.due_at < now), "overdue"),
        (and_(Task.warn_at.is_not(None), Task.warn_at <= now), "warning"),
        else_="normal",
    )
    stmt = select(state, func.count()).where(Task.status == TaskStatus.OPEN, or_(mine, candidate)).group_by(state)
    counts = {"normal": 0, "warning": 0, "overdue": 0}
    counts.update({str(k): int(n) for k, n in db.session.execute(stmt).all()})
    return counts


def _inbox_statement(user: User, query: InboxQuery, *, now: datetime) -> Select[tuple[Task]]:
    mine, candidate = _mine_and_candidate(user)
    if query.status == "completed":
        stmt = select(Task).where(Task.status == TaskStatus.COMPLETED, Task.completed_by_id == user.id)
        return stmt.order_by(Task.completed_at.desc(), Task.id)
    where = {"mine": mine, "candidate": candidate}.get(query.scope, or_(mine, candidate))
    stmt = select(Task).where(Task.status == TaskStatus.OPEN, where)
    if query.supervised:
        stmt = stmt.where(Task.supervised_at.is_not(None))
    if query.case_type:
        stmt = stmt.join(Case, Case.id == Task.case_id).where(Case.case_type == query.case_type)
    if query.state == "overdue":
        stmt = stmt.where(Task.due_at.is_not(None), Task.due_at < now)
    elif query.state == "warning":
        stmt = stmt.where(
            Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at >= now)
        )
    elif query.state == "normal":
        stmt = stmt.where(
            or_(Task.warn_at.is_(None), Task.warn_at > now), or_(Task.due_at.is_(None), Task.due_at >= now)
        )
    return stmt.order_by(Task.due_at.asc().nulls_last(), Task.created_at, Task.id)


def task_state(task: Task, now: datetime) -> str:
    """The colour of a task: normal, warning or overdue (待处 / 预警 / 超期)."""
    if task.due_at is not None and task.due_at < now:
        return "overdue"
    if task.warn_at is not None and task.warn_at <= now:
        return "warning"
    return "normal"
