"""A notification for one user; the text is rendered in the reader's language from kind + params."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import Case
from app.extensions import Base


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # assigned, warning, overdue, supervised, returned
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)  # by the worker, to the extra senders

    case: Mapped[Case | None] = relationship(lazy="joined")
