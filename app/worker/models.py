"""The next engine timer of each case; the worker polls it."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Base


class Timer(Base):
    __tablename__ = "timer"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    fire_at: Mapped[datetime] = mapped_column(index=True)
