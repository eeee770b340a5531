"""Inbox and task pages: claim, release, assign, complete."""

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.attachments.service import (
    add_attachments,
    attachments_of,
    images_and_documents,
    limits,
    read_uploads,
    written,
)
from app.auth.guards import login_required, require, signed_in_user
from app.casetypes.registry import deployed_version
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.i18n import local_datetime, locale_code
from app.intake.knowledge import related_entries
from app.intake.reporters import reporters_of
from app.jsonforms.html import coerce_posted, form_fields
from app.jsonforms.localize import localize
from app.org.models import User
from app.org.permissions import (
    can_assign,
    can_claim,
    can_complete,
    can_reassign,
    can_return,
    can_see_case,
    can_supervise,
    can_unclaim,
    reads_knowledge,
    sees_personal_data,
)
from app.org.service import candidates, unit_by_code, units_for_reassignment, user_by_username
from app.registers.references import reference_options
from app.tasks.inbox import MAX_PAGE_SIZE, InboxQuery, inbox_counts
from app.tasks.inbox import inbox as inbox_page
from app.tasks.models import Task
from app.tasks.service import (
    assign_task,
    claim_task,
    complete_task,
    get_task_for,
    locked_task,
    locked_task_for,
    open_task_for,
    unclaim_task,
)
from app.tasks.supervision import reassign_to_unit, return_task, supervise_task
from app.whole_numbers import whole

bp = Blueprint("tasks", __name__)


@bp.get("/inbox")
@login_required
def inbox() -> ResponseReturnValue:
    user, now = signed_in_user(), utcnow()
    state = request.args.get("state") if request.args.get("state") in ("normal", "warning", "overdue") else None
    supervised = request.args.get("supervised") == "1"
    mine_query = InboxQuery(scope="mine", limit=MAX_PAGE_SIZE, state=state, supervised=supervised)
    mine, _next = inbox_page(user, mine_query, now=now)
    offset = max(request.args.get("offset", 0, type=whole) or 0, 0)
    waiting_query = InboxQuery(scope="candidate", offset=offset, state=state, supervised=supervised)
    waiting, next_offset = inbox_page(user, waiting_query, now=now)
    return render_template("tasks/inbox.html", mine=mine, waiting=waiting, next_offset=next_offset,
                           counts=inbox_counts(user, now=now), state=state, supervised=supervised)  # fmt: skip


def _task_form(task: Task) -> tuple[dict[str, Any], dict[str, Any]]:
    deployed = deployed_version(task.case.process_version)
    spec = deployed.definition.user_tasks.get(task.bpmn_id)
    schema, ui_schema = deployed.form(spec.form if spec else None) or ({"properties": {}}, {})
    return localize(schema, ui_schema, locale_code()), ui_schema


def _render(
    task: Task,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    side: tuple[str, Mapping[str, str], dict[str, str]] | None = None,
) -> ResponseReturnValue:
    """The task page; `side`: a smaller form on it sent back (its name, what was typed, its field errors)."""
    user = signed_in_user()
    schema, ui_schema = _task_form(task)
    may_see_case = can_see_case(user, task.case)
    images, documents = images_and_documents(attachments_of(task.case)) if may_see_case else ([], [])
    return render_template(
        "tasks/detail.html",
        task=task,
        case=task.case,
        schema=schema,
        fields=form_fields(
            schema, ui_schema, values or {}, errors or {}, reference_options(schema, [task.case.org_unit_id])
        ),
        may_complete=can_complete(user, task),
        may_claim=can_claim(user, task) and task.assignee_id is None,
        may_unclaim=can_unclaim(user, task),
        may_assign=can_assign(user, task),
        may_supervise=can_supervise(user, task),
        may_return=can_return(user, task),
        reassign_units=units_for_reassignment(user, task) if can_reassign(user, task) else [],
        may_see_case=may_see_case,
        images=images,
        documents=documents,
        holders=candidates(task.role, task.org_unit_id),
        reveal=sees_personal_data(user),
        upload_errors=errors or {},
        answers=related_entries(task.case.category) if reads_knowledge(user) else [],
        reporters=reporters_of(task.case),
        side_form=side[0] if side else None,
        side_values=side[1] if side else {},
        side_errors=side[2] if side else {},
    ), status


@bp.get("/tasks/<task_id>")
@login_required
def detail(task_id: str) -> ResponseReturnValue:
    return _render(get_task_for(signed_in_user(), task_id))


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = locked_task(locked_task_for(user, task_id))  # done already: 409 (a form sent twice), as the API says
    require(can_complete(user, task))
    schema, _ui = _task_form(task)
    values = coerce_posted(schema, request.form)
    upload_limits = limits()
    try:
        uploads = read_uploads(request.files.to_dict(flat=False), upload_limits)
        change = complete_task(task, values, actor=user, now=(now := utcnow()))
    except ValidationError as err:
        db.session.rollback()
        return _render(get_task_for(user, task_id), values, err.fields, 422)
    add_attachments(change.case, uploads, actor=user, now=now, task=task)
    with written(uploads, upload_limits):
        db.session.commit()
    flash(_("Task completed."), "success")
    if change.case.status.value == "closed":
        flash(_("Case %(number)s is closed.", number=change.case.number), "success")
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = locked_task_for(user, task_id)
    claim_task(task, actor=user, now=utcnow())
    db.session.commit()
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    unclaim_task(task, actor=user, now=utcnow())
    db.session.commit()
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_assign(user, task))
    if request.form.get("org_unit"):
        unit = unit_by_code(request.form["org_unit"])
        if unit is None:
            raise ValidationError(_("Unknown org unit."), {"org_unit": _("Unknown org unit.")})
        reassign_to_unit(task, unit, actor=user, now=utcnow())
        db.session.commit()
        flash(_("Task sent to %(unit)s.", unit=unit.name), "success")
        return redirect(url_for("tasks.detail", task_id=task_id))
    assignee = user_by_username(request.form.get("username", "").strip())
    if assignee is None:
        raise ValidationError(_("No such user."), {"username": _("No such user.")})
    assign_task(task, assignee, actor=user, now=utcnow())
    db.session.commit()
    flash(_("Task assigned to %(name)s.", name=assignee.display_name), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/supervise")
@login_required
def supervise(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_supervise(user, task))
    try:
        supervise_task(task, reason=request.form.get("reason"), due_at=local_datetime(request.form.get("due_at")),
                       actor=user, now=utcnow())  # fmt: skip
    except ValidationError as err:
        return _sent_back(user, task_id, "supervise", err)
    db.session.commit()
    flash(_("Supervision notice issued."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.post("/tasks/<task_id>/return")
@login_required
def return_(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_return(user, task))
    try:
        return_task(task, reason=request.form.get("reason"), actor=user, now=utcnow())
    except ValidationError as err:
        return _sent_back(user, task_id, "return", err)
    db.session.commit()
    flash(_("Task returned."), "success")
    return redirect(url_for("tasks.inbox"))


def _sent_back(user: User, task_id: str, form: str, err: ValidationError) -> ResponseReturnValue:
    """The task page again with the side form `form` as it was typed, each error beside its field (422)."""
    db.session.rollback()
    return _render(get_task_for(user, task_id), status=422, side=(form, request.form, err.fields))
