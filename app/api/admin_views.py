"""/api/v1 administration: users and org units within the caller's admin area."""

from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.admin.org_service import create_unit
from app.admin.user_service import create_user, users_managed
from app.api.blueprint import bp, json_body, optional_text
from app.api.serializers import unit_json, user_json
from app.auth.guards import signed_in_user
from app.clock import utcnow
from app.errors import ForbiddenError
from app.extensions import db
from app.org.models import OrgKind, User
from app.org.permissions import is_admin
from app.org.service import unit_by_code


def _admin() -> User:
    user = signed_in_user()
    if not is_admin(user):
        raise ForbiddenError(_("Only administrators may do this."))
    return user


@bp.get("/users")
def users() -> ResponseReturnValue:
    return {"items": [user_json(u) for u in users_managed(_admin())]}


@bp.post("/users")
def create_user_api() -> ResponseReturnValue:
    """{username, display_name, password, role, org_unit} → 201 user. Unknown body fields are ignored."""
    admin, body = _admin(), json_body()
    fields = {name: optional_text(body, name) for name in ("username", "display_name", "password", "role", "org_unit")}
    user = create_user(fields["username"], fields["display_name"], fields["password"], fields["role"],
                       unit_by_code(fields["org_unit"]), actor=admin, now=utcnow())  # fmt: skip
    db.session.commit()
    return user_json(user), 201


@bp.post("/org-units")
def create_unit_api() -> ResponseReturnValue:
    """{code, name, kind, parent} → 201 unit."""
    admin, body = _admin(), json_body()
    kind_value = optional_text(body, "kind")
    kind = OrgKind(kind_value) if kind_value in {k.value for k in OrgKind} else None
    unit = create_unit(optional_text(body, "code"), optional_text(body, "name"), kind, unit_by_code(optional_text(body, "parent")),
                       actor=admin, now=utcnow())  # fmt: skip
    db.session.commit()
    return unit_json(unit), 201
