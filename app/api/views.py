"""/api/v1: each route is its HTML twin over the same services and permission rules."""

from typing import Any

from flask import current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.attachment_views import multipart_body
from app.api.blueprint import bp, json_body, optional_text, text_field
from app.api.serializers import (
    attachment_json,
    case_json,
    case_status_json,
    case_type_json,
    inbox_rows_json,
    task_json,
    tasks_json,
    user_json,
)
from app.attachments.service import add_attachments, attachments_of, limits, read_uploads, written
from app.audit.service import record
from app.auth.guards import require, signed_in_user
from app.auth.signin import sign_in
from app.auth.tokens import issue_token, revoke_token
from app.cases.service import history_of, open_tasks_of
from app.cases.views import get_case_for
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import latest_version, latest_versions
from app.clock import utcnow
from app.errors import TooManyAttemptsError, UnauthorizedError, ValidationError
from app.extensions import db
from app.intake.duplicates import DuplicateFound, duplicate_json
from app.intake.reports import read_place, report_case
from app.org.models import OrgUnit, User
from app.org.permissions import can_assign, in_jurisdiction, sees_personal_data
from app.org.service import unit_by_code, user_by_username
from app.privacy import masked
from app.tasks.inbox import MAX_PAGE_SIZE, PAGE_SIZE, InboxQuery, inbox
from app.tasks.service import (
    assign_task,
    claim_task,
    complete_task,
    get_task_for,
    locked_task_for,
    open_task_for,
    unclaim_task,
)
from app.tasks.supervision import reassign_to_unit
from app.whole_numbers import whole


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    body = json_body()
    now = utcnow()
    attempt = sign_in(str(body.get("username", "")), str(body.get("password", "")), now=now,
                      ip=request.remote_addr or "", channel="api")  # fmt: skip
    db.session.commit()  # the attempt is logged whatever its outcome
    if attempt.locked:
        raise TooManyAttemptsError(_("Too many failed attempts; wait a minute and try again."))
    if attempt.user is None:
        raise UnauthorizedError(_("Wrong username or password."))
    value, expires_at = issue_token(attempt.user, now=now, hours=current_app.config["GRIDCASE_TOKEN_HOURS"])
    record("token_issued", now=now, user=attempt.user, ip=request.remote_addr or "")
    db.session.commit()
    return {"token": value, "expires_at": expires_at.isoformat()}


@bp.post("/auth/logout")
def revoke() -> ResponseReturnValue:
    """Revoke the token this request carries."""
    user = signed_in_user()
    revoke_token(g.api_token)
    record("token_revoked", now=utcnow(), user=user, ip=request.remote_addr or "")
    db.session.commit()
    return {"revoked": True}


@bp.get("/me")
def me() -> ResponseReturnValue:
    user = signed_in_user()
    return {k: v for k, v in user_json(user).items() if k != "active"}


@bp.get("/case-types")
def case_types() -> ResponseReturnValue:
    return {"items": [case_type_json(v) for v in latest_versions()]}


@bp.post("/cases")
def create_case() -> ResponseReturnValue:
    user = signed_in_user()
    multipart = request.mimetype == "multipart/form-data"  # a report with its photos in one request
    body = multipart_body() if multipart else json_body()
    uploads = read_uploads(request.files.to_dict(flat=False), limits()) if multipart else []
    version, unit, data = _case_to_start(user, body)
    place = read_place(body)  # optional category, latitude, longitude, address; duplicate_of / keep_separate
    channel = optional_text(body, "channel").strip()[:32] or "api"
    try:
        reported = report_case(version, unit, data, place, actor=user, now=(now := utcnow()), channel=channel)
    except DuplicateFound as found:
        db.session.rollback()
        return duplicate_json(found), 409
    add_attachments(reported.change.case, uploads, actor=user, now=now)
    with written(uploads, limits()):
        db.session.commit()
    now, change = utcnow(), reported.change
    return {**case_status_json(change.case), "merged": reported.merged,
            "open_tasks": tasks_json(change.open_tasks, now=now)}, 200 if reported.merged else 201  # fmt: skip


