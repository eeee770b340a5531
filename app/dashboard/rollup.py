"""Keeping case_day_stat (app/dashboard/models.py) in step with the cases, in the transaction that changes them.

The services say what happened — a case started (`case_started`), closed (`case_closed`), an event was logged
(`event_added`), a case or a unit moved — and the deltas are kept on the session until its next flush, where one
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` adds them to the rows of the case's unit and of every
ancestor (rows sorted, so concurrent transactions lock them in the same order). Whether a closing case was on time
is decided in that statement from its tasks (no task completed after its due time), so the close costs no read.
A rollback forgets the deltas. `rebuild` recomputes the whole table from case, task and case_event history.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, delete, exists, select
from sqlalchemy import case as sql_case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import Insert

from app.cases.models import Case, CaseEvent, CaseStatus
from app.clock import local_day
from app.dashboard.models import STAT_FIELDS, CaseDayStat
from app.extensions import db
from app.org.models import OrgUnit
from app.tasks.models import Task

RETURN_VISIT = "return_visit"
SATISFIED = ("satisfied", "basically_satisfied")
_PENDING = "case_day_stat"
_BATCH = 1000  # rows per INSERT (11 parameters each: within PostgreSQL's and SQLite's limits)

Key = tuple[int, date, str]  # org_unit_id, local day, case type
Counts = dict[str, int]


@dataclass
class Pending:
    counts: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * len(STAT_FIELDS)))
    closing: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))  # case ids, on time or not

    def add(self, units: Iterable[int], day: date, case_type: str, counts: Counts, closing: int | None = None) -> None:
        for unit_id in units:
            row = self.counts[(unit_id, day, case_type)]
            for name, n in counts.items():
                row[STAT_FIELDS.index(name)] += n
            if closing is not None:
                self.closing[(unit_id, day, case_type)].append(closing)


def event_counts(kind: str, bpmn_id: str | None, payload: dict[str, Any]) -> Counts:
    """What one case event adds: the definitions of returned, visits and satisfied (README "Statistics")."""
    visit = kind == "completed" and bpmn_id == RETURN_VISIT
    returned = kind == "returned" or (kind == "completed" and payload.get("unit_action") == "return")
    satisfied = visit and (payload.get("satisfaction") in SATISFIED or payload.get("agreement_honoured") is True)
    return {name: 1 for name, yes in (("returned", returned), ("visits", visit), ("satisfied", satisfied)) if yes}


def opening_counts(status: CaseStatus) -> Counts:
    counts = {"received": 1}
    if status is not CaseStatus.CANCELLED:
        counts["accepted"] = 1
    if status is CaseStatus.OPEN:
        counts["open_cases"] = 1
    return counts


def _pending(session: Session) -> Pending:
    pending: Pending = session.info.setdefault(_PENDING, Pending())
    return pending


def case_started(case: Case, unit: OrgUnit) -> None:
    _pending(db.session()).add(
        unit.ancestor_ids(), local_day(case.opened_at), case.case_type, opening_counts(case.status)
    )


def case_closed(case: Case) -> None:
    """The case's opening day loses an open case; its closing day gains a closed one (on time: decided at write)."""
    pending, units = _pending(db.session()), case.org_unit.ancestor_ids()
    pending.add(units, local_day(case.opened_at), case.case_type, {"open_cases": -1})
    pending.add(units, local_day(case.closed_at or case.opened_at), case.case_type, {"closed": 1}, closing=case.id)


def event_added(case: Case, event: Mapping[str, Any]) -> None:
    """Count what an event of `case` (a case_event row) changes; its 'started' event is the case's start (received)."""
    if event["kind"] == "started":
        case_started(case, case.org_unit)
    elif counts := event_counts(event["kind"], event["task_bpmn_id"], event["payload"] or {}):
        _pending(db.session()).add(case.org_unit.ancestor_ids(), local_day(event["at"]), case.case_type, counts)


def _on_time(case_id: int) -> ColumnElement[int]:
    late = exists().where(Task.case_id == case_id, Task.due_at.is_not(None), Task.completed_at > Task.due_at)
    return sql_case((late, 0), else_=1)


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> Insert:
    """The rows as one multi-row INSERT: for rows whose on-time count is a subquery (a closing case)."""
    return _on_conflict_add(_insert(conn.dialect.name)(CaseDayStat).values(rows))


@cache
def _plain_upsert(dialect: str) -> Insert:
    """Rows of plain counts, sent as one multi-row INSERT. Built once per dialect, but SQLAlchemy still compiles it at
    every execution (0.16 ms): the dialects' INSERT … ON CONFLICT has no cache key. The same SQL as text would be
    compiled once, but sent row by row (`executemany`), which `rebuild`'s batches of a thousand rows cannot afford;
    in a case start the difference was within the noise (six alternating rounds of 150)."""
    return _on_conflict_add(_insert(dialect)(CaseDayStat))


def _insert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _on_conflict_add(stmt: Any) -> Insert:
    table = CaseDayStat.__table__
    return cast(
        Insert,
        stmt.on_conflict_do_update(
            index_elements=["org_unit_id", "day", "case_type"],
            set_={name: table.c[name] + stmt.excluded[name] for name in STAT_FIELDS},
        ),
    )


def _rows(pending: Pending) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(pending.counts):
        counts, closing = pending.counts[key], pending.closing.get(key, [])
        if not closing and not any(counts):
            continue
        row: dict[str, Any] = dict(zip(STAT_FIELDS, counts, strict=True))
        for case_id in closing:
            row["closed_on_time"] = _on_time(case_id) + row["closed_on_time"]
        unit_id, day, case_type = key
        rows.append({"org_unit_id": unit_id, "day": day, "case_type": case_type, **row})
    return rows


