"""The inbox: one page of a user's tasks as plain rows, and the counts by deadline state.

A page is read with one Core statement of the columns a list shows (no ORM objects, no identity map,
no engine state, no form): at 50 rows per page the ORM's per-row bookkeeping cost more CPU than the
query. The texts that depend on the process version and the reader's language (task name, form)
come from the per-version cache (`Deployed.task_texts`), so a row costs a dict lookup for them.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, func, or_, select, union_all

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
    completed_at: datetime | None
    completed_by: str | None


# Plain table aliases (not ORM ones): building them configures no mappers at import time.
_TASK_UNIT, _CASE_UNIT = OrgUnit.__table__.alias("task_unit"), OrgUnit.__table__.alias("case_unit")
_ASSIGNEE, _COMPLETER = User.__table__.alias("assignee"), User.__table__.alias("completer")
_COLUMNS = (
    Task.id, Task.case_id, Case.number, Case.title, _CASE_UNIT.c.name, Task.bpmn_id, Task.name, Task.role,
    _TASK_UNIT.c.code, _TASK_UNIT.c.name, _TASK_UNIT.c.kind, _ASSIGNEE.c.username, Task.status, Task.created_at,
    Task.due_at, Task.warn_at, Task.supervised_at, ProcessVersion.id, ProcessVersion.sha256, Task.completed_at,
    _COMPLETER.c.username,
)  # fmt: skip


def inbox(user: User, query: InboxQuery, *, now: datetime) -> tuple[list[InboxRow], int | None]:
    """One page of the user's tasks and the offset of the next page (None at the end).

    One statement: the page's ids come from one index scan per inbox branch (my tasks;
    each role x unit I hold), each stopping after the page, merged in display order;
    then those rows with what a list shows of their case: its number, never its data or state.
    The statement is built once per shape (`_page_statement`); the user, their roles and units, the filters' values
    and the page are its parameters.
    """
    params: dict[str, Any] = {"depth": query.offset + query.limit + 1, "offset": query.offset, "rows": query.limit + 1}
    if query.status == "completed":
        shape = _Shape(completed=True)
        params["user_id"] = user.id
    else:
        mine, pairs = _holdings(user, query.scope)
        if not mine and not pairs:
            return [], None
        shape = _Shape(False, mine, len(pairs), query.supervised, query.case_type is not None, query.state)
        params |= _holding_params(user, pairs) | {"case_type": query.case_type, "now": now}
    result = db.session.connection().execute(_page_statement(shape), params)  # plain columns: no ORM execution
    rows = [InboxRow(*row) for row in result]
    more = len(rows) > query.limit
    return rows[: query.limit], (query.offset + query.limit if more else None)


class _Shape(NamedTuple):
    """What decides the text of an inbox statement; everything else is a parameter."""

    completed: bool
    mine: bool = False
    candidates: int = 0  # role x unit pairs held
    supervised: bool = False
    case_type: bool = False
    state: str | None = None


@lru_cache(maxsize=256)  # built once per shape: building and keying the statement cost a fifth of a page's CPU
def _page_statement(shape: _Shape) -> Select[Any]:
    depth: BindParameter[int] = bindparam("depth")
    if shape.completed:
        done = (Task.status == TaskStatus.COMPLETED, Task.completed_by_id == bindparam("user_id"))
        page = select(Task.id).where(*done).order_by(Task.completed_at.desc(), Task.id).limit(depth).subquery()
        order: tuple[Any, ...] = (Task.completed_at.desc(), Task.id)
    else:
        filters = _filters(shape)
        parts = [
            select(Task.id).where(is_open(), branch, *filters).order_by(*INBOX_ORDER).limit(depth)
            for branch in _branches(shape.mine, shape.candidates)
        ]
        page = (parts[0] if len(parts) == 1 else union_all(*(select(p.subquery()) for p in parts))).subquery()
        order = INBOX_ORDER
    return (
        select(*_COLUMNS)
        .select_from(Task)
        .join(page, page.c.id == Task.id)
        .join(Case, Case.id == Task.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .join(_CASE_UNIT, _CASE_UNIT.c.id == Case.org_unit_id)
        .join(_TASK_UNIT, _TASK_UNIT.c.id == Task.org_unit_id)
        .outerjoin(_ASSIGNEE, _ASSIGNEE.c.id == Task.assignee_id)
        .outerjoin(_COMPLETER, _COMPLETER.c.id == Task.completed_by_id)
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("rows"))
    )


def _holdings(user: User, scope: str) -> tuple[bool, list[tuple[str, int]]]:
    """Whether the inbox shows the user's own tasks ('mine'), and the role x unit pairs whose waiting tasks it shows."""
    mine = scope in ("mine", "all")
    pairs = sorted({(m.role, m.org_unit_id) for m in user.memberships}) if scope in ("candidate", "all") else []
    return mine, pairs


