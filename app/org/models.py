"""Org units, users and their role memberships."""

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, UniqueConstraint, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Base


class OrgKind(enum.Enum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"
    EXCLUSIVE_GRID = "exclusive_grid"


class OrgUnit(Base):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OrgKind]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # "/1/7/31/": "in my jurisdiction" is one indexed prefix test.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    # GeoJSON polygon. Deferred: a county's boundary runs to many kilobytes of JSON, and units are loaded on every
    # request (the user's memberships, the case's grid, where a new task lands) where only the map and routing,
    # which ask for it (undefer), draw or test a shape.
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    # When the boundary or the place in the tree last changed: routing's polygon cache is keyed by it.
    geometry_changed_at: Mapped[datetime | None]

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id])

    @validates("boundary", "path")
    def _geometry_changed(self, _key: str, value: Any) -> Any:
        # The wall clock, not the app's: the cache key must change whenever the geometry does.
        self.geometry_changed_at = datetime.now(UTC)
        return value

    def ancestor_ids(self) -> list[int]:
        """Own id last: the units whose jurisdiction contains this one, root first."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @classmethod
    def in_subtrees(cls, paths: Iterable[str]) -> ColumnElement[bool]:
        """Units in the subtrees rooted at `paths` (their own path included): one indexed prefix test each."""
        return or_(false(), *(cls.path.startswith(p, autoescape=True) for p in paths))

    @property
    def is_grid(self) -> bool:
        return self.kind in (OrgKind.GRID, OrgKind.EXCLUSIVE_GRID)


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Page sessions signed in before this are over (app/auth/session.py): set at sign-out, a new password and
    # deactivation, since a signed cookie cannot be taken back from a browser that kept a copy.
    sessions_since: Mapped[datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "org_unit_id", name="uq_membership_user_role_unit"),
        # Who holds a role at a unit: where a new task lands (candidate_unit), supervision, assignment.
        Index("ix_membership_org_unit_id_role", "org_unit_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(64))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))

    user: Mapped[User] = relationship(back_populates="memberships")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
