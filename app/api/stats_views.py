"""GET /api/v1/stats: the dashboard's numbers for a unit subtree and period; GET /api/v1/stats/map: its map;
GET /api/v1/assessment: grid workers' monthly ranking; GET /api/v1/assessment/workers/<username>: one worker's score."""

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.auth.guards import signed_in_user
from app.clock import utcnow
from app.dashboard.assessment import Score, load_scheme, township_ranking, townships_under
from app.dashboard.geo import map_for
from app.dashboard.params import stats_query
from app.dashboard.service import Report, unit_report
from app.dashboard.worker_score import month_of, score_json, worker_for, worker_score


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
    query = stats_query(signed_in_user(), request.args, now=now, tz=_tz())
    return map_for(query, now=now)


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _ranked(rank: int, score: Score) -> dict[str, Any]:
    return {"rank": rank, "username": score.worker.username, "display_name": score.worker.display_name,
            "grid": score.grid.code, "grid_name": score.grid.name, "counts": score.counts, "score": score.score}  # fmt: skip


@bp.get("/assessment")
def assessment() -> ResponseReturnValue:
    """The month's top grid workers of each township in the unit's subtree (as the assessment page shows)."""
    now, tz = utcnow(), _tz()
    month = month_of(request.args, now=now, tz=tz)
    args = {"org_unit": request.args.get("org_unit", ""), "period": "month", "date": month.period.first.isoformat()}
    query = stats_query(signed_in_user(), args, now=now, tz=tz)
    scheme = load_scheme()
    townships = [
        {"org_unit": t.code, "name": t.name,
         "ranking": [_ranked(i, s) for i, s in enumerate(township_ranking(t, month.start, month.end, scheme, now=now), 1)]}
        for t in townships_under(query.unit)
    ]  # fmt: skip
    return {"org_unit": query.unit.code, "month": month.label, "from": month.period.first.isoformat(),
            "to": month.period.last.isoformat(), "scheme": {"points": scheme.points, "top": scheme.top},
            "townships": townships}  # fmt: skip


@bp.get("/assessment/workers/<username>")
def worker_assessment(username: str) -> ResponseReturnValue:
    """One worker's score for the month with the events behind each point: the worker, or a dashboard holder over them."""
    now = utcnow()
    worker, grid = worker_for(signed_in_user(), username)
    month, scheme = month_of(request.args, now=now, tz=_tz()), load_scheme()
    score, evidence = worker_score(worker, grid, month, scheme, now=now)
    return score_json(score, evidence, month, scheme)
