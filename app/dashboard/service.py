"""Statistics of an org-unit subtree over a period: SQL aggregates over case, task and case_event.

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
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import QueryableAttribute, aliased

from app.cases.models import Case, CaseEvent, CaseStatus
from app.extensions import db
from app.org.models import OrgUnit
from app.tasks.models import Task, TaskStatus

RETURN_VISIT = "return_visit"
SATISFIED = ("satisfied", "basically_satisfied")
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


def _case_counts(g: _Grouping, start: datetime, end: datetime) -> dict[str, Select[Any]]:
    def count(*conditions: ColumnElement[bool]) -> Select[Any]:
        return g.scope(select(*g.columns(), func.count()).select_from(Case)).where(*conditions)  # index-only scans

    received = (Case.opened_at >= start, Case.opened_at < end)
    accepted = (*received, Case.status != CaseStatus.CANCELLED)
    closed = (Case.status == CaseStatus.CLOSED, Case.closed_at >= start, Case.closed_at < end)
    late = exists().where(Task.case_id == Case.id, Task.due_at.is_not(None), Task.completed_at > Task.due_at)
    return {
        "received": count(*received),
        "accepted": count(*accepted),
        "accepted_closed": count(*accepted, Case.status == CaseStatus.CLOSED, Case.closed_at < end),
        "closed": count(*closed),
        "closed_on_time": count(*closed, ~late),
    }


def _event_counts(g: _Grouping, start: datetime, end: datetime, now: datetime) -> dict[str, Select[Any]]:
    def events(*conditions: ColumnElement[bool]) -> Select[Any]:
        stmt = select(*g.columns(), func.count(CaseEvent.id)).select_from(CaseEvent).join(Case)
        return g.scope(stmt).where(CaseEvent.at >= start, CaseEvent.at < end, *conditions)

    visit = (CaseEvent.kind == "completed", CaseEvent.task_bpmn_id == RETURN_VISIT)
    satisfied = or_(
        CaseEvent.payload["satisfaction"].as_string().in_(SATISFIED),
        CaseEvent.payload["agreement_honoured"].as_boolean().is_(True),
    )
    sent_back = and_(CaseEvent.kind == "completed", CaseEvent.payload["unit_action"].as_string() == "return")
    overdue = g.scope(select(*g.columns(), func.count(Task.id)).select_from(Task).join(Case))
    return {
        "overdue_open": overdue.where(Task.status == TaskStatus.OPEN, Task.due_at.is_not(None), Task.due_at < now),
        "returned": events(or_(CaseEvent.kind == "returned", sent_back)),
        "visits": events(*visit),
        "satisfied": events(*visit, satisfied),
    }


def _collect(
    g: _Grouping, start: datetime, end: datetime, now: datetime, only: tuple[str, ...] = METRICS
) -> dict[Any, Counts]:
    found: dict[Any, Counts] = defaultdict(Counts)
    statements = {**_case_counts(g, start, end), **_event_counts(g, start, end, now)}
    for name, stmt in statements.items():
        if name not in only:
            continue
        for row in db.session.execute(stmt):
            key = row[0] if g.key is not None else None
            setattr(found[key], name, int(row[-1]))
    return found


def counts_for(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Counts:
    """The whole subtree's numbers, without breakdowns (for trends)."""
    return _collect(_Grouping(unit), start, end, now).get(None, Counts())


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.code)))


def unit_report(unit: OrgUnit, start: datetime, end: datetime, *, now: datetime) -> Report:
    """Totals, by case type and by child unit, for `unit`'s subtree over [start, end)."""
    by_type = _collect(_Grouping(unit, key=Case.case_type), start, end, now)
    by_child = _collect(_Grouping(unit, key=Child.id, by_child=True), start, end, now)
    children = [(child, by_child.get(child.id, Counts())) for child in children_of(unit)]
    return Report(unit=unit, start=start, end=end, total=counts_for(unit, start, end, now=now),
                  by_case_type=dict(sorted(by_type.items())), by_child_unit=children)  # fmt: skip


TREND_METRICS = ("received", "closed", "closed_on_time", "visits", "satisfied")
TREND_TIMES: dict[str, Any] = {"received": Case.opened_at, "closed": Case.closed_at, "closed_on_time": Case.closed_at,
                               "visits": CaseEvent.at, "satisfied": CaseEvent.at}  # fmt: skip


def trend(unit: OrgUnit, spans: list[tuple[datetime, datetime]], *, now: datetime) -> list[Counts]:
    """The subtree's main numbers for each [start, end) span: one query per figure over all the spans, grouped by
    the span its time falls in (the same conditions as a single period's, over the spans' whole range)."""
    counts = [Counts() for _span in spans]
    if not spans:
        return counts
    g = _Grouping(unit)
    lo, hi = min(start for start, _end in spans), max(end for _start, end in spans)
    statements = {**_case_counts(g, lo, hi), **_event_counts(g, lo, hi, now)}
    for name in TREND_METRICS:
        column = TREND_TIMES[name]
        bucket = case(*[(and_(column >= start, column < end), i) for i, (start, end) in enumerate(spans)])
        for n, index in db.session.execute(statements[name].add_columns(bucket).group_by(bucket)).tuples():
            if index is not None:
                setattr(counts[int(index)], name, int(n))
    return counts


def league(rows: list[tuple[OrgUnit, Counts]]) -> list[tuple[OrgUnit, Counts]]:
    """Child units best first: closure rate, then on-time rate, then satisfaction rate; units without cases last."""

    def order(row: tuple[OrgUnit, Counts]) -> tuple[Any, ...]:
        rates = row[1].rates()
        keys = ("closure_rate", "on_time_rate", "satisfaction_rate")
        return (row[1].received == 0, *(-(rates[k] or 0.0) for k in keys), row[0].code)

    return sorted(rows, key=order)
