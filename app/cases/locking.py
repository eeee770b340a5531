"""Lock a case row for the rest of the transaction: the one place that knows the dialects."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.errors import NotFoundError
from app.extensions import db

_LOCKS = "gridcase_locked_cases"  # session.info: case id -> the transaction that holds its lock


def lock_case(case_id: int) -> Case:
    """Lock first: two people may complete sibling parallel tasks at once, and the
    engine state is one JSON document per case.

    PostgreSQL takes a row lock. SQLite ignores FOR UPDATE, but every SQLite
    transaction here starts with BEGIN IMMEDIATE (see app/database.py), which already
    serialises writers.
    """
    case = _lock(_lock_statement(by_task=False), {"case_id": case_id})
    if case is None:
        raise NotFoundError("no such case")
    return case


def lock_case_of_task(task_id: str) -> Case | None:
    """Lock the case a task belongs to, found by the task's id in the same statement."""
    return _lock(_lock_statement(by_task=True), {"task_id": task_id})


def lock_due_cases(now: datetime, limit: int) -> list[Case]:
    """Claim up to `limit` cases whose timer is due, oldest first, each with its timer, state and open tasks.

    One statement locks the cases and their timer rows, skipping rows another worker or a request holds
    (FOR UPDATE SKIP LOCKED), so several workers share the backlog; one more reads their open tasks.
    """
    from app.tasks.models import Task, is_open
    from app.worker.models import Timer

    stmt = (
        select(Case)
        .join(Timer, Timer.case_id == Case.id)
        .where(Timer.fire_at <= now)
        .order_by(Timer.fire_at, Case.id)
        .limit(limit)
        .options(undefer(Case.state), joinedload(Case.process_version), contains_eager(Case.timer))
        .with_for_update(of=[Case.id, Timer.case_id], skip_locked=True)
        .execution_options(populate_existing=True)
    )
    cases = list(db.session.scalars(stmt))
    if cases:
        tasks = db.session.scalars(
            select(Task).where(Task.case_id.in_([c.id for c in cases]), is_open()).order_by(Task.created_at)
        )
        by_case: dict[int, list[Task]] = {c.id: [] for c in cases}
        for task in tasks:
            by_case[task.case_id].append(task)
        for case in cases:
            set_committed_value(case, "open_tasks", by_case[case.id])
            db.session.info.setdefault(_LOCKS, {})[case.id] = _transaction()
    return cases


def holds_lock(case_id: int) -> bool:
    """Whether this transaction already locked the case (rows read since then are current)."""
    return db.session.info.get(_LOCKS, {}).get(case_id) is _transaction()


@cache  # built once: a statement object reused is neither built nor keyed again per request
def _lock_statement(*, by_task: bool) -> Select[tuple[Case]]:
    from app.tasks.models import Task

    where = Case.id == (
        select(Task.case_id).where(Task.id == bindparam("task_id")).scalar_subquery()
        if by_task
        else bindparam("case_id")
    )
    # Whoever locks a case is about to run the engine on it: its state, version and timer come along.
    return (
        select(Case)
        .where(where)
        .options(undefer(Case.state), joinedload(Case.process_version), joinedload(Case.timer))
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )


def _lock(stmt: Select[tuple[Case]], params: dict[str, Any]) -> Case | None:
    case = db.session.scalars(stmt, params).first()
    if case is not None:
        db.session.info.setdefault(_LOCKS, {})[case.id] = _transaction()
    return case


def _transaction() -> Any:
    return db.session().get_transaction()
