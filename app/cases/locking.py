"""Lock a case row for the rest of the transaction: the one place that knows the dialects."""

from datetime import datetime
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any, cast

from flask_babel import gettext as _
from sqlalchemy import Boolean, ColumnElement, Label, Row, Select, bindparam, literal_column, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload, lazyload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.loaded import Loading
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
        raise NotFoundError(_("No such case."))
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

    The rows become objects as the statements below say.
    """
    from app.tasks.models import TaskStatus

    connection = db.session.connection()
    rows = connection.execute(_case_and_tasks_statement(connection.dialect.name), {"task_id": task_id}).all()
    if not rows:
        return None
    task_columns = _task_loading()
    case = _case_of(rows[0], len(task_columns.columns))
    _note_lock(case.id)
    tasks = [task_columns.take(row, 0) for row in rows]
    if not all(row[-1] for row in rows):  # another transaction changed the case while this one waited
        case = lock_case(case.id)
        tasks = list(db.session.scalars(_tasks_statement(), {"case_id": case.id, "task_id": task_id}))
    for task in tasks:
        set_committed_value(task, "case", case)  # held by its tasks, the locked case stays in the session
    set_committed_value(case, "open_tasks", [t for t in tasks if t.status is TaskStatus.OPEN])
    return case, tasks


def lock_due_cases(now: datetime, limit: int) -> list[Case]:
    """Claim up to `limit` cases whose timer is due, oldest first, each with its timer, state and open tasks.

    One statement takes the batch's timer rows from the timer table alone (its `fire_at` index, `limit` rows) and
    then locks their cases, skipping rows another worker or a request holds (FOR UPDATE SKIP LOCKED), so several
    workers share the backlog; one more reads their open tasks, from the task table alone: their case is the one
    just locked, their unit and holder are read if used (`_task_loads`). Joined as the Task's defaults join them,
    the cases came again, each case's JSON decoded twice, and the batch cost a sixth more CPU per timer. (Locking
    the join of every due timer with its case and sorting that, as this did, cost each batch the whole backlog: 15 ms
    of PostgreSQL per batch of fifty with 1,500 due, growing with it, as after the worker was down for a while.)
    """
    from app.tasks.models import Task, is_open
    from app.worker.models import Timer

    batch = (
        select(Timer.case_id)
        .where(Timer.fire_at <= now)
        .order_by(Timer.fire_at, Timer.case_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due_batch")
    )
    stmt = (
        select(Case)
        .join(batch, batch.c.case_id == Case.id)
        .join(Timer, Timer.case_id == Case.id)
        .order_by(Timer.fire_at, Case.id)
        .options(undefer(Case.state), joinedload(Case.process_version), contains_eager(Case.timer))
        .with_for_update(of=Case.id, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    cases = list(db.session.scalars(stmt))
    if cases:
        tasks = db.session.scalars(
            select(Task)
            .where(Task.case_id.in_([c.id for c in cases]), is_open())
            .order_by(Task.created_at)
            .options(lazyload(Task.case), *_task_loads())
        )
        by_case: dict[int, list[Task]] = {c.id: [] for c in cases}
        for task in tasks:
            by_case[task.case_id].append(task)
        for case in cases:
            for task in by_case[case.id]:
                set_committed_value(task, "case", case)
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
    table = Case.__table__
    same = select(literal_column('case_seen.xmin = "case".xmin', Boolean)).where(
        table.alias("case_seen").c.id == table.c.id
    )
    return same.scalar_subquery().label("unchanged")


def _task_filter(task: Any = None) -> ColumnElement[bool]:
    """The task asked for (whatever its status) and the open tasks of its case. `task`: the Task entity (default) or
    the task table's columns (`.c`) of a Core statement."""
    from app.tasks.models import Task, is_open

    task = Task if task is None else task
    return or_(is_open(task.status), task.id == bindparam("task_id"))


# The hottest read, the locked case of a task being claimed or completed, is a Core statement over table columns
# whose rows become objects (app/cases/loaded.py): the case with its state, timer, unit and version, and its tasks,
# each task's unit and holder left to their lazy loaders (see `_task_loads`). Building the ORM's row processors anew
# for every execution was a third of that statement's CPU. (The timer worker's batch read stays with the ORM: built
# once per fifty cases, its row processors cost little, and the ORM makes each object faster than `Loading.take`.)


@cache
def _task_loading() -> Loading:
    from app.tasks.models import Task

    return Loading.of(Task)


@cache
def _case_loadings() -> tuple[Loading, ...]:
    """The columns of a case and of its timer, unit and version, in this order."""
    from app.casetypes.models import ProcessVersion
    from app.org.models import OrgUnit
    from app.worker.models import Timer

    return Loading.of(Case, "state"), Loading.of(Timer), Loading.of(OrgUnit), Loading.of(ProcessVersion)


def _case_columns() -> list[Any]:
    return [column for loading in _case_loadings() for column in loading.columns]


def _with_case(start: Any) -> Any:
    """`start` joined to the case's timer (if any), unit and version (`start` holds the case)."""
    case, timer, unit, version = (loading.columns[0].table for loading in _case_loadings())
    joined = start.outerjoin(timer, timer.c.case_id == case.c.id)
    return joined.join(unit, unit.c.id == case.c.org_unit_id).join(version, version.c.id == case.c.process_version_id)


def _case_of(row: Row[Any], start: int) -> Case:
    """The case whose columns (`_case_columns`) begin at `start` in `row`, with its timer, unit and version."""
    loadings = _case_loadings()
    ends = accumulate((len(loading.columns) for loading in loadings), initial=start)
    case, timer, unit, version = (loading.take(row, at) for loading, at in zip(loadings, ends))  # noqa: B905
    for name, value in (("timer", timer), ("org_unit", unit), ("process_version", version)):
        set_committed_value(case, name, value)
    return cast(Case, case)


@cache
def _case_and_tasks_statement(dialect: str) -> Select[Any]:
    """The task asked for and the case's open tasks, each with its case (`_case_columns`); the last column says
    whether the case's row is unchanged (`_unchanged`)."""
    task, case = _task_loading().columns[0].table, Case.__table__
    wanted = task.alias("wanted")
    case_id = select(wanted.c.case_id).where(wanted.c.id == bindparam("task_id")).scalar_subquery()
    return (
        select(*_task_loading().columns, *_case_columns(), _unchanged(dialect))
        .select_from(_with_case(task.join(case, case.c.id == task.c.case_id)))
        .where(case.c.id == case_id, _task_filter(task.c))
        .order_by(task.c.created_at)
        # PostgreSQL locks each row's tables in this order: the case first, as every other path does (a step holding
        # the case writes its tasks; locking a task first would deadlock with it).
        .with_for_update(of=[case.c.id, task.c.id])
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
