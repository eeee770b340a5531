"""Register verbs: create and change records, each change logged with before and after."""

import enum
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from app.errors import ValidationError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.registers.models import Building, MarketEntity, RegisterChange, Resident
from app.registers.validation import (
    BUILDING_FIELDS,
    ENTITY_FIELDS,
    RESIDENT_FIELDS,
    clean_building,
    clean_entity,
    clean_resident,
)

R = TypeVar("R", MarketEntity, Resident, Building)
AnyRecord = MarketEntity | Resident | Building
FIELDS: dict[type[Any], tuple[str, ...]] = {
    MarketEntity: ENTITY_FIELDS,
    Resident: RESIDENT_FIELDS,
    Building: BUILDING_FIELDS,
}
KIND_NAMES: dict[type[Any], str] = {MarketEntity: "market_entity", Resident: "resident", Building: "building"}


def snapshot(record: AnyRecord) -> dict[str, Any]:
    """The record as plain JSON, as the change log keeps it."""
    data = {name: getattr(record, name) for name in FIELDS[type(record)]}
    data = {k: v.value if isinstance(v, enum.Enum) else v for k, v in data.items()}
    return {**data, "grid": record.org_unit.code}


def entity_kind_of(record: AnyRecord) -> str:
    return KIND_NAMES[type(record)]


def unique_taken(
    model: type[MarketEntity] | type[Resident] | type[Building], field: str, value: str, own_id: int | None
) -> bool:
    stmt = select(model.id).where(getattr(model, field) == value)
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _save(record: R, unique: str, unit: OrgUnit, values: dict[str, Any], *, actor: User, now: datetime) -> R:
    own_id = record.id if inspect(record).has_identity else None
    if unique_taken(type(record), unique, values[unique], own_id):
        raise ValidationError(_("Some fields need your attention."), {unique: _("Already registered.")})
    before = snapshot(record) if inspect(record).has_identity else None
    for name, value in values.items():
        setattr(record, name, value)
    record.org_unit, record.org_unit_id, record.updated_at = unit, unit.id, now
    if before is None:
        record.created_at = now
        db.session.add(record)
    db.session.flush()
    db.session.add(RegisterChange(entity_kind=entity_kind_of(record), entity_id=record.id, at=now, actor_id=actor.id,
                                  before=before, after=snapshot(record)))  # fmt: skip
    return record


def _checked(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    return values


def save_entity(entity: MarketEntity | None, unit: OrgUnit, raw: dict[str, Any], *, actor: User,
                now: datetime) -> MarketEntity:  # fmt: skip
    """Create (entity None) or change a market entity in grid `unit`; raises ValidationError."""
    values = _checked(*clean_entity(raw))
    return _save(entity or MarketEntity(), "credit_code", unit, values, actor=actor, now=now)


def save_resident(resident: Resident | None, unit: OrgUnit, raw: dict[str, Any], *, actor: User,
                  now: datetime) -> Resident:  # fmt: skip
    """Create (resident None) or change a resident in grid `unit`; raises ValidationError."""
    values = _checked(*clean_resident(raw))
    return _save(resident or Resident(), "id_card", unit, values, actor=actor, now=now)


def save_building(building: Building | None, unit: OrgUnit, raw: dict[str, Any], *, actor: User,
                  now: datetime) -> Building:  # fmt: skip
    """Create (building None) or change a building in grid `unit`; raises ValidationError."""
    values = _checked(*clean_building(raw))
    return _save(building or Building(), "address_code", unit, values, actor=actor, now=now)


def changes_of(record: AnyRecord) -> list[RegisterChange]:
    stmt = (
        select(RegisterChange)
        .where(RegisterChange.entity_kind == entity_kind_of(record), RegisterChange.entity_id == record.id)
        .order_by(RegisterChange.at.desc(), RegisterChange.id.desc())
    )
    return list(db.session.scalars(stmt))
