"""The /api/v1 blueprint: bearer-token authentication and JSON body helpers shared by its route modules."""

from datetime import datetime
from typing import Any

from flask import Blueprint, g, request
from flask_babel import gettext as _

from app.auth.tokens import user_for_token
from app.clock import utcnow
from app.errors import BadRequestError, UnauthorizedError, ValidationError
from app.extensions import csrf

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
    g.api_token = token.strip()


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


def optional_text(body: dict[str, Any], name: str) -> str:
    """A text field that may be left out (""); a list, object, number or true/false is refused, naming the field,
    instead of being stored as its Python spelling."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("Some fields need your attention."), {name: _("Must be text.")})
    return value


def datetime_field(body: dict[str, Any], name: str) -> datetime | None:
    """An optional ISO 8601 date-time with its offset."""
    value = body.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            _("Some fields need your attention."), {name: _("Must be an ISO 8601 date and time with its offset.")}
        )
    return parsed