def _case_to_start(user: User, body: dict[str, Any]) -> tuple[ProcessVersion, OrgUnit, dict[str, Any]]:
    """A new case's type, grid and data, every field at fault named at once (422)."""
    key, code = (_stripped(body.get(name)) for name in ("case_type", "org_unit"))
    data, errors = body.get("data", {}), {}
    version = latest_version(key) if key else None
    if version is None:
        errors["case_type"] = _("No case type is called %(key)s.", key=key) if key else _("This field is required.")
    unit = unit_by_code(code) if code else None
    if unit is None or not in_jurisdiction(user, unit):
        errors["org_unit"] = _("No grid %(code)s in your area.", code=code) if code else _("This field is required.")
    elif not unit.is_grid:
        errors["org_unit"] = _(
            "%(name)s is not a grid: a case is reported in the grid where it happened.", name=unit.name
        )
    if not isinstance(data, dict):
        errors["data"] = _("Must be a JSON object.")
    if errors or version is None or unit is None or not isinstance(data, dict):
        raise ValidationError(_("Some fields need your attention."), errors)
    return version, unit, data


def _stripped(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int) -> ResponseReturnValue:
    """Personal data is masked unless the caller's role needs it or it asks with ?reveal=1 (logged)."""
    user = signed_in_user()
    case = get_case_for(user, case_id, page=True)
    reveal = sees_personal_data(user)
    if not reveal and request.args.get("reveal") == "1":
        record("reveal", now=utcnow(), user=user, ip=request.remote_addr or "", case=case.number)
        db.session.commit()
        reveal = True
    answer = case_json(case, open_tasks_of(case), history_of(case), now=utcnow(), reveal=reveal)
    return {**answer, "attachments": [attachment_json(a) for a in attachments_of(case)]}


@bp.get("/tasks")
def list_tasks() -> ResponseReturnValue:
    user, now = signed_in_user(), utcnow()
    args = request.args
    scope, status, state = args.get("scope", "all"), args.get("status", "open"), args.get("state")
    errors = {}
    if scope not in ("mine", "candidate", "all"):
        errors["scope"] = _("Must be mine, candidate or all.")
    if status not in ("open", "completed"):
        errors["status"] = _("Must be open or completed.")
    if state not in (None, "normal", "warning", "overdue"):
        errors["state"] = _("Must be normal, warning or overdue.")
    offset, limit = args.get("next", 0, type=whole), args.get("limit", PAGE_SIZE, type=whole)
    if offset < 0:  # a malformed number reads as the default
        errors["next"] = _("Must be a number from a previous answer.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        errors["limit"] = _("Must be between 1 and %(n)d.", n=MAX_PAGE_SIZE)
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    query = InboxQuery(
        supervised=args.get("supervised") in ("1", "true"),scope=scope, status=status, case_type=args.get("case_type") or None, state=state,
                       offset=offset or 0, limit=limit or PAGE_SIZE)  # fmt: skip
    tasks, next_offset = inbox(user, query, now=now)
    return {"items": inbox_rows_json(tasks, now=now), "next": next_offset}


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    data = task.case.data if sees_personal_data(user) else masked(task.case.process_version, task.case.data)
    return {**task_json(task, now=utcnow()), "case": {**case_status_json(task.case), "data": data}}


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = claim_task(locked_task_for(user, task_id), actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = unclaim_task(open_task_for(user, task_id), actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/assign")
def assign(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = open_task_for(user, task_id)
    require(can_assign(user, task))
    body = json_body()
    if body.get("org_unit") is not None:
        code = text_field(body, "org_unit")
        unit = unit_by_code(code)
        if unit is None:
            raise ValidationError(_("Unknown org unit."), {"org_unit": _("No grid %(code)s in your area.", code=code)})
        task = reassign_to_unit(task, unit, actor=user, now=utcnow())
        db.session.commit()
        return task_json(task, now=utcnow())
    username = text_field(body, "username")
    assignee = user_by_username(username)
    if assignee is None:
        raise ValidationError(_("No such user."), {"username": _("No such user.")})
    task = assign_task(task, assignee, actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    body = json_body()
    task = locked_task_for(user, task_id)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ValidationError(_("Some fields need your attention."), {"data": _("Must be a JSON object.")})
    done = complete_task(task, data, actor=user, now=utcnow())
    db.session.commit()
    now = utcnow()
    return {"case": case_status_json(done.case), "open_tasks": tasks_json(done.open_tasks, now=now)}
