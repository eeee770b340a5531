"""The triage queue page (/triage) and its API twin (/api/v1/triage)."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.blueprint import bp as api_bp
from app.api.blueprint import json_body, text_field
from app.api.serializers import iso, unit_json
from app.auth.guards import login_required, require, signed_in_user
from app.cases.models import Case
from app.clock import utcnow
from app.extensions import db
from app.intake.triage import route_from_triage, triage_grids, triage_queue
from app.org.permissions import triage_paths

bp = Blueprint("triage", __name__)


def triage_item_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "case_type": case.case_type,
        "title": case.title,
        "channel": case.channel,
        "org_unit": unit_json(case.org_unit),
        "routing": case.routing,
        "routing_reason": case.routing_reason,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "opened_at": iso(case.opened_at),
    }


@bp.get("/triage")
@login_required
def queue() -> ResponseReturnValue:
    user = signed_in_user()
    require(bool(triage_paths(user)))
    return render_template("intake/triage.html", cases=triage_queue(user), grids=triage_grids(user))


@bp.post("/triage/<int:case_id>")
@login_required
def set_grid(case_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    require(bool(triage_paths(user)))
    case = route_from_triage(case_id, request.form.get("org_unit", ""), actor=user, now=utcnow())
    db.session.commit()
    flash(_("Case %(number)s sent to %(unit)s.", number=case.number, unit=case.org_unit.name))
    return redirect(url_for("triage.queue"))


@api_bp.get("/triage")
def api_queue() -> ResponseReturnValue:
    user = signed_in_user()
    require(bool(triage_paths(user)))
    return {"items": [triage_item_json(c) for c in triage_queue(user)]}


@api_bp.post("/triage/<int:case_id>")
def api_set_grid(case_id: int) -> ResponseReturnValue:
    """`{org_unit: "<grid code>"}` → the case as a triage item, now routed by the dispatcher."""
    user = signed_in_user()
    require(bool(triage_paths(user)))
    case = route_from_triage(case_id, text_field(json_body(), "org_unit"), actor=user, now=utcnow())
    db.session.commit()
    return triage_item_json(case)
