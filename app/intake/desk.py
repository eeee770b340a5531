"""The 12345 operator desk: check a call, answer it from the knowledge base, or turn it into a case.

Both ways go through the normal services, so the case history shows every step: a direct answer starts a
hotline matter and completes its triage step with "answer directly" (the diagram then archives it with the
outcome answered_directly, 直接答复); a case is started of the leaf's case type when the operator may start
that type (otherwise as a hotline matter that the dispatcher sends on), and its triage step is completed
with "dispatch". Either way the case carries the call's category and place.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cases.events import add_event
from app.cases.models import Case
from app.cases.service import Change, Whereabouts, open_tasks_of, start_case, startable_units
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import deployed_version, latest_version
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.intake.catalog import category_by_code
from app.intake.duplicates import Reporter, decision, find_duplicates, merge_report, record_kept_separate, resolve
from app.intake.knowledge import get_entry
from app.intake.models import Category, KbEntry
from app.intake.reports import coordinate
from app.intake.routing import Route, route
from app.org.models import OrgUnit, User
from app.org.permissions import can_start_in, visible_cases
from app.org.roles import DESK_ROLES
from app.tasks.service import complete_task
from app.whole_numbers import given_id

HOTLINE = "hotline_matter"
TRIAGE = "triage"
APPEAL_KINDS = {
    "consultation": _l("Consultation"),
    "complaint": _l("Complaint"),
    "request": _l("Request for help"),
    "report": _l("Report"),
    "suggestion": _l("Suggestion"),
}
PHONE = re.compile(r"^[0-9+\- ]{5,20}\Z")
ANSWER_MAX = 2000


@dataclass(frozen=True)
class Call:
    category: Category
    caller_name: str
    caller_phone: str
    appeal_kind: str
    content: str
    address: str
    latitude: float | None
    longitude: float | None

    def form_data(self) -> dict[str, Any]:
        """The hotline matter's start form (hotline_call): its `category` is the kind of appeal."""
        return {"caller_name": self.caller_name, "caller_phone": self.caller_phone, "category": self.appeal_kind,
                "content": self.content, "address": self.address}  # fmt: skip


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_category(code: str, errors: dict[str, str]) -> Category | None:
    category = category_by_code(code) if code else None
    if not code:
        errors["category"] = _("Choose a taxonomy item.")
    elif category is None:
        errors["category"] = _("Unknown taxonomy item %(code)s.", code=code)
    elif not category.is_leaf:
        errors["category"] = _("Choose a level-3 item, not a group.")
    return category


def check_call(values: Mapping[str, Any]) -> Call:
    """Every field checked at once; a ValidationError names each bad one."""
    errors: dict[str, str] = {}
    category = _check_category(_text(values, "category"), errors)
    name, phone, kind = _text(values, "caller_name"), _text(values, "caller_phone"), _text(values, "appeal_kind")
    content, address = _text(values, "content"), _text(values, "address")
    if not name or len(name) > 200:
        errors["caller_name"] = _("The caller's name is required (at most 200 characters).")
    if not PHONE.match(phone):
        errors["caller_phone"] = _("5 to 20 digits (spaces, + and - allowed).")
    if kind not in APPEAL_KINDS:
        errors["appeal_kind"] = _("Choose the kind of appeal.")
    if not 5 <= len(content) <= 2000:
        errors["content"] = _("Describe the matter in 5 to 2000 characters.")
    if not 2 <= len(address) <= 200:
        errors["address"] = _("The place is required (2 to 200 characters).")
    latitude = coordinate(values.get("latitude"), "latitude", 90, errors)
    longitude = coordinate(values.get("longitude"), "longitude", 180, errors)
    if (latitude is None) != (longitude is None) and not {"latitude", "longitude"} & errors.keys():
        errors["longitude" if longitude is None else "latitude"] = _("Give both latitude and longitude, or neither.")
    if errors or category is None:
        raise ValidationError(_("Some fields need your attention."), errors)
    return Call(category, name, phone, kind, content, address, latitude, longitude)


def _version(key: str) -> ProcessVersion:
    version = latest_version(key)
    if version is None:
        raise NotFoundError(_("No such case type."))
    return version


def case_version_for(call: Call, unit: OrgUnit, actor: User) -> ProcessVersion:
    """The leaf's case type when the operator may start it here; else the hotline matter the dispatcher sends on."""
    key = call.category.case_type or HOTLINE
    version = latest_version(key)
    if version is not None and can_start_in(actor, deployed_version(version).definition.start_lane, unit):
        return version
    return _version(HOTLINE)


def _where(call: Call, route: Route | None) -> Whereabouts:
    return Whereabouts(call.category, call.latitude, call.longitude, call.address, route)


def _triage(change: Change, data: dict[str, Any], *, actor: User, now: datetime) -> Change:
    """Complete the hotline matter's first step (answer or dispatch) as the operator who took the call."""
    triage = next((t for t in change.open_tasks if t.bpmn_id == TRIAGE), None)
    if triage is None:
        return change
    return complete_task(triage, data, actor=actor, now=now)


