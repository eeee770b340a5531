"""Statistics of an org-unit subtree over a period: sums over the case_day_stat rollup, plus two live counts.

Definitions (also in README.md, "Statistics"):
- received: cases opened in [start, end) in the subtree.
- accepted: received cases not cancelled (a cancelled case was withdrawn or refused at intake).
- accepted_closed: accepted cases already closed by `end` (the numerator of the closure rate).
- closed: cases closed in [start, end); closed_on_time: those with no task completed after its due time.
- overdue_open: open tasks of the subtree's cases whose due time is before `now` (a snapshot, not a period).
- returned: 'returned' events (a task handed back to whoever assigned it) plus completions that send a
  matter back to dispatch (`unit_action` = 'return'), in the period.
- visits: return visits completed in the period (completions of a task with BPMN id 'return_visit');
  satisfied: those with satisfaction 'satisfied'/'basically_satisfied' or agreement_honoured true.

All but two are sums of case_day_stat rows (app/dashboard/rollup.py keeps them): the unit's own rows for the
total and by case type, its children's rows by child unit, over the period's local days. accepted_closed is
accepted minus those still open minus those closed after `end` (the last one counted on `case`: an empty index range for a period not
yet over); overdue_open is counted on the open tasks, for the whole county at once and kept per process for a few
seconds (app/dashboard/overdue.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import BindParameter, Date, Select, String, and_, bindparam, case, func, select
from sqlalchemy.orm import QueryableAttribute, aliased

from app.cases.models import Case, CaseStatus
from app.clock import local_day
from app.dashboard.models import CaseDayStat
from app.dashboard.overdue import Overdue, overdue_within
from app.extensions import db
from app.org.models import OrgUnit

METRICS = ("received", "accepted", "accepted_closed", "closed", "closed_on_time", "overdue_open", "returned",
           "visits", "satisfied")  # fmt: skip

CaseUnit = aliased(OrgUnit, name="case_unit")
Child = aliased(OrgUnit, name="child_unit")


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Counts:
    received: int = 0
    accepted: int = 0
    accepted_closed: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue_open: int = 0
    returned: int = 0
    visits: int = 0
    satisfied: int = 0

    @property
    def dissatisfied(self) -> int:
        return self.visits - self.satisfied

    def add(self, other: "Counts") -> None:
        for name in METRICS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def rates(self) -> dict[str, float | None]:
        return {
            "acceptance_rate": _rate(self.accepted, self.received),
            "closure_rate": _rate(self.accepted_closed, self.accepted),
            "on_time_rate": _rate(self.closed_on_time, self.closed),
            "satisfaction_rate": _rate(self.satisfied, self.visits),
        }

    def as_dict(self) -> dict[str, Any]:
        counts = {name: getattr(self, name) for name in METRICS}
        return {**counts, "dissatisfied": self.dissatisfied, **self.rates()}


@dataclass
class Report:
    unit: OrgUnit
    start: datetime
    end: datetime
    total: Counts
    by_case_type: dict[str, Counts] = field(default_factory=dict)
    by_child_unit: list[tuple[OrgUnit, Counts]] = field(default_factory=list)


@dataclass(frozen=True)
class _Grouping:
    """What one family of queries groups by: nothing, the case type, or the child unit of the unit asked about.

    The unit, its path and the period are bound parameters (`_params`), so each statement is built once per process:
    building and keying them anew was a fifth of a township dashboard's CPU.
    """

    key: Literal["total", "case_type", "child"]

    def columns(self) -> list[QueryableAttribute[Any]]:
        grouped: dict[str, list[QueryableAttribute[Any]]] = {"total": [], "case_type": [Case.case_type],
                                                             "child": [Child.id]}  # fmt: skip
        return grouped[self.key]

    def scope(self, stmt: Select[Any]) -> Select[Any]:
        """Cases of the subtree (one indexed path prefix test), joined to the child unit they fall under. A unit's
        path is digits and slashes (app/org/models.py): nothing in it for LIKE to take as a wildcard."""
        stmt = stmt.join(CaseUnit, CaseUnit.id == Case.org_unit_id).where(
            CaseUnit.path.startswith(bindparam("unit_path", type_=String))
        )
        if self.key == "child":
            stmt = stmt.join(Child, and_(Child.parent_id == bindparam("unit_id"), CaseUnit.path.startswith(Child.path)))
        return stmt.group_by(*self.columns())


TOTAL, BY_TYPE, BY_CHILD = _Grouping("total"), _Grouping("case_type"), _Grouping("child")


def _params(unit: OrgUnit, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    return {"unit_id": unit.id, "unit_path": unit.path, "start": start, "end": end, "now": now,
            "first": local_day(start), "stop": local_day(end)}  # fmt: skip


@cache
def _closed_after(g: _Grouping) -> Select[Any]:
    """Accepted cases of the period closed at or after its end (an empty index range while the period runs)."""
    stmt = g.scope(select(*g.columns(), func.count()).select_from(Case))
    end: BindParameter[datetime] = bindparam("end")
    return stmt.where(Case.status == CaseStatus.CLOSED, Case.closed_at >= end, Case.opened_at >= bindparam("start"),
                      Case.opened_at < end)  # fmt: skip


def _overdue_key(g: _Grouping, path: str, case_type: str, children: list[OrgUnit]) -> Any:
    """Where a row of `overdue_within` counts in `g`: its case type, the child unit whose subtree holds its unit (None for
    the unit's own cases, in no child's), or None for the total."""
    if g.key == "case_type":
        return case_type
    if g.key == "child":
        return next((child.id for child in children if path.startswith(child.path)), None)
    return None


def _sums(g: _Grouping, names: tuple[str, ...]) -> Select[Any]:
    """The rollup's sums for `g`: the unit's own rows (its subtree), or its children's rows by child."""
    keys: dict[str, list[Any]] = {"total": [], "case_type": [CaseDayStat.case_type], "child": [CaseDayStat.org_unit_id]}
    key = keys[g.key]
    sums = [func.coalesce(func.sum(getattr(CaseDayStat, name)), 0) for name in names]
    unit_id: BindParameter[int] = bindparam("unit_id")
    owner = (
        CaseDayStat.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.parent_id == unit_id))
        if g.key == "child"
        else CaseDayStat.org_unit_id == unit_id
    )
    return select(*key, *sums).where(owner).group_by(*key)


