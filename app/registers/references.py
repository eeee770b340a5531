"""Case forms that name register records: a field annotated "x-register": "entities" | "residents" |
"buildings" holds the id of a record of the case's grid."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import visible_cases
from app.registers.models import Building, CaseRecordLink, MarketEntity, Resident
from app.whole_numbers import db_int

REGISTER_KEY = "x-register"
MODELS: dict[str, type[MarketEntity] | type[Resident] | type[Building]] = {
    "entities": MarketEntity, "residents": Resident, "buildings": Building,
}  # fmt: skip
MAX_OPTIONS = 500


def reference_fields(schema: dict[str, Any]) -> dict[str, str]:
    return {name: spec[REGISTER_KEY] for name, spec in schema.get("properties", {}).items()
            if isinstance(spec, dict) and spec.get(REGISTER_KEY) in MODELS}  # fmt: skip


def reference_errors(schema: dict[str, Any], data: dict[str, Any], unit: OrgUnit) -> dict[str, str]:
    """A named record must exist in the case's own grid."""
    errors = {}
    for name, register in reference_fields(schema).items():
        value = data.get(name)
        if value is None:
            continue
        model = MODELS[register]
        record: Any = db.session.get(model, value) if db_int(value) is not None else None
        if record is None or record.org_unit_id != unit.id:
            errors[name] = _("Choose a record of this grid.")
    return errors


def link_references(case: Case, schema: dict[str, Any], data: dict[str, Any]) -> None:
    fields = reference_fields(schema)
    if not fields:  # most forms name no record: no need to read the case's links
        return
    known = {(link.register, link.record_id) for link in links_of(case)}
    for name, register in fields.items():
        value = data.get(name)
        if isinstance(value, int) and (register, value) not in known:
            db.session.add(CaseRecordLink(case_id=case.id, register=register, record_id=value, field=name))
            known.add((register, value))


def reference_options(schema: dict[str, Any], unit_ids: list[int]) -> dict[str, list[tuple[str, str]]]:
    """For each reference field, the records of the given grids as (value, label) choices."""
    options = {}
    for name, register in reference_fields(schema).items():
        model = MODELS[register]
        stmt = select(model).where(model.org_unit_id.in_(unit_ids)).order_by(model.name, model.id).limit(MAX_OPTIONS)
        records: list[Any] = list(db.session.scalars(stmt))  # one of the three register models
        options[name] = [(str(r.id), f"{r.name} · {r.org_unit.name}") for r in records]
    return options


def links_of(case: Case) -> list[CaseRecordLink]:
    return list(db.session.scalars(select(CaseRecordLink).where(CaseRecordLink.case_id == case.id)))


def linked_records(case: Case) -> list[tuple[str, Any]]:
    """(register slug, record) for the records a case names."""
    return [(link.register, record) for link in links_of(case)
            if (record := db.session.get(MODELS[link.register], link.record_id)) is not None]  # fmt: skip


def cases_of_record(register: str, record_id: int, user: User) -> list[Case]:
    stmt = (
        visible_cases(user)
        .join(CaseRecordLink, CaseRecordLink.case_id == Case.id)
        .where(CaseRecordLink.register == register, CaseRecordLink.record_id == record_id)
        .order_by(Case.opened_at.desc())
    )
    return list(db.session.scalars(stmt).unique())
