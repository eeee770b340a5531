"""Field checks shared by the forms, the API and the CSV import: one rule, one message."""

import re
from typing import Any

from flask_babel import gettext as _

from app.registers.models import BuildingKind, EntityKind, RiskLevel, SpecialGroup

# GB 11643-1999: 17 digits weighted, the 18th is the check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]\Z", re.ASCII)
_MOBILE_RE = re.compile(r"^1\d{10}\Z", re.ASCII)
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}\Z", re.ASCII)
_CREDIT_RE = re.compile(r"^[0-9A-Z]{8,32}\Z")

ENTITY_FIELDS = ("name", "credit_code", "kind", "address", "risk_level", "contact_person", "contact_phone")
BUILDING_FIELDS = ("name", "address_code", "address", "kind", "floors", "risk_level", "contact_person", "contact_phone")
RESIDENT_FIELDS = ("name", "id_card", "phone", "address", "household_number", "registered_here", "special_group",
                   "visit_every_days")  # fmt: skip


def id_card_ok(value: str) -> bool:
    if not _ID_RE.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def phone_ok(value: str) -> bool:
    return bool(_MOBILE_RE.match(value) or _LANDLINE_RE.match(value))


def _text(raw: dict[str, Any], name: str, errors: dict[str, str], *, required: bool, max_len: int) -> str:
    value = raw.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
        errors[name] = _("Must be text.")  # a list, object or true/false was stored as its Python spelling
        return ""
    text = str(value).strip() if value is not None else ""
    if required and not text:
        errors[name] = _("This field is required.")
    elif len(text) > max_len:
        errors[name] = _("At most %(num)d characters.", num=max_len)
    return text


def _choice(raw: dict[str, Any], name: str, choices: type[Any], default: Any, errors: dict[str, str]) -> Any:
    value = str(raw.get(name) or "").strip()
    if not value:
        return default
    try:
        return choices(value)
    except ValueError:
        errors[name] = _("Not one of the allowed values.")
        return default


def _phone(raw: dict[str, Any], name: str, errors: dict[str, str]) -> str:
    phone = _text(raw, name, errors, required=False, max_len=20)
    if phone and name not in errors and not phone_ok(phone):
        errors[name] = _("A mobile number (11 digits starting with 1) or a landline such as 0791-88888888.")
    return phone


def clean_entity(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values ready for a MarketEntity, and the field errors (empty when valid)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": _text(raw, "name", errors, required=True, max_len=120),
        "credit_code": _text(raw, "credit_code", errors, required=True, max_len=32).upper(),
        "kind": _choice(raw, "kind", EntityKind, None, errors),
        "address": _text(raw, "address", errors, required=True, max_len=200),
        "risk_level": _choice(raw, "risk_level", RiskLevel, RiskLevel.LOW, errors),
        "contact_person": _text(raw, "contact_person", errors, required=False, max_len=60),
        "contact_phone": _phone(raw, "contact_phone", errors),
    }
    if values["credit_code"] and "credit_code" not in errors and not _CREDIT_RE.match(values["credit_code"]):
        errors["credit_code"] = _("A unified social credit code or licence number: 8 to 32 digits or letters.")
    if values["kind"] is None and "kind" not in errors:
        errors["kind"] = _("This field is required.")
    return values, errors


def clean_building(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values ready for a Building, and the field errors (empty when valid)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": _text(raw, "name", errors, required=True, max_len=120),
        "address_code": _text(raw, "address_code", errors, required=True, max_len=32).upper(),
        "address": _text(raw, "address", errors, required=True, max_len=200),
        "kind": _choice(raw, "kind", BuildingKind, None, errors),
        "floors": _whole(raw, "floors", 1, 200, errors),
        "risk_level": _choice(raw, "risk_level", RiskLevel, RiskLevel.LOW, errors),
        "contact_person": _text(raw, "contact_person", errors, required=False, max_len=60),
        "contact_phone": _phone(raw, "contact_phone", errors),
    }
    if values["address_code"] and "address_code" not in errors and not _CREDIT_RE.match(values["address_code"]):
        errors["address_code"] = _("A standard address code: 8 to 32 digits or letters.")
    if values["kind"] is None and "kind" not in errors:
        errors["kind"] = _("This field is required.")
    return values, errors


def clean_resident(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values ready for a Resident, and the field errors (empty when valid)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": _text(raw, "name", errors, required=True, max_len=60),
        "id_card": _text(raw, "id_card", errors, required=True, max_len=18).upper(),
        "phone": _phone(raw, "phone", errors),
        "address": _text(raw, "address", errors, required=True, max_len=200),
        "household_number": _text(raw, "household_number", errors, required=False, max_len=32),
        "registered_here": _flag(raw.get("registered_here", True)),
        "special_group": _choice(raw, "special_group", SpecialGroup, SpecialGroup.NONE, errors),
        "visit_every_days": _whole(raw, "visit_every_days", 1, 366, errors),
    }
    if values["id_card"] and "id_card" not in errors and not id_card_ok(values["id_card"]):
        errors["id_card"] = _("Not a valid ID-card number (GB 11643 check digit).")
    if values["special_group"] is SpecialGroup.NONE:
        values["visit_every_days"] = None
    elif values["visit_every_days"] is None and "visit_every_days" not in errors:
        errors["visit_every_days"] = _("Special groups need a visit frequency.")
    return values, errors


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in {"", "0", "false", "no", "n", "否"}


def _whole(raw: dict[str, Any], name: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    value = raw.get(name)
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        errors[name] = _("A whole number from %(low)d to %(high)d.", low=low, high=high)
        return None
    return number
