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
yet over); overdue_open is counted live on the open tasks.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import QueryableAttribute, aliased

from app.cases.models import Case, CaseStatus
from app.dashboard.models import CaseDayStat
from app.dashboard.rollup import local_day
from app.extensions import db
from app.org.models import OrgUnit
from app.tasks.models import Task, TaskStatus

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
    """What one family of queries groups by: nothing, the case type, or the child unit of `unit`."""

    unit: OrgUnit
    key: QueryableAttribute[Any] | None = None
    by_child: bool = False

    def columns(self) -> list[QueryableAttribute[Any]]:
        return [] if self.key is None else [self.key]

    def scope(self, stmt: Select[Any]) -> Select[Any]:
        """Cases of the subtree (one indexed path prefix test), joined to the child unit they fall under."""
        stmt = stmt.join(CaseUnit, CaseUnit.id == Case.org_unit_id).where(
            CaseUnit.path.startswith(self.unit.path, autoescape=True)
        )
        if self.by_child:
            stmt = stmt.join(Child, and_(Child.parent_id == self.unit.id, CaseUnit.path.startswith(Child.path)))
        return stmt.group_by(*self.columns())


def _closed_after(g: _Grouping, start: datetime, end: datetime) -> Select[Any]:
    """Accepted cases of the period closed at or after its end (an empty index range while the period runs)."""
    stmt = g.scope(select(*g.columns(), func.count()).select_from(Case))
    return stmt.where(Case.status == CaseStatus.CLOSED, Case.closed_at >= end, Case.opened_at >= start,
                      Case.opened_at < end)  # fmt: skip


def _overdue(g: _Grouping, now: datetime) -> Select[Any]:
    stmt = g.scope(select(*g.columns(), func.count(Task.id)).select_from(Task).join(Case))
    return stmt.where(Task.status == TaskStatus.OPEN, Task.due_at.is_not(None), Task.due_at < now)


def _rollup_key(g: _Grouping) -> list[Any]:
    if g.by_child:
        return [CaseDayStat.org_unit_id]
    return [] if g.key is None else [CaseDayStat.case_type]


def _sums(g: _Grouping, names: tuple[str, ...]) -> Select[Any]:
    """The rollup's sums for `g`: the unit's own rows (its subtree), or its children's rows by child."""
    key = _rollup_key(g)
    sums = [func.coalesce(func.sum(getattr(CaseDayStat, name)), 0) for name in names]
    owner = (
        CaseDayStat.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.parent_id == g.unit.id))
        if g.by_child
        else CaseDayStat.org_unit_id == g.unit.id
    )
    return select(*key, *sums).where(owner).group_by(*key)


ROLLED_UP = ("received", "accepted", "open_cases", "closed", "closed_on_time", "returned", "visits", "satisfied")


def _collect(g: _Grouping, start: datetime, end: datetime, now: datetime) -> dict[Any, Counts]:
    found: dict[Any, Counts] = defaultdict(Counts)
    first, stop = local_day(start), local_day(end)
    open_cases: dict[Any, int] = defaultdict(int)
    stmt = _sums(g, ROLLED_UP).where(CaseDayStat.day >= first, CaseDayStat.day < stop)
    for row in db.session.execute(stmt):
        key = row[0] if len(row) > len(ROLLED_UP) else None
        values = dict(zip(ROLLED_UP, (int(n) for n in row[-len(ROLLED_UP) :]), strict=True))
        open_cases[key] = values.pop("open_cases")
        for name, n in values.items():
            setattr(found[key], name, n)
    carried = {row[0] if g.key is not None else None: int(row[-1]) for row in db.session.execute(
        _closed_after(g, start, end))}  # fmt: skip
    for key, counts in found.items():
        counts.accepted_closed = counts.accepted - open_cases[key] - carried.get(key, 0)
    for row in db.session.execute(_overdue(g, now)):
        found[row[0] if g.key is not None else None].overdue_open = int(row[-1])
    return found


def counts_for(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Counts:
    """The whole subtree's numbers, without breakdowns."""
    return _collect(_Grouping(unit), start, end, now).get(None, Counts())


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.code)))


def unit_report(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Report:
    """Totals, by case type and by child unit, for `unit`'s subtree over [start, end)."""
    by_type = _collect(_Grouping(unit, key=Case.case_type), start, end, now)
    by_child = _collect(_Grouping(unit, key=Child.id, by_child=True), start, end, now)
    children = [(child, by_child.get(child.id, Counts())) for child in children_of(unit)]
    total = Counts()  # every figure is a sum over cases, each of one case type: the total adds the types up
    for counts in by_type.values():
        total.add(counts)
    return Report(unit=unit, start=start, end=end, total=total,
                  by_case_type=dict(sorted(by_type.items())), by_child_unit=children)  # fmt: skip


TREND_METRICS = ("received", "closed", "closed_on_time", "visits", "satisfied")


def trend(unit: OrgUnit, spans: list[tuple[datetime, datetime]], *, now: datetime) -> list[Counts]:
    """The subtree's main numbers for each [start, end) span: one query over the unit's rollup rows of all the
    spans' days, grouped by the span a day falls in."""
    del now  # the trend's figures are all of the past
    counts = [Counts() for _span in spans]
    if not spans:
        return counts
    days = [(local_day(start), local_day(end)) for start, end in spans]
    lo, hi = min(first for first, _stop in days), max(stop for _first, stop in days)
    day = CaseDayStat.day
    bucket = case(*[(and_(day >= first, day < stop), i) for i, (first, stop) in enumerate(days)])
    stmt = _sums(_Grouping(unit), TREND_METRICS).add_columns(bucket).where(day >= lo, day < hi).group_by(bucket)
    for row in db.session.execute(stmt):
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
