"""The two registers described once, so pages, API and import treat them alike."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from app.errors import NotFoundError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import visible_buildings, visible_entities, visible_residents
from app.registers.forms import BuildingForm, EntityForm, ResidentForm
from app.registers.models import Building, MarketEntity, Resident
from app.registers.service import save_building, save_entity, save_resident
from app.registers.validation import (
    BUILDING_FIELDS,
    ENTITY_FIELDS,
    RESIDENT_FIELDS,
    clean_building,
    clean_entity,
    clean_resident,
)

Record = MarketEntity | Resident | Building


@dataclass(frozen=True)
class RegisterKind:
    slug: str  # the URL segment
    model: type[MarketEntity] | type[Resident] | type[Building]
    visible: Callable[[User], Select[Any]]
    save: Callable[..., Any]
    form: type[Any]
    fields: tuple[str, ...]
    personal: dict[str, str]  # field -> app.privacy.mask_value kind
    unique: str
    clean: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]

    def get_for(self, user: User, record_id: int) -> Any:
        """Load a record in the user's jurisdiction; outside it, the record does not exist."""
        record = db.session.scalars(self.visible(user).where(self.model.id == record_id)).first()
        if record is None:
            raise NotFoundError(_("No such record."))
        return record

    def search(self, user: User, query: str) -> Select[Any]:
        stmt = self.visible(user)
        if query:  # no name is longer; SQLite refuses a LIKE pattern of some 50,000 characters
            stmt = stmt.where(self.model.name.contains(query[:200], autoescape=True))
        return stmt.order_by(self.model.name, self.model.id)

    def create(self, unit: OrgUnit, raw: dict[str, Any], *, actor: User, now: datetime) -> Any:
        return self.save(None, unit, raw, actor=actor, now=now)


ENTITIES = RegisterKind("entities", MarketEntity, visible_entities, save_entity, EntityForm, ENTITY_FIELDS,
                        {"contact_phone": "phone"}, "credit_code", clean_entity)  # fmt: skip
RESIDENTS = RegisterKind("residents", Resident, visible_residents, save_resident, ResidentForm, RESIDENT_FIELDS,
                         {"id_card": "id_card", "phone": "phone"}, "id_card", clean_resident)  # fmt: skip
BUILDINGS = RegisterKind("buildings", Building, visible_buildings, save_building, BuildingForm, BUILDING_FIELDS,
                         {"contact_phone": "phone"}, "address_code", clean_building)  # fmt: skip
KINDS = {k.slug: k for k in (ENTITIES, RESIDENTS, BUILDINGS)}


def register_kind(slug: str) -> RegisterKind:
    if slug not in KINDS:
        raise NotFoundError(_("No such register."))
    return KINDS[slug]
