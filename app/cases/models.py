"""Case and CaseEvent (全程留痕: the append-only audit trail)."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, Float, ForeignKey, Index, String, Text, and_, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.casetypes.models import ProcessVersion
from app.extensions import Base
from app.intake.models import Category
from app.org.models import OrgUnit, User

if TYPE_CHECKING:
    from app.tasks.models import Task
    from app.worker.models import Timer


class CaseStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def _open_task_join() -> ColumnElement[bool]:
    """Case.open_tasks: evaluated once the mappers are configured (Task is defined after Case)."""
    from app.tasks.models import Task, TaskStatus

    return and_(Case.id == Task.case_id, Task.status == TaskStatus.OPEN)


_OPEN_POINT = text("status = 'open' AND latitude IS NOT NULL")


class Case(Base):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_org_unit_status", "org_unit_id", "status"),
        # The dashboard's counts (app/dashboard/service.py) as index-only scans: by period over a whole county
        # (period column first) and per unit of a small subtree (unit first, a range scan per unit).
        Index("ix_case_stats_opened", "opened_at", "org_unit_id", "status", "closed_at", "case_type"),
        Index("ix_case_stats_unit_opened", "org_unit_id", "opened_at", "status", "closed_at", "case_type"),
        Index("ix_case_stats_closed", "closed_at", "org_unit_id", "status", "case_type"),
        Index("ix_case_stats_unit_closed", "org_unit_id", "closed_at", "status", "case_type"),
        # The dashboard map's case points: open cases with a point, newest first (app/dashboard/case_points.py).
        Index("ix_case_open_point", "opened_at", "id", postgresql_where=_OPEN_POINT, sqlite_where=_OPEN_POINT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    case_type: Mapped[str] = mapped_column(String(64), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CaseStatus] = mapped_column(default=CaseStatus.OPEN)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    # Where and what (intake): the taxonomy item, and the place as a WGS84 point and/or an address.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    # How the case found its unit (app/intake/routing.py): point, address or triage, and why triage.
    routing: Mapped[str | None] = mapped_column(String(16), index=True)
    routing_reason: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The engine's serialized workflow; deferred so that listing cases never loads it.
    state: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    state_format: Mapped[str] = mapped_column(String(16))
    state_version: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]

    # What a case only points at is read through viewonly relationships: whoever sets one sets its foreign key
    # with it, and the flush of every change then has no dependency of these to sort out (a tenth of a task
    # completion's CPU, measured in process).
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined", viewonly=True)
    process_version: Mapped[ProcessVersion] = relationship(viewonly=True)
    opened_by: Mapped[User | None] = relationship(viewonly=True)
    category: Mapped[Category | None] = relationship(viewonly=True)
    tasks: Mapped[list["Task"]] = relationship(back_populates="case", order_by="Task.created_at")
    # Read-only views for the hot paths, so a locked case's open tasks and timer come with it in one round trip.
    open_tasks: Mapped[list["Task"]] = relationship(
        primaryjoin=_open_task_join, order_by="Task.created_at", viewonly=True
    )
    timer: Mapped["Timer | None"] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )


class CaseEvent(Base):
    __tablename__ = "case_event"
    # Statistics and assessment count events of one kind in a period (return visits, returns, reports).
    __table_args__ = (Index("ix_case_event_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
