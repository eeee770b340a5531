"""Lock a case row for the rest of the transaction: the one place that knows the dialects."""

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload, undefer

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
    case = _lock(Case.id == case_id)
    if case is None:
        raise NotFoundError("no such case")
    return case


def lock_case_of_task(task_id: str) -> Case | None:
    """Lock the case a task belongs to, found by the task's id in the same statement."""
    from app.tasks.models import Task

    return _lock(Case.id == select(Task.case_id).where(Task.id == task_id).scalar_subquery())


def holds_lock(case_id: int) -> bool:
    """Whether this transaction already locked the case (rows read since then are current)."""
    return db.session.info.get(_LOCKS, {}).get(case_id) is _transaction()


def _lock(where: ColumnElement[bool]) -> Case | None:
    # Whoever locks a case is about to run the engine on it: its state, version and timer come along.
    stmt = (
        select(Case)
        .where(where)
        .options(undefer(Case.state), joinedload(Case.process_version), joinedload(Case.timer))
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    case = db.session.scalars(stmt).first()
    if case is not None:
        db.session.info.setdefault(_LOCKS, {})[case.id] = _transaction()
    return case


def _transaction() -> Any:
    return db.session().get_transaction()
