"""A case type's diagram being edited in the browser modeler, before it is deployed as a version."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Base


class ProcessDraft(Base):
    """One draft per case type key: the last diagram a designer saved in the modeler, errors and all."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