def _holding_params(user: User, pairs: list[tuple[str, int]]) -> dict[str, Any]:
    params: dict[str, Any] = {"user_id": user.id}
    for n, (role, unit) in enumerate(pairs):
        params[f"role_{n}"], params[f"unit_{n}"] = role, unit
    return params


def _branches(mine: bool, candidates: int) -> list[ColumnElement[bool]]:
    """'mine', and one 'candidate' branch per role x unit held: each is one index range."""
    own = [Task.assignee_id == bindparam("user_id")] if mine else []
    return own + [
        and_(
            Task.assignee_id.is_(None), Task.role == bindparam(f"role_{n}"), Task.org_unit_id == bindparam(f"unit_{n}")
        )
        for n in range(candidates)
    ]


def _filters(shape: _Shape) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if shape.supervised:
        filters.append(Task.supervised_at.is_not(None))
    if shape.case_type:
        of_type = select(Case.id).where(Case.id == Task.case_id, Case.case_type == bindparam("case_type"))
        filters.append(of_type.exists())
    if shape.state is not None:
        filters.append(_STATES[shape.state]())
    return filters


def _overdue() -> ColumnElement[bool]:
    return and_(Task.due_at.is_not(None), Task.due_at < bindparam("now"))


def _warning() -> ColumnElement[bool]:
    now: BindParameter[datetime] = bindparam("now")
    return and_(Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at >= now))


def _normal() -> ColumnElement[bool]:
    now: BindParameter[datetime] = bindparam("now")
    return and_(or_(Task.warn_at.is_(None), Task.warn_at > now), or_(Task.due_at.is_(None), Task.due_at >= now))


_STATES = {"overdue": _overdue, "warning": _warning, "normal": _normal}


def inbox_counts(user: User, *, now: datetime) -> dict[str, int]:
    """Open tasks of mine or for my roles, by deadline state: {normal, warning, overdue}.

    Counted per inbox branch from its partial index alone (due_at and warn_at are in it).
    """
    _, pairs = _holdings(user, "all")  # "all" always includes my own tasks
    params = _holding_params(user, pairs) | {"now": now}
    overdue, warning, total = db.session.connection().execute(_counts_statement(len(pairs)), params).one()
    overdue, warning, total = int(overdue or 0), int(warning or 0), int(total or 0)
    return {"normal": total - overdue - warning, "warning": warning, "overdue": overdue}


@lru_cache(maxsize=64)
def _counts_statement(candidates: int) -> Select[Any]:
    counted = [
        select(
            func.count().filter(_overdue()).label("overdue"),
            func.count().filter(_warning()).label("warning"),
            func.count().label("total"),
        ).where(is_open(), branch)
        for branch in _branches(True, candidates)
    ]
    both = union_all(*(select(c.subquery()) for c in counted)).subquery() if len(counted) > 1 else counted[0].subquery()
    return select(func.sum(both.c.overdue), func.sum(both.c.warning), func.sum(both.c.total))


def task_state(task: Task | InboxRow, now: datetime) -> str:
    """The colour of a task: normal, warning or overdue (待处 / 预警 / 超期)."""
    if task.due_at is not None and task.due_at < now:
        return "overdue"
    if task.warn_at is not None and task.warn_at <= now:
        return "warning"
    return "normal"
