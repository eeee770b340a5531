"""Open cases with a place, as GeoJSON points for the dashboard map: the newest POINT_LIMIT of the viewed unit's
subtree (the viewer's jurisdiction: the unit was authorised by app/dashboard/params.py), each with its number,
title, whether it is overdue now, and a link to the case page. One query over a partial index of open cases with a
point, newest first, so a county with a hundred thousand open cases without points reads nothing."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, literal, select

from app.cases.models import Case, CaseStatus
from app.extensions import db
from app.org.models import OrgUnit
from app.tasks.models import Task, is_open

POINT_LIMIT = 2000


def _points(unit: OrgUnit, now: datetime, limit: int) -> Any:
    overdue = exists().where(Task.case_id == Case.id, is_open(), Task.due_at.is_not(None), Task.due_at < now)
    case_open = Case.status == literal(CaseStatus.OPEN, Case.status.type, literal_execute=True)  # the index's WHERE
    # The subtree's unit ids as a plain list: with a join PostgreSQL misjudged how many open cases have a point
    # and sorted them all; a list filter lets it read the partial index newest-first and stop at the limit.
    units = list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.in_subtrees([unit.path]))))
    stmt = (
        select(Case.id, Case.number, Case.title, Case.latitude, Case.longitude, overdue.label("overdue"))
        .where(case_open, Case.latitude.is_not(None), Case.longitude.is_not(None), Case.org_unit_id.in_(units))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return db.session.execute(stmt)


def case_points(
    unit: OrgUnit, *, now: datetime, link: Callable[[int], str], limit: int = POINT_LIMIT
) -> list[dict[str, Any]]:
    """GeoJSON Point features (longitude first) of the newest open cases with a point in `unit`'s subtree."""
    states = {True: _("Overdue"), False: _("Not overdue")}  # translated once, not per point
    features = []
    for case_id, number, title, latitude, longitude, overdue in _points(unit, now, limit):
        state = states[bool(overdue)]
        properties = {
            "kind": "case", "id": case_id, "number": number, "title": title, "overdue": bool(overdue),
            "overdue_label": state, "href": link(case_id), "label": f"{number} · {title} · {state}",
        }  # fmt: skip
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                         "properties": properties})  # fmt: skip
    return features
