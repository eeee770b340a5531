"""Filters of the case list, from query-string values (the dashboard's numbers link here)."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, false
from sqlalchemy.orm import InstrumentedAttribute

from app.cases.models import Case
from app.dashboard.periods import Period
from app.date_range import filter_day
from app.org.models import OrgUnit
from app.org.service import unit_by_code
from app.tasks.models import Task, is_overdue

FILTERS = ("org_unit", "case_type", "opened_from", "opened_to", "closed_from", "closed_to", "overdue")


def _between(
    stmt: Select[tuple[Case]], column: InstrumentedAttribute[Any], first: date | None, last: date | None, tz: ZoneInfo
) -> Select[tuple[Case]]:
    if first is not None:
        stmt = stmt.where(column >= Period(first, first).instants(tz)[0])
    if last is not None:
        stmt = stmt.where(column < Period(last, last).instants(tz)[1])
    return stmt


def filter_cases(
    stmt: Select[tuple[Case]], args: Mapping[str, str], *, now: datetime, tz: ZoneInfo
) -> tuple[Select[tuple[Case]], dict[str, str]]:
    """Narrow `stmt` (already joined to the case's OrgUnit) and return the filters applied, for links."""
    applied = {name: args[name] for name in FILTERS if args.get(name)}
    if code := applied.get("org_unit"):
        unit = unit_by_code(code)
        stmt = stmt.where(OrgUnit.in_subtrees([unit.path]) if unit else false())
    if case_type := applied.get("case_type"):
        stmt = stmt.where(Case.case_type == case_type)
    stmt = _between(stmt, Case.opened_at, filter_day(applied, "opened_from"), filter_day(applied, "opened_to"), tz)
    stmt = _between(stmt, Case.closed_at, filter_day(applied, "closed_from"), filter_day(applied, "closed_to"), tz)
    if applied.get("overdue") == "1":
        stmt = stmt.where(exists().where(Task.case_id == Case.id, is_overdue(now)))
    return stmt, applied
