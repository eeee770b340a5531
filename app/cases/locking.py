"""Lock a case row for the rest of the transaction: the one place that knows the dialects."""

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ColumnElement, Label, Select, bindparam, literal_column, or_, select, true
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.errors import NotFoundError
from app.extensions import db

if TYPE_CHECKING:
    from app.tasks.models import Task

_LOCKS = "gridcase_locked_cases"  # session.info: case id -> the transaction that holds its lock


def lock_case(case_id: int) -> Case:
    """Lock first: two people may complete sibling parallel tasks at once, and the
    engine state is one JSON document per case.

    PostgreSQL takes a row lock. SQLite ignores FOR UPDATE, but every SQLite
    transaction here starts with BEGIN IMMEDIATE (see app/database.py), which already
    serialises writers. The case's timer comes with it: if the case's row moved while this
    waited for the lock, the timer joined to it is the one the statement's snapshot saw
    (see lock_case_of_task), so the case is read again, under the lock now held.
    """
    statement = _lock_statement(db.session.connection().dialect.name)
    found = db.session.execute(statement, {"case_id": case_id}).first()
    if found is not None and not found.unchanged:
        found = db.session.execute(statement, {"case_id": case_id}).first()
    if found is None:
        raise NotFoundError("no such case")
    case: Case = found[0]
    _note_lock(case.id)
    return case


def lock_case_of_task(task_id: str) -> "tuple[Case, list[Task]] | None":
    """Lock the case a task belongs to and read, in the same statement, that task and the case's open tasks.

    One statement instead of a lock and then a read. Under READ COMMITTED a statement that waited for the lock sees
    the rows it locks as they are now (PostgreSQL reads them again), but its other rows as they were when it
    started: tasks another step opened meanwhile, or the case's timer as it was. So the task rows are locked too (a
    claim or a deadline alert that changed one meanwhile is read again), and the statement also says whether the
    case's row is the one its snapshot saw (`xmin`): every engine step and every move of the case rewrites that row.
    If it moved, the lock is held by now, and the case and its tasks are read again after it.
    """
    from app.tasks.models import TaskStatus

    dialect = db.session.connection().dialect.name
    rows = db.session.execute(_case_and_tasks_statement(dialect), {"task_id": task_id}).all()
    if not rows:
        return None
    case = rows[0][0].case
    _note_lock(case.id)
    tasks = [task for task, _unchanged in rows]
    if not all(unchanged for _task, unchanged in rows):  # another transaction changed the case while this one waited
        case = lock_case(case.id)
        tasks = list(db.session.scalars(_tasks_statement(), {"case_id": case.id, "task_id": task_id}))
    for task in tasks:
        set_committed_value(task, "case", case)  # held by its tasks, the locked case stays in the session
    set_committed_value(case, "open_tasks", [t for t in tasks if t.status is TaskStatus.OPEN])
    return case, tasks


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
            _note_lock(case.id)
    return cases


def holds_lock(case_id: int) -> bool:
    """Whether this transaction already locked the case (rows read since then are current)."""
    return db.session.info.get(_LOCKS, {}).get(case_id) is _transaction()


@cache  # built once: a statement object reused is neither built nor keyed again per request
def _lock_statement(dialect: str) -> Select[tuple[Case, bool]]:
    return (
        select(Case, _unchanged(dialect))
        .where(Case.id == bindparam("case_id"))
        .options(*_for_the_engine())
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )


def _for_the_engine() -> tuple[Any, ...]:
    """Whoever locks a case is about to run the engine on it: its state, version and timer come along."""
    return undefer(Case.state), joinedload(Case.process_version), joinedload(Case.timer)


def _task_loads() -> tuple[Any, ...]:
    """A locked case's tasks: the case is in the session already. The task's unit and holder are read when first
    used, nearly always without a query: who acts on a task is almost always its holder or a candidate at its unit,
    and their own user and units are in the session already (app/auth/principals.py). Joining them cost a tenth of
    a completion's CPU."""
    from app.tasks.models import Task

    return lazyload(Task.org_unit), lazyload(Task.assignee)


def _unchanged(dialect: str) -> Label[bool]:
    """Whether the locked case's row is still the version this statement's snapshot saw (PostgreSQL: `xmin`, read
    by a subquery, which sees the snapshot; see lock_case_of_task). SQLite runs one writer at a time (BEGIN
    IMMEDIATE, app/database.py): what it reads is current."""
    if dialect != "postgresql":
        return true().label("unchanged")
    seen = Case.__table__.alias("case_seen")
    same = select(literal_column('case_seen.xmin = "case".xmin', Boolean)).where(seen.c.id == Case.id)
    return same.scalar_subquery().label("unchanged")


def _task_filter() -> ColumnElement[bool]:
    """The task asked for (whatever its status) and the open tasks of its case."""
    from app.tasks.models import Task, is_open

    return or_(is_open(), Task.id == bindparam("task_id"))


@cache
def _case_and_tasks_statement(dialect: str) -> "Select[tuple[Task, bool]]":
    from app.tasks.models import Task

    wanted = aliased(Task)
    case_id = select(wanted.case_id).where(wanted.id == bindparam("task_id")).scalar_subquery()
    return (
        select(Task, _unchanged(dialect))
        .join(Task.case)
        .where(Case.id == case_id, _task_filter())
        .order_by(Task.created_at)
        .options(contains_eager(Task.case).options(*_for_the_engine()), *_task_loads())
        # PostgreSQL locks each row's tables in this order: the case first, as every other path does (a step holding
        # the case writes its tasks; locking a task first would deadlock with it).
        .with_for_update(of=[Case.id, Task.id])
        .execution_options(populate_existing=True)
    )


@cache
def _tasks_statement() -> "Select[tuple[Task]]":
    from app.tasks.models import Task

    return (
        select(Task)
        .where(Task.case_id == bindparam("case_id"), _task_filter())
        .order_by(Task.created_at)
        .options(lazyload(Task.case), *_task_loads())
        .execution_options(populate_existing=True)
    )


def _note_lock(case_id: int) -> None:
    db.session.info.setdefault(_LOCKS, {})[case_id] = _transaction()


def _transaction() -> Any:
    return db.session().get_transaction()