def create_case(call: Call, unit: OrgUnit, *, actor: User, now: datetime, route: Route | None = None) -> Change:
    version = case_version_for(call, unit, actor) if unit.is_grid else _version(HOTLINE)
    change = start_case(version, unit, call.form_data(), actor=actor, now=now, channel="hotline",
                        where=_where(call, route))  # fmt: skip
    if version.key == HOTLINE:
        change = _triage(change, {"direct_answer": False}, actor=actor, now=now)
    db.session.flush()
    return change


def answer_call(
    call: Call, entry_id: int | None, answer: str, unit: OrgUnit, *, actor: User, now: datetime,
    route: Route | None = None,
) -> Change:  # fmt: skip
    """Answer from a knowledge-base entry: the hotline matter closes at once as answered directly."""
    entry = _answer_entry(entry_id)
    text = answer.strip() or entry.body
    if len(text) > ANSWER_MAX:
        raise ValidationError(_("Some fields need your attention."),
                              {"answer": _("At most %(num)d characters.", num=ANSWER_MAX)})  # fmt: skip
    change = start_case(_version(HOTLINE), unit, call.form_data(), actor=actor, now=now, channel="hotline",
                        where=_where(call, route))  # fmt: skip
    add_event(change.case, "answered_from_knowledge", actor=actor, now=now,
              payload={"kb_entry": entry.id, "title": entry.title})  # fmt: skip
    change = _triage(change, {"direct_answer": True, "answer": text}, actor=actor, now=now)
    db.session.flush()
    return change


def _answer_entry(entry_id: int | None) -> KbEntry:
    try:
        return get_entry(entry_id or 0)
    except NotFoundError as err:
        raise ValidationError(_("Some fields need your attention."),
                              {"kb_entry": _("Choose an answer from the knowledge base.")}) from err  # fmt: skip


def desk_units(user: User) -> list[OrgUnit]:
    """The grids an operator may file a call in (the hotline matter starts in the operator's lane)."""
    return startable_units(user, "hotline_operator")


def desk_home(user: User) -> OrgUnit | None:
    """The unit where the operator takes calls: routing looks for grids below it."""
    return next((m.org_unit for m in user.memberships if m.role in DESK_ROLES), None)


def _unit_for(actor: User, code: str, call: Call | None) -> tuple[OrgUnit, Route | None]:
    """The operator's chosen grid; or, with none chosen, the grid routing finds (else the triage queue)."""
    home = desk_home(actor)
    unit = next((u for u in desk_units(actor) if u.code == code), None) if code else None
    if (code and unit is None) or home is None:
        raise ValidationError(_("Some fields need your attention."), {"org_unit": _("Choose a grid of your area.")})
    if unit is not None or call is None:
        return unit or home, None
    found = route(latitude=call.latitude, longitude=call.longitude, address=call.address, within=home)
    return found.unit, found


def take_call(values: Mapping[str, Any], action: str, *, actor: User, now: datetime) -> Change:
    """action "answer" (from values["kb_entry"]) or "create"; every bad field is named at once."""
    errors: dict[str, str] = {}
    call: Call | None = None
    unit: OrgUnit | None = None
    found: Route | None = None
    try:
        call = check_call(values)
    except ValidationError as err:
        errors.update(err.fields)
    try:
        unit, found = _unit_for(actor, _text(values, "org_unit"), call)
    except ValidationError as err:
        errors.update(err.fields)
    if action not in ("answer", "create"):
        errors["action"] = _("Must be answer or create.")
    if errors or call is None or unit is None:
        raise ValidationError(_("Some fields need your attention."), errors)
    if action == "answer":
        entry = values.get("kb_entry")
        entry_id = given_id(entry)
        return answer_call(call, entry_id, _text(values, "answer"), unit, actor=actor, now=now, route=found)
    return _create_or_merge(call, unit, values, actor=actor, now=now, route=found)


def _create_or_merge(
    call: Call, unit: OrgUnit, values: Mapping[str, Any], *, actor: User, now: datetime, route: Route | None
) -> Change:
    """Flag open cases of the category nearby; merge the caller into the chosen one, or create (kept separate)."""
    merge_into, keep_separate = decision(values)
    near = find_duplicates(actor, category_id=call.category.id, latitude=call.latitude, longitude=call.longitude,
                           now=now)  # fmt: skip
    target = resolve(near, merge_into, keep_separate)
    if target is not None:
        reporter = Reporter(call.caller_name, call.caller_phone, None, "hotline", call.content)
        merge_report(target, reporter, actor=actor, now=now)
        return Change(case=target, opened=[], open_tasks=open_tasks_of(target))
    change = create_case(call, unit, actor=actor, now=now, route=route)
    record_kept_separate(change.case, near, actor=actor, now=now)
    return change


def previous_calls(user: User, phone: str, *, limit: int = 20) -> list[Case]:
    """Earlier hotline matters from this phone number in the user's area, newest first."""
    phone = phone.strip()
    if not PHONE.match(phone):
        return []
    stmt = (
        visible_cases(user)
        .where(Case.case_type == HOTLINE, Case.data["caller_phone"].as_string() == phone)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def leaves() -> list[Category]:
    return list(db.session.scalars(select(Category).where(Category.level == 3, Category.active.is_(True))
                                   .order_by(Category.code)))  # fmt: skip
