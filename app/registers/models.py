"""The registers: market entities, residents, buildings, the append-only log of their changes, visits."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Base
from app.org.models import OrgUnit, User


class EntityKind(enum.Enum):
    RESTAURANT = "restaurant"
    FOOD_SHOP = "food_shop"
    MARKET_STALL = "market_stall"
    SMALL_WORKSHOP = "small_workshop"
    CANTEEN = "canteen"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    OTHER = "other"


class RiskLevel(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class SpecialGroup(enum.Enum):
    NONE = "none"
    ELDERLY_ALONE = "elderly_alone"
    DISABLED = "disabled"
    COMMUNITY_CORRECTION = "community_correction"
    LEFT_BEHIND_CHILD = "left_behind_child"
    SEVERE_MENTAL_ILLNESS = "severe_mental_illness"
    DRUG_USER = "drug_user"
    RELEASED_PRISONER = "released_prisoner"


class BuildingKind(enum.Enum):
    RESIDENTIAL = "residential"
    SELF_BUILT_HOUSE = "self_built_house"
    COMMERCIAL = "commercial"
    MIXED_USE = "mixed_use"
    FACTORY = "factory"
    WAREHOUSE = "warehouse"
    PUBLIC = "public"
    OTHER = "other"


class MarketEntity(Base):
    __tablename__ = "market_entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    # Unified social credit code, or a licence number: unique across the county.
    credit_code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[EntityKind]
    address: Mapped[str] = mapped_column(String(200))
    risk_level: Mapped[RiskLevel] = mapped_column(default=RiskLevel.LOW)
    contact_person: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Resident(Base):
    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    id_card: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200))
    household_number: Mapped[str] = mapped_column(String(32), default="")
    # True: lives where registered (户籍); False: lives here without being registered here (实有).
    registered_here: Mapped[bool] = mapped_column(default=True)
    special_group: Mapped[SpecialGroup] = mapped_column(default=SpecialGroup.NONE)
    visit_every_days: Mapped[int | None]  # for special groups: how often the grid worker visits
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Building(Base):
    """A building or place at a standard address (一标三实: one standard address, real houses)."""

    __tablename__ = "building"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    address_code: Mapped[str] = mapped_column(String(32), unique=True)  # the standard address code
    address: Mapped[str] = mapped_column(String(200))
    kind: Mapped[BuildingKind]
    floors: Mapped[int | None]
    risk_level: Mapped[RiskLevel] = mapped_column(default=RiskLevel.LOW)  # fire risk
    contact_person: Mapped[str] = mapped_column(String(60), default="")  # owner or manager
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class RegisterChange(Base):
    """Append-only: one row per create or change, with the record before and after."""

    __tablename__ = "register_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_kind: Mapped[str] = mapped_column(String(32))  # "market_entity" | "resident" | "building"
    entity_id: Mapped[int] = mapped_column(index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)


class Visit(Base):
    """A grid worker's visit to a resident (special groups) or a market entity."""

    __tablename__ = "register_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("market_entity.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(2000), default="")
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    logged_at: Mapped[datetime]

    visitor: Mapped[User | None] = relationship(lazy="joined")


class CaseRecordLink(Base):
    """A case form field that named a register record ("x-register"): the case page links to the record,
    the record page lists its cases."""

    __tablename__ = "case_record_link"
    __table_args__ = (
        UniqueConstraint("case_id", "register", "record_id", name="uq_case_record_link"),
        Index("ix_case_record_link_record", "register", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(16))  # entities | residents | buildings
    record_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
