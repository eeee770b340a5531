"""Duplicate reports (重复件): a new report of the same category near an open case, recently, is flagged.

The database narrows the candidates with a latitude/longitude box around the point (an index-friendly
range test on both backends); the exact great-circle distance (haversine) is then checked in Python on
those few rows. The operator or dispatcher then merges the report into the open case (its reporter is
added and told of the outcome) or keeps it separate; either choice is recorded in the case history.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.cases.events import add_event
from app.cases.models import Case, CaseStatus
from app.errors import ConflictError, DomainError, ValidationError
from app.extensions import db
from app.intake.models import CaseReporter
from app.org.models import User
from app.org.permissions import visible_cases
from app.whole_numbers import given_id

EARTH_RADIUS_M = 6_371_008.8
METERS_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Near:
    case: Case
    meters: float


@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str | None
    user: User | None
    channel: str
    content: str = ""


class DuplicateFound(DomainError):
    """A report close to open cases of its category: the client decides (merge or keep separate)."""

    status, code = 409, "duplicate"

    def __init__(self, candidates: list[Near]) -> None:
        super().__init__(_("This looks like a case already open nearby: merge it or keep it separate."))
        self.candidates = candidates


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def settings() -> tuple[float, float]:
    return float(current_app.config["GRIDCASE_DUPLICATE_METERS"]), float(current_app.config["GRIDCASE_DUPLICATE_HOURS"])


def find_duplicates(
    user: User, *, category_id: int | None, latitude: float | None, longitude: float | None, now: datetime
) -> list[Near]:
    """Open cases the user can see, of this category, within the configured distance and time, nearest first."""
    if category_id is None or latitude is None or longitude is None:
        return []
    meters, hours = settings()
    dlat = meters / METERS_PER_DEGREE * 1.01  # a whisker wider: the exact test below decides
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    stmt = visible_cases(user).where(
        Case.status == CaseStatus.OPEN,
        Case.category_id == category_id,
        Case.opened_at >= now - timedelta(hours=hours),
        Case.latitude.between(latitude - dlat, latitude + dlat),
        Case.longitude.between(longitude - dlon, longitude + dlon),
    )
    found = []
    for case in db.session.scalars(stmt.limit(MAX_CANDIDATES)):
        distance = haversine_m(latitude, longitude, case.latitude or 0.0, case.longitude or 0.0)
        if distance <= meters:
            found.append(Near(case, distance))
    return sorted(found, key=lambda near: (near.meters, near.case.id))


def decision(values: Any) -> tuple[int | None, bool]:
    """(case id to merge into, keep separate) from a form or JSON body."""
    raw = values.get("duplicate_of")
    merge_into = given_id(raw.strip() if isinstance(raw, str) else raw)
    if raw not in (None, "") and merge_into is None:
        raise ValidationError(_("Some fields need your attention."), {"duplicate_of": _("A case id.")})
    return merge_into, str(values.get("keep_separate", "")).lower() in ("1", "true", "yes", "on")


def resolve(candidates: list[Near], merge_into: int | None, keep_separate: bool) -> Case | None:
    """The case to merge into, None to go on and create; DuplicateFound when undecided."""
    if merge_into is not None:
        target = next((near.case for near in candidates if near.case.id == merge_into), None)
        if target is None:
            raise ValidationError(_("Some fields need your attention."),
                                  {"duplicate_of": _("Not one of the open cases flagged as duplicates.")})  # fmt: skip
        return target
    if candidates and not keep_separate:
        raise DuplicateFound(candidates)
    return None


def merge_report(case: Case, reporter: Reporter, *, actor: User, now: datetime) -> CaseReporter:
    """Add the new report's reporter to the open case; they hear of its outcome when it closes."""
    if case.status is not CaseStatus.OPEN:
        raise ConflictError(_("This case is no longer open."))
    row = CaseReporter(case_id=case.id, user_id=reporter.user.id if reporter.user else None, user=reporter.user,
                       name=reporter.name[:200], phone=reporter.phone, channel=reporter.channel[:32],
                       content=reporter.content[:2000], added_at=now, added_by_id=actor.id)  # fmt: skip
    db.session.add(row)
    add_event(case, "reporter_added", actor=actor, now=now,
              payload={"caller_name": reporter.name, "caller_phone": reporter.phone or "",
                       "channel": reporter.channel, "content": reporter.content[:2000]})  # fmt: skip
    db.session.flush()
    return row


def record_kept_separate(case: Case, candidates: list[Near], *, actor: User, now: datetime) -> None:
    if candidates:
        add_event(case, "duplicate_kept_separate", actor=actor, now=now,
                  payload={"near": [near.case.number for near in candidates]})  # fmt: skip


def candidates_json(candidates: list[Near]) -> list[dict[str, Any]]:
    return [{"id": n.case.id, "number": n.case.number, "title": n.case.title, "meters": round(n.meters, 1),
             "opened_at": n.case.opened_at.isoformat()} for n in candidates]  # fmt: skip


def duplicate_json(found: DuplicateFound) -> dict[str, Any]:
    """The 409 answer: the error shape, plus the flagged cases; repeat with duplicate_of or keep_separate."""
    fields = {"duplicate_of": _("Merge into one of these cases, or keep_separate.")}
    return {"error": {"code": found.code, "message": found.message, "fields": fields,
                      "candidates": candidates_json(found.candidates)}}  # fmt: skip