def write(conn: Connection, pending: Pending) -> None:
    rows = _rows(pending)
    for i in range(0, len(rows), _BATCH):
        batch = rows[i : i + _BATCH]
        if any(isinstance(value, ColumnElement) for row in batch for value in row.values()):
            conn.execute(_upsert(conn, batch))
        else:
            conn.execute(_plain_upsert(conn.dialect.name), batch)


def _after_flush(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        write(session.connection(), pending)


def _before_commit(session: Session) -> None:
    if _PENDING in session.info:
        session.flush()  # the tasks a closing case is judged by must be written first
        _after_flush(session, None)  # deltas noted after the last change (nothing left to flush)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_PENDING, None)


def install() -> None:
    """Hook the writing into every session's flush, commit and rollback (idempotent)."""
    from sqlalchemy import event

    for name, fn in (("after_flush", _after_flush), ("before_commit", _before_commit),
                     ("after_soft_rollback", _after_soft_rollback)):  # fmt: skip
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


install()


# --- recomputing from history ------------------------------------------------------------------------------------


def _case_rows(where: ColumnElement[bool] | None) -> Select[Any]:
    late = exists().where(Task.case_id == Case.id, Task.due_at.is_not(None), Task.completed_at > Task.due_at)
    stmt = select(Case.org_unit_id, Case.case_type, Case.status, Case.opened_at, Case.closed_at, late)
    return stmt.where(where) if where is not None else stmt


def _event_rows(where: ColumnElement[bool] | None) -> Select[Any]:
    payload = CaseEvent.payload
    stmt = (
        select(
            Case.org_unit_id,
            Case.case_type,
            CaseEvent.at,
            CaseEvent.kind,
            CaseEvent.task_bpmn_id,
            payload["unit_action"].as_string(),
            payload["satisfaction"].as_string(),
            payload["agreement_honoured"].as_boolean(),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_(("returned", "completed")))
    )
    return stmt.where(where) if where is not None else stmt


def contributions(where: ColumnElement[bool] | None = None) -> Iterator[tuple[int, str, datetime, Counts]]:
    """(unit id, case type, instant, counts) for each counted fact of the cases matching `where` (all: None)."""
    for unit_id, case_type, status, opened_at, closed_at, late in db.session.execute(
        _case_rows(where).execution_options(yield_per=5000)
    ):
        yield unit_id, case_type, opened_at, opening_counts(status)
        if status is CaseStatus.CLOSED and closed_at is not None:
            yield unit_id, case_type, closed_at, {"closed": 1, "closed_on_time": 0 if late else 1}
    for unit_id, case_type, at, kind, bpmn_id, action, satisfaction, honoured in db.session.execute(
        _event_rows(where).execution_options(yield_per=5000)
    ):
        payload = {"unit_action": action, "satisfaction": satisfaction, "agreement_honoured": honoured}
        if counts := event_counts(kind, bpmn_id, payload):
            yield unit_id, case_type, at, counts


def _ancestors() -> dict[int, list[int]]:
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.path))
    return {unit_id: [int(part) for part in path.strip("/").split("/") if part] for unit_id, path in rows}


def forget(where: ColumnElement[bool]) -> None:
    """Take the counts of the cases matching `where` out, before they are deleted (bench runs remove theirs)."""
    ancestors, pending = _ancestors(), _pending(db.session())
    for unit_id, case_type, at, counts in list(contributions(where)):
        pending.add(ancestors[unit_id], local_day(at), case_type, {name: -n for name, n in counts.items()})


def rebuild() -> int:
    """Empty case_day_stat and recompute it from history; returns the number of rows written. Does not commit."""
    session = db.session()
    session.flush()
    session.execute(delete(CaseDayStat))
    ancestors = _ancestors()
    pending, written = Pending(), 0
    for unit_id, case_type, at, counts in contributions():
        pending.add(ancestors[unit_id], local_day(at), case_type, counts)
        if len(pending.counts) >= 50 * _BATCH:  # bounded memory: the upsert adds partial sums together
            written += len(pending.counts)
            write(session.connection(), pending)
            pending = Pending()
    written += len(pending.counts)
    write(session.connection(), pending)
    return written


def case_moved(case: Case, before: OrgUnit) -> None:
    """A case moved from `before` to its present unit: its counts move with it (read back from its history)."""
    session = db.session()
    session.flush()
    pending = _pending(session)
    for _unit, case_type, at, counts in contributions(Case.id == case.id):
        day = local_day(at)
        pending.add(before.ancestor_ids(), day, case_type, {name: -n for name, n in counts.items()})
        pending.add(case.org_unit.ancestor_ids(), day, case_type, counts)


def unit_moved(unit: OrgUnit, old_ancestor_ids: list[int]) -> None:
    """A unit moved in the tree: its rows (its subtree's counts) leave its old ancestors and join its new ones."""
    old = [u for u in old_ancestor_ids if u != unit.id]
    new = [u for u in unit.ancestor_ids() if u != unit.id]
    pending = _pending(db.session())
    for row in db.session.scalars(select(CaseDayStat).where(CaseDayStat.org_unit_id == unit.id)):
        counts = {name: getattr(row, name) for name in STAT_FIELDS}
        pending.add(old, row.day, row.case_type, {name: -n for name, n in counts.items()})
        pending.add(new, row.day, row.case_type, counts)
