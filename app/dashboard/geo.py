"""The dashboard map: the grids of a unit's subtree as a GeoJSON FeatureCollection, with open and overdue counts.

Counts are per org unit (open cases; cases with an open task past its due time, as the dashboards count them),
summed into the grids whose subtree holds the unit. Only grids are drawn (their `boundary` is GeoJSON); each feature
links one level down: to the dashboard of the viewed unit's child that holds the grid, or to the grid's open cases
when the grid is the viewed unit or one of its children. A snapshot at `now`, whatever the period. After the grids
come the newest open cases with a point as Point features (`kind: "case"`, app/dashboard/case_points.py).
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.cases.models import Case, CaseStatus
from app.dashboard.case_points import case_points
from app.dashboard.overdue import overdue_within
from app.dashboard.params import StatsQuery, period_args
from app.dashboard.service import children_of
from app.extensions import db
from app.org.models import OrgKind, OrgUnit

LEVELS = ("none", "open", "overdue", "mostly_overdue")


@dataclass(frozen=True)
class GridCounts:
    open: int = 0
    overdue: int = 0

    @property
    def level(self) -> str:
        """What the colour says: no open cases; open, none overdue; some overdue; half or more overdue."""
        if self.open == 0:
            return "none"
        if self.overdue == 0:
            return "open"
        return "mostly_overdue" if 2 * self.overdue >= self.open else "overdue"


def level_labels() -> dict[str, str]:
    return {
        "none": _("No open cases"),
        "open": _("Open cases, none overdue"),
        "overdue": _("Some overdue (less than half of the open cases)"),
        "mostly_overdue": _("Half or more of the open cases overdue"),
    }


def _per_unit(unit: OrgUnit, units: list[OrgUnit], now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Open cases and cases with an overdue open task per org unit of `unit`'s subtree (`units`): the first a grouped,
    indexed aggregate, the second from the county's overdue counts the dashboards share (app/dashboard/overdue.py)."""
    open_cases = (
        select(Case.org_unit_id, func.count())  # count(*): an index-only scan of ix_case_org_unit_status
        .join(OrgUnit, OrgUnit.id == Case.org_unit_id)
        .where(OrgUnit.in_subtrees([unit.path]), Case.status == CaseStatus.OPEN)
        .group_by(Case.org_unit_id)
    )
    ids = {u.path: u.id for u in units}
    overdue: dict[int, int] = defaultdict(int)
    for path, _case_type, _tasks, cases in overdue_within(unit.path, now):
        if (unit_id := ids.get(path)) is not None:  # None: a unit moved since the counts were kept
            overdue[unit_id] += cases
    return {int(k): int(n) for k, n in db.session.execute(open_cases).tuples()}, overdue


def grid_counts(unit: OrgUnit, *, now: datetime) -> list[tuple[OrgUnit, GridCounts]]:
    """The grids of `unit`'s subtree that have a boundary, with the counts of their subtrees, by code."""
    stmt = select(OrgUnit).where(OrgUnit.in_subtrees([unit.path])).order_by(OrgUnit.code)
    units = list(db.session.scalars(stmt.options(undefer(OrgUnit.boundary))))
    grids = [u for u in units if u.kind is OrgKind.GRID and u.boundary]
    open_by_unit, overdue_by_unit = _per_unit(unit, units, now)
    totals = {g.id: [0, 0] for g in grids}
    for u in units:  # each unit's counts go to the grids on its path (itself, or a grid above it)
        for grid_id in (i for i in u.ancestor_ids() if i in totals):
            totals[grid_id][0] += open_by_unit.get(u.id, 0)
            totals[grid_id][1] += overdue_by_unit.get(u.id, 0)
    return [(g, GridCounts(*totals[g.id])) for g in grids]


def _child_holding(unit: OrgUnit, children: list[OrgUnit], grid: OrgUnit) -> OrgUnit | None:
    """The child of `unit` whose subtree holds `grid` (None when `grid` is `unit` itself)."""
    return next((c for c in children if grid.path.startswith(c.path)), None)


def feature_collection(
    unit: OrgUnit,
    children: list[OrgUnit],
    rows: list[tuple[OrgUnit, GridCounts]],
    link: Callable[[OrgUnit, bool], str],
) -> dict[str, Any]:
    """GeoJSON for the map; `link(unit, is_grid)` gives the drill-down address (dashboard, or a grid's cases)."""
    labels = level_labels()
    label = _("%(name)s: %(open)d open, %(overdue)d overdue")  # translated once, filled per grid
    features = []
    for grid, counts in rows:
        child = _child_holding(unit, children, grid)
        target = grid if child is None or child.id == grid.id else child
        properties = {
            "org_unit": grid.code, "name": grid.name, "open": counts.open, "overdue": counts.overdue,
            "level": counts.level, "level_label": labels[counts.level],
            "drill_unit": target.code, "drill_name": target.name, "href": link(target, target.id == grid.id),
            "label": label % {"name": grid.name, "open": counts.open, "overdue": counts.overdue},
        }  # fmt: skip
        features.append({"type": "Feature", "geometry": grid.boundary, "properties": properties})
    return {"type": "FeatureCollection", "org_unit": unit.code, "levels": labels, "features": features}


def link_maker(endpoint: str, *keys: str, **values: Any) -> Callable[..., str]:
    """`url_for(endpoint, **dict(zip(keys, given)), **values)` for many `given`: built once with stand-ins, which
    each call replaces.

    A county's map has a link per grid and per case point (3,000); building each through the URL map was a third
    of the map's CPU. The stand-ins are digits, so they fit an int converter and a query argument alike.
    """
    stand_ins = [f"98765432{i}" for i in range(len(keys))]
    arguments: dict[str, Any] = {**dict(zip(keys, stand_ins, strict=True)), **values}
    url = url_for(endpoint, **arguments)
    if len(stand_ins) == 1:  # the map's thousands of links: one plain replace each
        return lambda value: url.replace(stand_ins[0], _query_text(value))
    find = re.compile("|".join(stand_ins))  # one pass: a value put in is never taken for a stand-in

    def link(*given: Any) -> str:
        texts = dict(zip(stand_ins, (_query_text(value) for value in given), strict=True))
        return find.sub(lambda found: texts[found.group()], url)

    return link


def _query_text(value: Any) -> str:
    text = str(value)  # unit codes and case ids are digits, dates digits and dashes: nothing to quote
    return text if text.replace("-", "").isdigit() else quote(text, safe="")


def map_for(query: StatsQuery, *, now: datetime) -> dict[str, Any]:
    """The map of an authorised query's unit; drill-down links keep the query's period."""
    grid_cases = link_maker("cases.index", "org_unit", status="open")
    dashboard = link_maker("dashboard.index", "org_unit", **period_args(query))

    def link(target: OrgUnit, is_grid: bool) -> str:
        return grid_cases(target.code) if is_grid else dashboard(target.code)

    rows = grid_counts(query.unit, now=now)
    collection = feature_collection(query.unit, children_of(query.unit), rows, link)
    points = case_points(query.unit, now=now, link=link_maker("cases.detail", "case_id"))
    collection["features"].extend(points)
    return collection
