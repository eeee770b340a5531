"""Starting a reported case with its place and category, checking for duplicates first.

Used by the generic new-case page and POST /api/v1/cases: both may give a taxonomy item (a leaf code) and a
point and/or address. A report of an item close to open cases of that item is flagged (DuplicateFound)
until the reporter or dispatcher decides: merge into one of them, or keep it separate.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.service import Change, Whereabouts, open_tasks_of, start_case
from app.casetypes.models import ProcessVersion
from app.errors import ValidationError
from app.extensions import db
from app.intake.catalog import category_by_code
from app.intake.duplicates import Reporter, decision, find_duplicates, merge_report, record_kept_separate, resolve
from app.intake.models import Category
from app.org.models import OrgUnit, User


@dataclass(frozen=True)
class Place:
    category: Category | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    merge_into: int | None = None  # the reporter's decision on flagged duplicates
    keep_separate: bool = False


def coordinate(raw: Any, name: str, limit: float, errors: dict[str, str]) -> float | None:
    """An optional number in [-limit, limit]; a bad one is reported under `name`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond any float
        number = float("nan")
    if not -limit <= number <= limit:  # also refuses NaN
        errors[name] = _("A number between -%(limit)d and %(limit)d.", limit=limit)
        return None
    return number


def read_place(values: Mapping[str, Any], prefix: str = "") -> Place:
    """category (a leaf code), latitude, longitude, address: all optional, a point needs both numbers; and the
    decision on duplicates (duplicate_of, keep_separate)."""
    errors: dict[str, str] = {}
    code = str(values.get(f"{prefix}category") or "").strip()
    category = category_by_code(code) if code else None
    if code and (category is None or not category.is_leaf):
        errors[f"{prefix}category"] = _("Choose a level-3 taxonomy item.")
    latitude = coordinate(values.get(f"{prefix}latitude"), f"{prefix}latitude", 90, errors)
    longitude = coordinate(values.get(f"{prefix}longitude"), f"{prefix}longitude", 180, errors)
    if (latitude is None) != (longitude is None) and not errors:
        errors[f"{prefix}longitude" if longitude is None else f"{prefix}latitude"] = _(
            "Give both latitude and longitude, or neither."
        )
    address = str(values.get(f"{prefix}address") or "").strip() or None
    if address is not None and len(address) > 200:
        errors[f"{prefix}address"] = _("At most %(num)d characters.", num=200)
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    return Place(category, latitude, longitude, address, *decision(values))


@dataclass(frozen=True)
class Reported:
    change: Change
    merged: bool


def report_case(
    version: ProcessVersion, unit: OrgUnit, data: dict[str, Any], place: Place, *, actor: User, now: datetime,
    channel: str,
) -> Reported:  # fmt: skip
    """Start the case with its place, unless it duplicates an open case (DuplicateFound) or is merged into one."""
    near = find_duplicates(actor, category_id=place.category.id if place.category else None,
                           latitude=place.latitude, longitude=place.longitude, now=now)  # fmt: skip
    target = resolve(near, place.merge_into, place.keep_separate)
    if target is not None:
        content = str(data.get("description") or data.get("content") or "")
        merge_report(target, Reporter(actor.display_name, None, actor, channel, content), actor=actor, now=now)
        return Reported(Change(case=target, opened=[], open_tasks=open_tasks_of(target)), merged=True)
    address = place.address or data.get("address")
    where = Whereabouts(place.category, place.latitude, place.longitude, str(address) if address else None)
    change = start_case(version, unit, data, actor=actor, now=now, channel=channel, where=where)
    record_kept_separate(change.case, near, actor=actor, now=now)
    db.session.flush()
    return Reported(change, merged=False)


def leaves_for(case_type: str) -> list[Category]:
    """The taxonomy leaves handled by this case type: the choices when reporting one."""
    stmt = select(Category).where(Category.level == 3, Category.active.is_(True), Category.case_type == case_type)
    return list(db.session.scalars(stmt.order_by(Category.code)))
