"""Inbox and task pages: claim, release, assign, complete."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, require, signed_in_user
from app.casetypes.registry import deployed_version
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.i18n import locale_code
from app.jsonforms.html import coerce_posted, form_fields
from app.jsonforms.localize import localize
from app.org.permissions import can_assign, can_claim, can_complete, can_see_case, can_unclaim
from app.org.service import candidates, user_by_username
from app.tasks.models import Task
from app.tasks.service import (
    InboxQuery,
    assign_task,
    claim_task,
    complete_task,
    get_task_for,
    unclaim_task,
)
from app.tasks.service import (
    inbox as inbox_page,
)

bp = Blueprint("tasks", __name__)


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    user, now = signed_in_user(), utcnow()
    mine, _next = inbox_page(user, InboxQuery(scope="mine"), now=now)
    offset = max(request.args.get("offset", 0, type=int) or 0, 0)
    waiting, next_offset = inbox_page(user, InboxQuery(scope="candidate", offset=offset), now=now)
    return render_template("tasks/inbox.html", mine=mine, waiting=waiting, next_offset=next_offset)


def _task_form(task: Task) -> tuple[dict[str, Any], dict[str, Any]]:
    deployed = deployed_version(task.case.process_version)
    spec = deployed.definition.user_tasks.get(task.bpmn_id)
    schema, ui_schema = deployed.form(spec.form if spec else None) or ({"properties": {}}, {})
    return localize(schema, ui_schema, locale_code()), ui_schema


def _render(
    task: Task, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    user = signed_in_user()
    schema, ui_schema = _task_form(task)
    return render_template(
        "tasks/detail.html",
        task=task,
        case=task.case,
        schema=schema,
        fields=form_fields(schema, ui_schema, values or {}, errors or {}),
        may_complete=can_complete(user, task),
        may_claim=can_claim(user, task) and task.assignee_id is None,
        may_unclaim=can_unclaim(user, task),
        may_assign=can_assign(user, task),
        may_see_case=can_see_case(user, task.case),
        holders=candidates(task.role, task.org_unit_id),
    ), status


@bp.get("/tasks/<task_id>")
@login_required
def detail(task_id: str) -> ResponseReturnValue:
    return _render(get_task_for(signed_in_user(), task_id))


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    require(can_complete(user, task))
    schema, _ui = _task_form(task)
    values = coerce_posted(schema, request.form)
    try:
        change = complete_task(task, values, actor=user, now=utcnow())
    except ValidationError as err:
        db.session.rollback()
        return _render(get_task_for(user, task_id), values, err.fields, 422)
    db.session.commit()
    flash(_("Task completed."), "success")
    if change.case.status.value == "closed":
        flash(_("Case %(number)s is closed.", number=change.case.number), "success")
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    claim_task(task, actor=user, now=utcnow())
    db.session.commit()
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    unclaim_task(task, actor=user, now=utcnow())
    db.session.commit()
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    require(can_assign(user, task))
    assignee = user_by_username(request.form.get("username", "").strip())
    if assignee is None:
        raise ValidationError(_("No such user."), {"username": _("No such user.")})
    assign_task(task, assignee, actor=user, now=utcnow())
    db.session.commit()
    flash(_("Task assigned to %(name)s.", name=assignee.display_name), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))
