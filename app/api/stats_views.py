"""GET /api/v1/stats: the dashboard's numbers for a unit subtree and period; GET /api/v1/stats/map: its map."""

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.auth.guards import signed_in_user
from app.clock import utcnow
from app.dashboard.geo import map_for
from app.dashboard.params import stats_query
from app.dashboard.service import Report, unit_report


def report_json(report: Report, *, first: str, last: str) -> dict[str, Any]:
    return {
        "org_unit": report.unit.code,
        "org_unit_name": report.unit.name,
        "from": first,
        "to": last,
        **report.total.as_dict(),
        "by_case_type": {key: counts.as_dict() for key, counts in report.by_case_type.items()},
        "by_child_unit": [
            {"org_unit": unit.code, "name": unit.name, "kind": unit.kind.value, **counts.as_dict()}
            for unit, counts in report.by_child_unit
        ],
    }


@bp.get("/stats")
def stats() -> ResponseReturnValue:
    now = utcnow()
    query = stats_query(
        signed_in_user(), request.args, now=now, tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    )
    report = unit_report(query.unit, query.start, query.end, now=now)
    return report_json(report, first=query.period.first.isoformat(), last=query.period.last.isoformat())


@bp.get("/stats/map")
def stats_map() -> ResponseReturnValue:
    """The grids of the unit's subtree as GeoJSON, coloured by open and overdue cases now (see app/dashboard/geo.py)."""
    now = utcnow()
    query = stats_query(
        signed_in_user(), request.args, now=now, tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    )
    return map_for(query, now=now)
