"""A deployed diagram version; running cases stay on the version they started on."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import Base


class ProcessVersion(Base):
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_version_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bpmn_xml: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    # The form files the diagram references, as deployed: {filename: parsed JSON}.
    forms: Mapped[dict[str, Any]] = deferred(mapped_column(JSON, nullable=False))
    deployed_at: Mapped[datetime]
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
