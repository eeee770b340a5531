"""Attachment: one photo or document on a case, its bytes kept on disk under a random name."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base
from app.org.models import User


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))  # the task whose completion brought it, if any
    # The file's name as the sender called it, cleaned, for display and download only: never a path.
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(100))  # from the content, not from the sender
    is_image: Mapped[bool]
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)  # random; names the file on disk
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_at: Mapped[datetime]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")
