"""An Open311 client: an app that posts citizens' reports with its own api_key."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base
from app.org.models import User


class Open311Client(Base):
    """The key is stored as its SHA-256 (it is random and long, so a slow hash adds nothing).

    Each client posts as its own system account (role `intake_channel` at the unit it serves), so every
    case it opens names the client, and the unit bounds where its reports may be routed.
    """

    __tablename__ = "open311_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")
