"""The inbox: one page of a user's tasks as plain rows, and the counts by deadline state.

A page is read with one Core statement of the columns a list shows (no ORM objects, no identity map,
no engine state, no form): at 50 rows per page the ORM's per-row bookkeeping cost more CPU than the
query. The texts that depend on the process version and the reader's language (task name, form)
come from the per-version cache (`Deployed.task_texts`), so a row costs a dict lookup for them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all

from app.cases.models import Case
from app.casetypes.models import ProcessVersion
from app.extensions import db
from app.org.models import OrgUnit, User
from app.tasks.models import Task, TaskStatus, is_open

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# The inbox's display order; the partial indexes ix_task_open_assignee and ix_task_open_candidate hold it.
INBOX_ORDER = (Task.due_at.asc().nulls_last(), Task.created_at, Task.id)


@dataclass(frozen=True)
class InboxQuery:
    scope: str = "all"  # mine | candidate | all (both)
    status: str = "open"  # open | completed
    case_type: str | None = None
    state: str | None = None  # normal | warning | overdue
    supervised: bool = False
    offset: int = 0
    limit: int = PAGE_SIZE


class InboxRow(NamedTuple):
    """What a list shows of a task (and of its case): never the case's data or engine state."""

    id: str
    case_id: int
    case_number: str
    case_title: str
    case_unit_name: str
    bpmn_id: str
    name: str
    role: str
    unit_code: str
    unit_name: str
    unit_kind: Any
    assignee: str | None
    status: Any
    created_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    supervised_at: datetime | None
    version_id: int
    version_sha: str


# Plain table aliases (not ORM ones): building them configures no mappers at import time.
_TASK_UNIT, _CASE_UNIT = OrgUnit.__table__.alias("task_unit"), OrgUnit.__table__.alias("case_unit")
_ASSIGNEE = User.__table__.alias("assignee")
_COLUMNS = (
    Task.id, Task.case_id, Case.number, Case.title, _CASE_UNIT.c.name, Task.bpmn_id, Task.name, Task.role,
    _TASK_UNIT.c.code, _TASK_UNIT.c.name, _TASK_UNIT.c.kind, _ASSIGNEE.c.username, Task.status, Task.created_at,
    Task.due_at, Task.warn_at, Task.supervised_at, ProcessVersion.id, ProcessVersion.sha256,
)  # fmt: skip


def inbox(user: User, query: InboxQuery, *, now: datetime) -> tuple[list[InboxRow], int | None]:
    """One page of the user's tasks and the offset of the next page (None at the end).

    One statement: the page's ids come from one index scan per inbox branch (my tasks;
    each role x unit I hold), each stopping after the page, merged in display order;
    then those rows with what a list shows of their case: its number, never its data or state.
    """
    depth = query.offset + query.limit + 1
    if query.status == "completed":
        done = (Task.status == TaskStatus.COMPLETED, Task.completed_by_id == user.id)
        page = select(Task.id).where(*done).order_by(Task.completed_at.desc(), Task.id).limit(depth).subquery()
        order: tuple[Any, ...] = (Task.completed_at.desc(), Task.id)
    else:
        branches = _branches(user, query.scope)
        if not branches:
            return [], None
        filters = _filters(query, now=now)
        parts = [
            select(Task.id).where(is_open(), branch, *filters).order_by(*INBOX_ORDER).limit(depth)
            for branch in branches
        ]
        page = (parts[0] if len(parts) == 1 else union_all(*(select(p.subquery()) for p in parts))).subquery()
        order = INBOX_ORDER
    stmt = (
        select(*_COLUMNS)
        .select_from(Task)
        .join(page, page.c.id == Task.id)
        .join(Case, Case.id == Task.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .join(_CASE_UNIT, _CASE_UNIT.c.id == Case.org_unit_id)
        .join(_TASK_UNIT, _TASK_UNIT.c.id == Task.org_unit_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.c.id == Task.assignee_id)
        .order_by(*order)
        .offset(query.offset)
        .limit(query.limit + 1)
    )
    rows = [InboxRow(*row) for row in db.session.connection().execute(stmt)]  # plain columns: no ORM execution
    more = len(rows) > query.limit
    return rows[: query.limit], (query.offset + query.limit if more else None)


def _branches(user: User, scope: str) -> list[ColumnElement[bool]]:
    """'mine', and one 'candidate' branch per role x unit the user holds: each is one index range."""
    mine = [Task.assignee_id == user.id] if scope in ("mine", "all") else []
    pairs = sorted({(m.role, m.org_unit_id) for m in user.memberships}) if scope in ("candidate", "all") else []
    return mine + [
        and_(Task.assignee_id.is_(None), Task.role == role, Task.org_unit_id == unit) for role, unit in pairs
    ]


def _filters(query: InboxQuery, *, now: datetime) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.supervised:
        filters.append(Task.supervised_at.is_not(None))
    if query.case_type:
        of_type = select(Case.id).where(Case.id == Task.case_id, Case.case_type == query.case_type)
        filters.append(of_type.exists())
    if query.state is not None:
        filters.append(_STATES[query.state](now))
    return filters


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(Task.due_at.is_not(None), Task.due_at < now)


def _warning(now: datetime) -> ColumnElement[bool]:
    return and_(Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at >= now))


def _normal(now: datetime) -> ColumnElement[bool]:
    return and_(or_(Task.warn_at.is_(None), Task.warn_at > now), or_(Task.due_at.is_(None), Task.due_at >= now))


_STATES = {"overdue": _overdue, "warning": _warning, "normal": _normal}


def inbox_counts(user: User, *, now: datetime) -> dict[str, int]:
    """Open tasks of mine or for my roles, by deadline state: {normal, warning, overdue}.

    Counted per inbox branch from its partial index alone (due_at and warn_at are in it).
    """
    branches = _branches(user, "all")
    if not branches:
        return {"normal": 0, "warning": 0, "overdue": 0}
    counted = [
        select(
            func.count().filter(_overdue(now)).label("overdue"),
            func.count().filter(_warning(now)).label("warning"),
            func.count().label("total"),
        ).where(is_open(), branch)
        for branch in branches
    ]
    both = union_all(*(select(c.subquery()) for c in counted)).subquery() if len(counted) > 1 else counted[0].subquery()
    overdue, warning, total = db.session.execute(
        select(func.sum(both.c.overdue), func.sum(both.c.warning), func.sum(both.c.total))
    ).one()
    overdue, warning, total = int(overdue or 0), int(warning or 0), int(total or 0)
    return {"normal": total - overdue - warning, "warning": warning, "overdue": overdue}


def task_state(task: Task | InboxRow, now: datetime) -> str:
    """The colour of a task: normal, warning or overdue (待处 / 预警 / 超期)."""
    if task.due_at is not None and task.due_at < now:
        return "overdue"
    if task.warn_at is not None and task.warn_at <= now:
        return "warning"
    return "normal"
