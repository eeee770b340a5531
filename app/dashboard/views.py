"""The command-centre dashboard page and its exports."""

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.audit.service import record
from app.auth.guards import login_required, signed_in_user
from app.clock import utcnow
from app.dashboard.assessment import ITEMS, load_scheme, township_ranking, townships_under
from app.dashboard.exports import as_xlsx, report_rows, type_names
from app.dashboard.geo import level_labels, link_maker, map_for
from app.dashboard.params import StatsQuery, period_args, stats_query
from app.dashboard.periods import previous_periods
from app.dashboard.service import league, trend, unit_report
from app.dashboard.worker_score import month_of, worker_for, worker_score
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.org.permissions import can_view_dashboard, dashboard_covers
from app.spreadsheets import as_csv

bp = Blueprint("dashboard", __name__)
TREND_LENGTH = 12
EXPORTS = {
    "csv": (as_csv, "text/csv; charset=utf-8"),
    "xlsx": (as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


@bp.get("/dashboard")
@login_required
def index() -> ResponseReturnValue:
    user, now, tz = signed_in_user(), utcnow(), _tz()
    errors: dict[str, str] = {}
    try:
        query = stats_query(user, request.args, now=now, tz=tz)
    except ValidationError as err:  # a period that cannot be shown: the unit's default period, the choice kept
        errors = err.fields
        query = stats_query(user, {k: v for k, v in request.args.items() if k == "org_unit"}, now=now, tz=tz)
    report = unit_report(query.unit, query.start, query.end, now=now)
    periods = previous_periods("month" if query.kind == "custom" else query.kind, query.period.last, TREND_LENGTH)
    counts = trend(query.unit, [p.instants(tz) for p in periods], now=now)
    parent = query.unit.parent
    up = parent if parent is not None and dashboard_covers(user, parent) else None
    peak = max([c.received for c in counts] + [c.closed for c in counts] + [1])
    return render_template("dashboard/index.html", query=query, report=report, league=league(report.by_child_unit),
                           trend=list(zip(periods, counts, strict=True)), peak=peak, up=up, links=page_links(query),
                           no_rate=_("No cases to divide by"), args=period_args(query), map_levels=level_labels(),
                           type_names=type_names(report.by_case_type), errors=errors,
                           entered=request.args if errors else None), 422 if errors else 200  # fmt: skip


def page_links(query: StatsQuery) -> dict[str, Any]:
    """The page's repeated links, each endpoint built once (`link_maker`): a unit's dashboard, and its received,
    closed and overdue cases — per unit (by unit code) and, for the page's unit, per case type (by type key) and
    per period of the trend (by first and last day).

    A township's page had about eighty links, each built through the URL map: a fifth of the page's CPU.
    """
    first, last = query.period.first.isoformat(), query.period.last.isoformat()
    filters = {
        "received": {"status": "all", "opened_from": first, "opened_to": last},
        "closed": {"status": "closed", "closed_from": first, "closed_to": last},
        "overdue": {"status": "open", "overdue": "1"},
    }
    links = {"unit": link_maker("dashboard.index", "org_unit", **period_args(query))}
    for kind, values in filters.items():
        links[kind] = link_maker("cases.index", "org_unit", **values)
        links[f"{kind}_of_type"] = link_maker("cases.index", "case_type", org_unit=query.unit.code, **values)
    # The trend's rows: the cases received and closed in each period (first and last day).
    for kind, status in (("opened", "all"), ("closed", "closed")):
        links[f"{kind}_in"] = link_maker("cases.index", f"{kind}_from", f"{kind}_to", org_unit=query.unit.code,
                                         status=status)  # fmt: skip
    return links


@bp.get("/dashboard/map.geojson")
@login_required
def map_data() -> ResponseReturnValue:
    """The page's map (the same as GET /api/v1/stats/map, for the signed-in session)."""
    now = utcnow()
    return map_for(stats_query(signed_in_user(), request.args, now=now, tz=_tz()), now=now)


@bp.get("/dashboard/export.<fmt>")
@login_required
def export(fmt: str) -> ResponseReturnValue:
    user, now = signed_in_user(), utcnow()
    query = stats_query(user, request.args, now=now, tz=_tz())
    render, mimetype = EXPORTS.get(fmt, (None, ""))
    if render is None:
        raise NotFoundError(_("No such export format."))
    report = unit_report(query.unit, query.start, query.end, now=now)
    body: Any = render(report_rows(report, first=query.period.first, last=query.period.last))
    record("export", now=now, user=user, ip=request.remote_addr or "", what="statistics", format=fmt,
           org_unit=query.unit.code, first=query.period.first.isoformat(), last=query.period.last.isoformat())  # fmt: skip
    db.session.commit()
    name = f"gridcase-stats-{query.unit.code}-{query.period.first}-{query.period.last}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/dashboard/assessment")
@login_required
def assessment() -> ResponseReturnValue:
    """Monthly (or any period's) top grid workers of each township in the chosen unit's subtree."""
    user, now = signed_in_user(), utcnow()
    query = stats_query(user, request.args, now=now, tz=_tz())
    scheme = load_scheme()
    rankings = [(t, township_ranking(t, query.start, query.end, scheme, now=now)) for t in townships_under(query.unit)]
    return render_template("dashboard/assessment.html", query=query, rankings=rankings, scheme=scheme, items=ITEMS,
                           args=period_args(query))  # fmt: skip


@bp.get("/dashboard/assessment/workers/<username>")
@login_required
def worker(username: str) -> ResponseReturnValue:
    """A grid worker's monthly score with the events behind each point (their own, or one in a leader's area)."""
    user, now = signed_in_user(), utcnow()
    worker, grid = worker_for(user, username)
    month, scheme = month_of(request.args, now=now, tz=_tz()), load_scheme()
    score, evidence = worker_score(worker, grid, month, scheme, now=now)
    return render_template("dashboard/worker.html", score=score, evidence=evidence, month=month, scheme=scheme,
                           items=ITEMS, ranking_link=can_view_dashboard(user))  # fmt: skip
