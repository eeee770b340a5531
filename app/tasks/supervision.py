"""Supervision (督办), return (退回) and reassignment to another unit: the dispatcher's levers."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.events import add_event
from app.cases.models import CaseEvent
from app.casetypes.registry import deployed_version
from app.date_range import checked_datetime
from app.errors import ForbiddenError, ValidationError
from app.extensions import db
from app.notifications.service import notify
from app.org.models import OrgUnit, User
from app.org.permissions import can_reassign, can_return, can_supervise, in_jurisdiction
from app.org.service import candidates
from app.tasks.models import ALERT_NONE, Task
from app.tasks.service import locked_task

RETURN_PROPERTY = "allowReturn"


def holders_of(task: Task) -> list[User]:
    return [task.assignee] if task.assignee is not None else candidates(task.role, task.org_unit_id)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("Some fields need your attention."), {"reason": _("This field is required.")})
    if len(text) > 1000:
        raise ValidationError(
            _("Some fields need your attention."), {"reason": _("Must be at most %(n)d characters long.", n=1000)}
        )
    return text


def supervise_task(task: Task, *, reason: str | None, due_at: datetime | None, actor: User, now: datetime) -> Task:
    """Issue a supervision notice: recorded, highlighted for the holders, optionally with a new deadline."""
    task = locked_task(task)
    if not can_supervise(actor, task):
        raise ForbiddenError(_("You may not supervise this task."))
    text = _reason(reason)
    due_at = checked_datetime(due_at, "due_at")  # beyond the accepted years it could not even be stored in UTC
    due_at = due_at.astimezone(UTC) if due_at is not None else None  # kept and answered in UTC, as every time is
    if due_at is not None and due_at <= now:
        raise ValidationError(
            _("Some fields need your attention."), {"due_at": _("The new deadline must be in the future.")}
        )
    task.supervised_at = now
    if due_at is not None:
        task.due_at = due_at
        task.warn_at = task.warn_at if task.warn_at is not None and task.warn_at < due_at else None
        task.alerted = ALERT_NONE
    add_event(task.case, "supervised", actor=actor, now=now, task=task,
              payload={"reason": text, "due_at": due_at.isoformat() if due_at else None})  # fmt: skip
    notify(holders_of(task), "supervised", task=task, now=now, reason=text)
    db.session.flush()
    return task


def return_task(task: Task, *, reason: str | None, actor: User, now: datetime) -> Task:
    """The assignee hands back a task that was wrongly assigned to them; whoever assigned it is told."""
    task = locked_task(task)
    if not can_return(actor, task):
        raise ForbiddenError(_("Only the person a task is assigned to may return it."))
    spec = deployed_version(task.case.process_version).definition.user_tasks.get(task.bpmn_id)
    if spec is not None and spec.properties.get(RETURN_PROPERTY, "true").lower() == "false":
        raise ForbiddenError(_("This step cannot be returned."))
    text = _reason(reason)
    assigner = _last_assigner(task)
    task.assignee_id, task.assignee = None, None
    add_event(task.case, "returned", actor=actor, now=now, task=task, payload={"reason": text})
    notify([assigner] if assigner is not None and assigner.id != actor.id else candidates(task.role, task.org_unit_id),
           "returned", task=task, now=now, reason=text)  # fmt: skip
    db.session.flush()
    return task


def reassign_to_unit(task: Task, unit: OrgUnit, *, actor: User, now: datetime) -> Task:
    """Send a task to the holders of its role at another unit within the dispatcher's area."""
    task = locked_task(task)
    if not can_reassign(actor, task):
        raise ForbiddenError(_("You may not assign this task."))
    if not in_jurisdiction(actor, unit) or not candidates(task.role, unit.id):
        raise ValidationError(
            _("Nobody there can take this task."),
            {"org_unit": _("Choose a unit in your area where someone holds the task's role.")},
        )
    previous = task.org_unit.code
    task.org_unit_id, task.org_unit = unit.id, unit
    task.assignee_id, task.assignee = None, None
    add_event(task.case, "reassigned", actor=actor, now=now, task=task, payload={"from": previous, "to": unit.code})
    db.session.flush()
    return task


def _last_assigner(task: Task) -> User | None:
    stmt = (
        select(CaseEvent)
        .where(CaseEvent.task_id == task.id, CaseEvent.kind == "assigned")
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    event = db.session.scalars(stmt).first()
    return event.actor if event is not None else None
