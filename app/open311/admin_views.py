"""/admin/open311: admins list, create and stop the Open311 clients of their area (a new key is shown once)."""

from flask import Blueprint, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.open311.clients import add_client, client_unit, set_client_active
from app.open311.models import Open311Client
from app.org.models import OrgUnit, User
from app.org.permissions import is_admin, is_admin_of
from app.org.service import unit_by_code

bp = Blueprint("open311_admin", __name__, url_prefix="/admin/open311")


def _admin_units(admin: User) -> list[OrgUnit]:
    paths = sorted({m.org_unit.path for m in admin.memberships if m.role == "admin"})
    stmt = select(OrgUnit).where(OrgUnit.in_subtrees(paths)).order_by(OrgUnit.path)
    return [u for u in db.session.scalars(stmt) if not u.is_grid]


def _page(admin: User, *, key: str | None = None, errors: dict[str, str] | None = None) -> str:
    clients = [c for c in db.session.scalars(select(Open311Client).order_by(Open311Client.name))
               if is_admin_of(admin, client_unit(c))]  # fmt: skip
    return render_template("open311/clients.html", clients=clients, units=_admin_units(admin), key=key,
                           errors=errors or {}, unit_of=client_unit)  # fmt: skip


@bp.get("")
@login_required
def clients() -> ResponseReturnValue:
    admin = signed_in_user()
    require(is_admin(admin))
    return _page(admin)


@bp.post("")
@login_required
def create() -> ResponseReturnValue:
    admin = signed_in_user()
    require(is_admin(admin))
    unit = unit_by_code(request.form.get("unit", ""))
    if unit is None or not is_admin_of(admin, unit):
        return _page(admin, errors={"unit": _("Choose a unit of your area.")}), 422
    try:
        _client, key = add_client(request.form.get("name", "").strip(), unit, now=utcnow(), actor=admin)
    except ValidationError as err:
        return _page(admin, errors=err.fields), 422
    db.session.commit()
    response = make_response(_page(admin, key=key))
    response.headers["Cache-Control"] = "no-store"  # the key is shown once: no copy in any cache
    return response


@bp.post("/<int:client_id>/active")
@login_required
def set_active(client_id: int) -> ResponseReturnValue:
    admin = signed_in_user()
    require(is_admin(admin))
    client = db.session.get(Open311Client, client_id)
    if client is None or not is_admin_of(admin, client_unit(client)):
        raise NotFoundError(_("No such client."))
    set_client_active(client, request.form.get("active") == "1", now=utcnow(), actor=admin)
    db.session.commit()
    return _page(admin)
