"""Task rows mirror the engine's ready human tasks, written with the case state."""

import enum
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BindParameter, ColumnElement, ForeignKey, Index, String, case, literal, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.extensions import Base
from app.org.models import OrgUnit, User


class TaskStatus(enum.Enum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Task.alerted: the last deadline state the holders were told of.
ALERT_NONE, ALERT_WARNING, ALERT_OVERDUE = "normal", "warning", "overdue"


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        # The inbox's branches, each in display order (due_at, created_at, id), open tasks only: "my claimed
        # tasks" and "the unclaimed tasks of one role at one unit". A page reads a page's worth of each;
        # warn_at rides along (PostgreSQL) so the deadline counts are index-only scans.
        Index(
            "ix_task_open_assignee", "assignee_id", "due_at", "created_at", "id",
            postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'"),
            postgresql_include=["warn_at"],
        ),
        Index(
            "ix_task_open_candidate", "role", "org_unit_id", "due_at", "created_at", "id",
            postgresql_where=text("status = 'open' AND assignee_id IS NULL"),
            sqlite_where=text("status = 'open' AND assignee_id IS NULL"),
            postgresql_include=["warn_at"],
        ),
        # The worker's deadline sweep, every second (app/worker/loop.py): the open tasks whose holders have not yet
        # been told of the state they reach, by when they reach it. A task leaves each once alerted, so the sweep
        # reads the few it may alert, not every open or overdue task of the county (a whole-table scan for warnings).
        Index(
            "ix_task_to_warn", "warn_at",
            postgresql_where=text(f"status = 'open' AND alerted = '{ALERT_NONE}'"),
            sqlite_where=text(f"status = 'open' AND alerted = '{ALERT_NONE}'"),
        ),
        Index(
            "ix_task_to_mark_overdue", "due_at",
            postgresql_where=text(f"status = 'open' AND alerted <> '{ALERT_OVERDUE}'"),
            sqlite_where=text(f"status = 'open' AND alerted <> '{ALERT_OVERDUE}'"),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    # The unit whose holders of `role` are the candidates (the case's grid or its nearest ancestor with one).
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[TaskStatus] = mapped_column(default=TaskStatus.OPEN)
    form: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    warn_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    supervised_at: Mapped[datetime | None]  # the latest supervision notice (督办)
    # The last deadline state the holders were alerted to: ALERT_NONE, ALERT_WARNING or ALERT_OVERDUE.
    alerted: Mapped[str] = mapped_column(String(16), default=ALERT_NONE, server_default=ALERT_NONE)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    case: Mapped[Case] = relationship(back_populates="tasks", lazy="joined")
    # Viewonly, as the case's (app/cases/models.py): who sets one of these sets its foreign key with it.
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined", viewonly=True)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined", viewonly=True)
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], viewonly=True)


def not_yet_alerted(state: str) -> ColumnElement[bool]:
    """Whether the holders have not yet been told a task reached `state` (ALERT_WARNING: told of nothing;
    ALERT_OVERDUE: not of that), written into the SQL as `is_open` is, so the sweep's partial indexes apply."""
    told = Task.alerted
    if state == ALERT_WARNING:
        return told == literal(ALERT_NONE, told.type, literal_execute=True)
    return told != literal(ALERT_OVERDUE, told.type, literal_execute=True)


def is_open(status: Any = None) -> ColumnElement[bool]:
    """status = 'open' written into the SQL itself, so even a prepared statement's generic plan can prove
    the partial indexes' predicate (a bound parameter could be anything). `status`: another column than
    Task.status to test, such as the task table's own in a Core statement."""
    column = Task.status if status is None else status
    return cast(ColumnElement[bool], column == literal_column(f"'{TaskStatus.OPEN.value}'", column.type))


def open_due_at() -> ColumnElement[datetime | None]:
    """An open task's deadline, NULL for any other: what "overdue" asks (`open_due_at() < now`).

    Finished tasks far outnumber open ones and nearly all their deadlines have passed. Taking status and deadline as
    independent, PostgreSQL expected seven times the overdue open tasks there were and read whole tables to count
    them (a county dashboard spent 0.4 s in it). Its index (below) also gives the planner this expression's own
    statistics; a query must write it so (this function) for either to apply."""
    return cast(ColumnElement[datetime | None], case((is_open(), Task.due_at)))


Index("ix_task_open_due", open_due_at())


def is_overdue(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Open and past its deadline at `now`: a datetime, or a parameter bound with literal_execute=True. Either way
    the moment is written into the SQL text, so the statement is planned for it every time and never prepared: a
    prepared statement's generic plan, blind to how few tasks are overdue, walked every case of the subtree (a
    county's dashboard, 1 s)."""
    moment = now if isinstance(now, BindParameter) else literal(now, Task.due_at.type, literal_execute=True)
    return open_due_at() < moment