ROLLED_UP = ("received", "accepted", "open_cases", "closed", "closed_on_time", "returned", "visits", "satisfied")


@cache
def _rolled_up(g: _Grouping) -> Select[Any]:
    return _sums(g, ROLLED_UP).where(CaseDayStat.day >= bindparam("first"), CaseDayStat.day < bindparam("stop"))


def _collect(g: _Grouping, params: dict[str, Any], overdue: Overdue, children: list[OrgUnit]) -> dict[Any, Counts]:
    """`g`'s figures; the overdue ones added up from `overdue` (app/dashboard/overdue.py), for the same subtree."""
    found: dict[Any, Counts] = defaultdict(Counts)
    open_cases: dict[Any, int] = defaultdict(int)
    grouped = g.key != "total"
    for row in db.session.execute(_rolled_up(g), params):
        key = row[0] if grouped else None
        values = dict(zip(ROLLED_UP, (int(n) for n in row[-len(ROLLED_UP) :]), strict=True))
        open_cases[key] = values.pop("open_cases")
        for name, n in values.items():
            setattr(found[key], name, n)
    carried = {row[0] if grouped else None: int(row[-1]) for row in db.session.execute(_closed_after(g), params)}
    for key, counts in found.items():
        counts.accepted_closed = counts.accepted - open_cases[key] - carried.get(key, 0)
    for path, case_type, n, _cases in overdue:
        if (key := _overdue_key(g, path, case_type, children)) is not None or not grouped:
            found[key].overdue_open += n
    return found


def counts_for(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Counts:
    """The whole subtree's numbers, without breakdowns."""
    params = _params(unit, start, end, now)
    return _collect(TOTAL, params, overdue_within(unit.path, now), []).get(None, Counts())


@cache
def _children() -> Select[tuple[OrgUnit]]:
    return select(OrgUnit).where(OrgUnit.parent_id == bindparam("unit_id")).order_by(OrgUnit.code)


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.scalars(_children(), {"unit_id": unit.id}))


def unit_report(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Report:
    """Totals, by case type and by child unit, for `unit`'s subtree over [start, end)."""
    params, children = _params(unit, start, end, now), children_of(unit)
    overdue = overdue_within(unit.path, now)
    by_type = _collect(BY_TYPE, params, overdue, children)
    by_child = _collect(BY_CHILD, params, overdue, children)
    total = Counts()  # every figure is a sum over cases, each of one case type: the total adds the types up
    for counts in by_type.values():
        total.add(counts)
    by_child_unit = [(child, by_child.get(child.id, Counts())) for child in children]
    return Report(unit=unit, start=start, end=end, total=total,
                  by_case_type=dict(sorted(by_type.items())), by_child_unit=by_child_unit)  # fmt: skip


TREND_METRICS = ("received", "closed", "closed_on_time", "visits", "satisfied")


@cache
def _trend_statement(spans: int) -> Select[Any]:
    """The unit's rollup rows of `spans` spans of days (first<i>, stop<i>), summed per span."""
    day = CaseDayStat.day
    bounds = [(bindparam(f"first{i}", type_=Date), bindparam(f"stop{i}", type_=Date)) for i in range(spans)]
    bucket = case(*[(and_(day >= first, day < stop), i) for i, (first, stop) in enumerate(bounds)])
    return (
        _sums(TOTAL, TREND_METRICS)
        .add_columns(bucket)
        .where(day >= bindparam("lo"), day < bindparam("hi"))
        .group_by(bucket)
    )


def trend(unit: OrgUnit, spans: list[tuple[datetime, datetime]], *, now: datetime) -> list[Counts]:
    """The subtree's main numbers for each [start, end) span: one query over the unit's rollup rows of all the
    spans' days, grouped by the span a day falls in."""
    del now  # the trend's figures are all of the past
    counts = [Counts() for _span in spans]
    if not spans:
        return counts
    days = [(local_day(start), local_day(end)) for start, end in spans]
    params: dict[str, Any] = {"unit_id": unit.id, "lo": min(first for first, _stop in days),
                              "hi": max(stop for _first, stop in days)}  # fmt: skip
    for i, (first, stop) in enumerate(days):
        params.update({f"first{i}": first, f"stop{i}": stop})
    for row in db.session.execute(_trend_statement(len(spans)), params):
        if row[-1] is not None:
            for name, n in zip(TREND_METRICS, row[: len(TREND_METRICS)], strict=True):
                setattr(counts[int(row[-1])], name, int(n))
    return counts


def league(rows: list[tuple[OrgUnit, Counts]]) -> list[tuple[OrgUnit, Counts]]:
    """Child units best first: closure rate, then on-time rate, then satisfaction rate; units without cases last."""

    def order(row: tuple[OrgUnit, Counts]) -> tuple[Any, ...]:
        rates = row[1].rates()
        keys = ("closure_rate", "on_time_rate", "satisfaction_rate")
        return (row[1].received == 0, *(-(rates[k] or 0.0) for k in keys), row[0].code)

    return sorted(rows, key=order)
