"""Domain verbs for tasks: claim, unclaim, assign, complete (the inbox queries are in app/tasks/inbox.py)."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app import engine
from app.cases.events import add_event
from app.cases.locking import holds_lock, lock_case, lock_case_of_task
from app.cases.rows import RowWrites
from app.cases.service import Change, ProcessError, record_engine_result
from app.casetypes.registry import deployed_version
from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.extensions import db
from app.jsonforms.validate import form_errors
from app.notifications.service import notify
from app.org.models import User
from app.org.permissions import can_assign, can_claim, can_complete, can_see_task, can_unclaim, may_hold
from app.registers.references import link_references, reference_errors
from app.tasks.models import Task, TaskStatus


def get_task_for(user: User, task_id: str) -> Task:
    """Load a task the user may see; anything else is 'not found' so existence does not leak."""
    task = db.session.get(Task, task_id) if len(task_id) <= 36 else None
    if task is None or not can_see_task(user, task):
        raise NotFoundError(_("No such task."))
    return task


def open_task_for(user: User, task_id: str) -> Task:
    """`get_task_for` for a verb that needs the task open: a finished task is a conflict (409) that says so, not a
    refusal (403), for anyone who may see it. The verbs check again under the case's lock (`locked_task`)."""
    return _still_open(get_task_for(user, task_id))


def locked_task_for(user: User, task_id: str) -> Task:
    """`get_task_for` for a change: lock the task's case, reading the task and its open siblings with it
    (app/cases/locking.py); the verbs below need no further lock or refresh."""
    found = lock_case_of_task(task_id) if len(task_id) <= 36 else None
    task = next((t for t in found[1] if t.id == task_id), None) if found else None
    if task is None or not can_see_task(user, task):
        raise NotFoundError(_("No such task."))
    return task


def locked_task(task: Task) -> Task:
    if not holds_lock(task.case_id):
        lock_case(task.case_id)
        db.session.refresh(task)  # loaded before the lock: decide on the locked row
    return _still_open(task)


def _still_open(task: Task) -> Task:
    if task.status is TaskStatus.COMPLETED:
        raise ConflictError(_("This task has already been completed."))
    if task.status is not TaskStatus.OPEN:
        raise ConflictError(_("This task is no longer open: the process moved on without it."))
    return task


def claim_task(task: Task, *, actor: User, now: datetime) -> Task:
    task = locked_task(task)
    if not can_claim(actor, task):
        raise ForbiddenError(_("You are not a candidate for this task."))
    if task.assignee is not None and task.assignee_id != actor.id:
        raise ConflictError(_("This task has already been claimed by %(name)s.", name=task.assignee.display_name))
    add_event(task.case, "claimed", actor=actor, now=now, task=task)
    _hand_to(task, actor)
    return task


def unclaim_task(task: Task, *, actor: User, now: datetime) -> Task:
    task = locked_task(task)
    if task.assignee is None or not can_unclaim(actor, task):  # can_unclaim also requires an assignee
        raise ForbiddenError(_("You may not release this task."))
    add_event(task.case, "unclaimed", actor=actor, now=now, task=task, payload={"from": task.assignee.username})
    _hand_to(task, None)
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
    add_event(task.case, "assigned", actor=actor, now=now, task=task, payload={"to": assignee.username})
    _hand_to(task, assignee)
    if assignee.id != actor.id:
        notify([assignee], "assigned", task=task, now=now)
        db.session.flush()
    return task


def _hand_to(task: Task, assignee: User | None) -> None:
    """The task's new holder, written with the event just queued (app/cases/rows.py: one statement on PostgreSQL)."""
    rows = RowWrites()
    rows.update(task, assignee_id=assignee.id if assignee else None)
    set_committed_value(task, "assignee", assignee)
    rows.write()


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
    rows = RowWrites()
    rows.update(task, status=TaskStatus.COMPLETED, completed_at=now, completed_by_id=actor.id)
    add_event(case, "completed", actor=actor, now=now, task=task, payload=dict(data))
    link_references(case, schema, data)
    change = record_engine_result(case, deployed, result, submitted=answers, actor=actor, now=now, rows=rows)
    rows.write()
    db.session.flush()
    return change
