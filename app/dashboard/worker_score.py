"""One grid worker's monthly score with the events behind each point, and the month parameter of the assessment."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.models import Case
from app.dashboard.assessment import ITEMS, Scheme, Score, item_rows, score_of
from app.dashboard.periods import Period, period_of
from app.date_range import checked_year
from app.errors import ForbiddenError, NotFoundError, ValidationError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import can_see_assessment_of, can_view_dashboard
from app.org.service import user_by_username

MONTH = re.compile(r"^(\d{4})-(\d{2})\Z", re.ASCII)


@dataclass(frozen=True)
class Month:
    period: Period
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return self.period.first.strftime("%Y-%m")


def month_of(args: Mapping[str, str], *, now: datetime, tz: ZoneInfo) -> Month:
    """`month=YYYY-MM` (default: the current month in the reporting time zone); 422 naming the field otherwise."""
    value = (args.get("month") or "").strip()
    anchor = now.astimezone(tz).date().replace(day=1)
    if value:
        found = MONTH.match(value)
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
            raise ValidationError(
                _("Some fields need your attention."), {"month": _("Must be a month such as 2026-03.")}
            )
        anchor = date(
            checked_year(int(found[1]), "month"), int(found[2]), 1
        )  # at 9999-12 the period leaves the calendar
    period = period_of("month", anchor)
    start, end = period.instants(tz)
    return Month(period=period, start=start, end=end)


def worker_for(viewer: User, username: str) -> tuple[User, OrgUnit]:
    """The grid worker `username` and their (first) grid, if `viewer` may see their score: 403 or 404 otherwise."""
    worker = user_by_username(username)
    grids = (
        sorted((m.org_unit for m in worker.memberships if m.role == "grid_worker"), key=lambda u: u.code)
        if worker
        else []
    )
    if worker is None or not grids:
        raise NotFoundError(_("No such grid worker."))
    if not can_see_assessment_of(viewer, worker):
        if not can_view_dashboard(viewer) and any(m.role == "grid_worker" for m in viewer.memberships):
            raise ForbiddenError(_("Grid workers may see only their own score."))
        raise NotFoundError(_("No such grid worker."))  # to anyone else, as if there were none
    return worker, grids[0]


@dataclass(frozen=True)
class Evidence:
    item: str
    at: datetime
    case: Case
    what: str | None
    points: float


def worker_score(
    worker: User, grid: OrgUnit, month: Month, scheme: Scheme, *, now: datetime
) -> tuple[Score, list[Evidence]]:
    """The worker's score and, item by item in time order, each event that earned or cost points."""
    evidence: list[Evidence] = []
    counts: dict[str, dict[int, int]] = {}
    for item, stmt in item_rows([worker.id], month.start, month.end, now).items():
        rows = stmt.subquery()
        found = db.session.execute(select(rows.c.at, rows.c.what, Case).join(Case, Case.id == rows.c.case_id)
                                   .order_by(rows.c.at, Case.id)).tuples().all()  # fmt: skip
        counts[item] = {worker.id: len(found)}
        points = scheme.points.get(item, 0.0)
        evidence.extend(Evidence(item=item, at=at, case=case, what=what, points=points) for at, what, case in found)
    return score_of(worker, grid, counts, scheme), evidence


def score_json(score: Score, evidence: list[Evidence], month: Month, scheme: Scheme) -> dict[str, Any]:
    items = []
    for item, label in ITEMS.items():
        each = scheme.points.get(item, 0.0)
        events = [{"at": e.at.isoformat(), "case_id": e.case.id, "case_number": e.case.number, "case_title": e.case.title,
                   "task": e.what, "points": each} for e in evidence if e.item == item]  # fmt: skip
        items.append({"item": item, "label": str(label), "count": score.counts[item], "points_each": each,
                      "points": each * score.counts[item], "events": events})  # fmt: skip
    return {"username": score.worker.username, "display_name": score.worker.display_name, "grid": score.grid.code,
            "grid_name": score.grid.name, "month": month.label, "from": month.period.first.isoformat(),
            "to": month.period.last.isoformat(), "score": score.score, "counts": score.counts, "items": items}  # fmt: skip
