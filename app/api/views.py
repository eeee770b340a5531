"""/api/v1: each route is its HTML twin over the same services and permission rules."""

from typing import Any

from flask import Blueprint, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.api.serializers import case_json, case_status_json, case_type_json, task_json, user_json
from app.auth.guards import require, signed_in_user
from app.auth.tokens import authenticate, issue_token, user_for_token
from app.cases.service import history_of, open_tasks_of, start_case
from app.cases.views import get_case_for
from app.casetypes.registry import latest_version, latest_versions
from app.clock import utcnow
from app.errors import BadRequestError, ForbiddenError, UnauthorizedError, ValidationError
from app.extensions import csrf, db
from app.org.models import Membership, OrgUnit, User
from app.org.permissions import can_assign, in_jurisdiction
from app.org.service import unit_by_code, user_by_username
from app.tasks.service import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    InboxQuery,
    assign_task,
    claim_task,
    complete_task,
    get_task_for,
    inbox,
    unclaim_task,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def authenticate_bearer() -> None:
    """Bearer tokens only: a session cookie never authenticates the API (it has no CSRF check)."""
    if request.endpoint == "api.token":
        return
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    user = user_for_token(token.strip(), now=utcnow()) if scheme.lower() == "bearer" and token else None
    if user is None:
        raise UnauthorizedError(_("A valid bearer token is required."))
    g._login_user = user  # Flask-Login's slot: current_user is the token's user for this request


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequestError(_("The request body must be valid JSON."))
    if not isinstance(body, dict):
        raise BadRequestError(_("The request body must be a JSON object."))
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("Some fields need your attention."), {name: _("This field is required.")})
    return value.strip()


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    body = json_body()
    user = authenticate(str(body.get("username", "")), str(body.get("password", "")))
    if user is None:
        raise UnauthorizedError(_("Wrong username or password."))
    value, expires_at = issue_token(user, now=utcnow(), hours=current_app.config["GRIDCASE_TOKEN_HOURS"])
    db.session.commit()
    return {"token": value, "expires_at": expires_at.isoformat()}


@bp.get("/me")
def me() -> ResponseReturnValue:
    user = signed_in_user()
    return {k: v for k, v in user_json(user).items() if k != "active"}


@bp.get("/users")
def users() -> ResponseReturnValue:
    user = signed_in_user()
    admin_paths = [m.org_unit.path for m in user.memberships if m.role == "admin"]
    if not admin_paths:
        raise ForbiddenError(_("Only administrators may list users."))
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(or_(*(OrgUnit.path.startswith(p, autoescape=True) for p in admin_paths)))
        .order_by(User.username)
    )
    return {"items": [user_json(u) for u in db.session.scalars(stmt).unique()]}


@bp.get("/case-types")
def case_types() -> ResponseReturnValue:
    return {"items": [case_type_json(v) for v in latest_versions()]}


@bp.post("/cases")
def create_case() -> ResponseReturnValue:
    user = signed_in_user()
    body = json_body()
    key = text_field(body, "case_type")
    version = latest_version(key)
    if version is None:
        raise ValidationError(_("Unknown case type."), {"case_type": _("No case type is called %(key)s.", key=key)})
    code = text_field(body, "org_unit")
    unit = unit_by_code(code)
    if unit is None or not in_jurisdiction(user, unit):
        raise ValidationError(_("Unknown org unit."), {"org_unit": _("No grid %(code)s in your area.", code=code)})
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ValidationError(_("Some fields need your attention."), {"data": _("Must be a JSON object.")})
    change = start_case(version, unit, data, actor=user, now=utcnow(), channel=str(body.get("channel") or "api")[:32])
    db.session.commit()
    now = utcnow()
    return {**case_status_json(change.case), "open_tasks": [task_json(t, now=now) for t in change.open_tasks]}, 201


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int) -> ResponseReturnValue:
    case = get_case_for(signed_in_user(), case_id)
    return case_json(case, open_tasks_of(case), history_of(case), now=utcnow())


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
    offset, limit = args.get("next", 0, type=int), args.get("limit", PAGE_SIZE, type=int)
    if offset < 0:  # a malformed number reads as the default
        errors["next"] = _("Must be a number from a previous answer.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        errors["limit"] = _("Must be between 1 and %(n)d.", n=MAX_PAGE_SIZE)
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    query = InboxQuery(scope=scope, status=status, case_type=args.get("case_type") or None, state=state,
                       offset=offset or 0, limit=limit or PAGE_SIZE)  # fmt: skip
    tasks, next_offset = inbox(user, query, now=now)
    return {"items": [task_json(t, now=now) for t in tasks], "next": next_offset}


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> ResponseReturnValue:
    task = get_task_for(signed_in_user(), task_id)
    return {**task_json(task, now=utcnow()), "case": {**case_status_json(task.case), "data": task.case.data}}


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = claim_task(get_task_for(user, task_id), actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = unclaim_task(get_task_for(user, task_id), actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/assign")
def assign(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    require(can_assign(user, task))
    username = text_field(json_body(), "username")
    assignee = user_by_username(username)
    if assignee is None:
        raise ValidationError(_("No such user."), {"username": _("No such user.")})
    task = assign_task(task, assignee, actor=user, now=utcnow())
    db.session.commit()
    return task_json(task, now=utcnow())


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> ResponseReturnValue:
    user = signed_in_user()
    task = get_task_for(user, task_id)
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ValidationError(_("Some fields need your attention."), {"data": _("Must be a JSON object.")})
    done = complete_task(task, data, actor=user, now=utcnow())
    db.session.commit()
    now = utcnow()
    return {"case": case_status_json(done.case), "open_tasks": [task_json(t, now=now) for t in done.open_tasks]}
