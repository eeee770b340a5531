"""The event taxonomy (事件分类) with its admission list (事项准入): a 3-level tree held as data."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base
from app.org.models import User

UNIT_KINDS = ("grid", "village", "township", "county", "department")


class Category(Base):
    """A node of the taxonomy; a leaf (level 3) says how a matter of its kind is handled.

    case_type: the diagram a matter of this kind starts; unit_kind: who is responsible by default;
    time_limit: the handling limit as designers write deadlines ("5 working days"); admitted: on the
    admission list, i.e. grid workers and township centres may take it (事项准入).
    """

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    level: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # Pinyin initials of the name ("xfyh" for 消防隐患): operators search by them.
    initials: Mapped[str] = mapped_column(String(120), default="")
    case_type: Mapped[str | None] = mapped_column(String(64))
    unit_kind: Mapped[str | None] = mapped_column(String(16))
    time_limit: Mapped[str | None] = mapped_column(String(32))
    admitted: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Category | None"] = relationship(remote_side=[id])

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


kb_entry_category = Table(
    "kb_entry_category",
    Base.metadata,
    Column("kb_entry_id", ForeignKey("kb_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class KbEntry(Base):
    """A knowledge-base answer (政策解答): operators answer callers from it; handlers of its categories see it.

    Linked to leaves or branches of the taxonomy: a branch's entry serves every leaf below it.
    """

    __tablename__ = "kb_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    categories: Mapped[list[Category]] = relationship(secondary=kb_entry_category, order_by=Category.code)
    updated_by: Mapped[User | None] = relationship()


class CaseReporter(Base):
    """Another reporter of the same matter, merged into its case (重复件合并): told of the outcome when it closes.

    With an account (`user_id`) they get a notification; a caller without one is listed for the return visit.
    """

    __tablename__ = "case_reporter"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notified_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
