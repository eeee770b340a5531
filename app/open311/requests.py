"""GET requests: Open311 cases as GeoReport service requests, without any personal data."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.cases.models import Case, CaseEvent, CaseStatus
from app.casetypes.models import ProcessVersion
from app.casetypes.names import event_step_name
from app.clock import local_iso
from app.date_range import checked_day
from app.errors import BadRequestError, NotFoundError
from app.extensions import db
from app.i18n import time_limit_text
from app.intake.catalog import category_name
from app.intake.models import Category

CHANNEL = "open311"
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
PUBLIC_EVENTS = ("started", "routed", "task_opened", "closed")
FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url")  # fmt: skip


def status_of(case: Case) -> str:
    return "open" if case.status is CaseStatus.OPEN else "closed"


def _note(event: CaseEvent | None, version: ProcessVersion) -> str:
    if event is None:
        return ""
    if event.kind == "task_opened":
        return str(_("In progress: %(step)s.", step=event_step_name(event, version) or ""))
    notes = {"started": _("Received."), "routed": _("Sent to the responsible grid."), "closed": _("Closed.")}
    return str(notes.get(event.kind, ""))


def request_json(case: Case, events: list[CaseEvent]) -> dict[str, Any]:
    received = next((e.payload for e in events if e.kind == "open311_received"), {})
    public = [e for e in events if e.kind in PUBLIC_EVENTS]
    category = case.category
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": _note(public[-1] if public else None, case.process_version),
        "service_name": category_name(category),
        "service_code": category.code if category else "",
        "description": received.get("description") or "",
        "agency_responsible": case.org_unit.name,
        "service_notice": _("Time limit: %(limit)s", limit=time_limit_text(category.time_limit))
        if category and category.time_limit
        else "",
        "requested_datetime": local_iso(case.opened_at),
        "updated_datetime": local_iso(events[-1].at if events else case.opened_at),
        "expected_datetime": local_iso(case.due_at),
        "address": case.address or "",
        "address_id": "",
        "zipcode": "",
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": received.get("media_url") or "",
    }


def _events_by_case(case_ids: list[int]) -> dict[int, list[CaseEvent]]:
    found: dict[int, list[CaseEvent]] = defaultdict(list)
    kinds = (*PUBLIC_EVENTS, "open311_received")
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        stmt = select(CaseEvent).where(CaseEvent.case_id.in_(chunk), CaseEvent.kind.in_(kinds)).order_by(CaseEvent.id)
        for event in db.session.scalars(stmt):
            found[event.case_id].append(event)
    return found


def requests_json(cases: list[Case]) -> list[dict[str, Any]]:
    events = _events_by_case([c.id for c in cases])
    return [request_json(c, events.get(c.id, [])) for c in cases]


def one_request(number: str) -> Case:
    case = db.session.scalars(select(Case).where(Case.number == number, Case.channel == CHANNEL)).first()
    if case is None:
        raise NotFoundError(_("No such service request: %(id)s", id=number))
    return case


def _date(args: Mapping[str, str], name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise BadRequestError(_("%(field)s: an ISO 8601 date and time with its offset.", field=name))
    return checked_day(value, name)  # by its own date: at years 1 and 9999 not even UTC is reachable


def _csv(args: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in (args.get(name) or "").split(",") if part.strip()]


def find_requests(args: Mapping[str, str], *, now: datetime) -> list[Case]:
    """Filters of the spec: service_request_id (others then ignored), service_code, status, start/end_date."""
    stmt: Select[tuple[Case]] = select(Case).where(Case.channel == CHANNEL)
    if ids := _csv(args, "service_request_id"):
        return list(db.session.scalars(stmt.where(Case.number.in_(ids[:MAX_RESULTS])).order_by(Case.id)))
    start, end = _date(args, "start_date"), _date(args, "end_date")
    if start is None:
        start = (end or now) - DEFAULT_SPAN
    stmt = stmt.where(Case.opened_at >= start)
    if end is not None:
        stmt = stmt.where(Case.opened_at <= end)
    if codes := _csv(args, "service_code"):
        stmt = stmt.join(Category, Category.id == Case.category_id).where(Category.code.in_(codes))
    statuses = _csv(args, "status")
    if unknown := [s for s in statuses if s not in ("open", "closed")]:
        raise BadRequestError(_("%(field)s: open or closed, not %(value)s.", field="status", value=unknown[0]))
    if statuses == ["open"]:
        stmt = stmt.where(Case.status == CaseStatus.OPEN)
    elif statuses == ["closed"]:
        stmt = stmt.where(Case.status != CaseStatus.OPEN)
    return list(db.session.scalars(stmt.order_by(Case.opened_at.desc(), Case.id.desc()).limit(MAX_RESULTS)))
