"""/api/v1: supervision, return, inbox counts, notifications and the working calendar."""

from datetime import date

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp, datetime_field, json_body
from app.api.serializers import task_json
from app.auth.guards import require, signed_in_user
from app.calendars.service import days_of_year, delete_day, set_day
from app.clock import utcnow
from app.date_range import checked_day, checked_year
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.notifications.service import latest, mark_all_read, message, unread_count
from app.org.permissions import can_edit_calendar, can_return, can_supervise
from app.tasks.inbox import inbox_counts
from app.tasks.service import open_task_for
from app.tasks.supervision import return_task, supervise_task
from app.whole_numbers import whole


@bp.post("/tasks/<task_id>/supervise")
def supervise(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_supervise(user, task))
    body = json_body()
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    task = supervise_task(task, reason=reason, due_at=datetime_field(body, "due_at"), actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/return")
def return_(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_return(user, task))
    body = json_body()
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    task = return_task(task, reason=reason, actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.get("/tasks/counts")
def counts() -> ResponseReturnValue:
    return inbox_counts(signed_in_user(), now=utcnow())


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    user = signed_in_user()
    items = [
        {"id": n.id, "kind": n.kind, "message": message(n), "case_id": n.case_id, "task_id": n.task_id,
         "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
        for n in latest(user)
    ]  # fmt: skip
    return {"unread": unread_count(user), "items": items}


@bp.post("/notifications/read")
def read_notifications() -> ResponseReturnValue:
    mark_all_read(signed_in_user(), now=utcnow())
    db.session.commit()
    return {"unread": 0}


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotFoundError(_("Not found.")) from None


@bp.get("/calendar")
def calendar() -> ResponseReturnValue:
    year = checked_year(request.args.get("year", type=whole) or utcnow().year, "year")
    days = [{"date": d.day.isoformat(), "is_workday": d.is_workday, "name": d.name} for d in days_of_year(year)]
    return {"year": year, "items": days}


@bp.put("/calendar/<value>")
def put_day(value: str) -> ResponseReturnValue:
    require(can_edit_calendar(signed_in_user()))
    day, body = checked_day(_day(value), "date"), json_body()  # a day the calendar's pages can show
    if not isinstance(body.get("is_workday"), bool):
        raise ValidationError(_("Some fields need your attention."), {"is_workday": _("Must be true or false.")})
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > 60:
        raise ValidationError(
            _("Some fields need your attention."), {"name": _("Must be at most %(n)d characters long.", n=60)}
        )
    row = set_day(day, is_workday=body["is_workday"], name=name.strip())
    db.session.commit()
    return {"date": row.day.isoformat(), "is_workday": row.is_workday, "name": row.name}


@bp.delete("/calendar/<value>")
def remove_day(value: str) -> ResponseReturnValue:
    require(can_edit_calendar(signed_in_user()))
    if not delete_day(_day(value)):
        raise NotFoundError(_("Not found."))
    db.session.commit()
    return {"date": value, "deleted": True}
