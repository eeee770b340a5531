"""Visits: log one, list a record's visits, and the due list by each resident's visit frequency."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.date_range import in_years, out_of_range
from app.errors import ValidationError
from app.extensions import db
from app.org.models import User
from app.org.permissions import visible_residents, writable_grids
from app.registers.models import Building, MarketEntity, Resident, SpecialGroup, Visit

DUE_SOON = timedelta(days=7)  # the due list also shows visits falling due within a week


@dataclass(frozen=True)
class DueVisit:
    resident: Resident
    last_visit: date | None
    due_on: date
    overdue: bool


def log_visit(subject: Resident | MarketEntity | Building, visited_on: date | None, note: str, *, actor: User,
              now: datetime) -> Visit:  # fmt: skip
    if isinstance(subject, Building) or (isinstance(subject, Resident) and subject.special_group is SpecialGroup.NONE):
        raise ValidationError(_("This record needs no visits."))
    today = now.date()
    visited_on = visited_on or today
    if not in_years(visited_on):
        raise out_of_range("visited_on")
    if visited_on > today:
        raise ValidationError(_("Some fields need your attention."),
                              {"visited_on": _("The date may not lie in the future.")})  # fmt: skip
    if len(note) > 2000:
        raise ValidationError(_("Some fields need your attention."),
                              {"note": _("At most %(num)d characters.", num=2000)})  # fmt: skip
    visit = Visit(visited_on=visited_on, note=note.strip(), visitor_id=actor.id, logged_at=now)
    if isinstance(subject, Resident):
        visit.resident_id = subject.id
    else:
        visit.entity_id = subject.id
    db.session.add(visit)
    db.session.flush()
    return visit


def visits_of(subject: Resident | MarketEntity | Building) -> list[Visit]:
    if isinstance(subject, Building):
        return []
    column = Visit.resident_id if isinstance(subject, Resident) else Visit.entity_id
    stmt = select(Visit).where(column == subject.id).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return list(db.session.scalars(stmt))


def due_visits(user: User, *, now: datetime) -> list[DueVisit]:
    """Special-group residents of the grids `user` keeps whose next visit is due within DUE_SOON."""
    last = (
        select(Visit.resident_id, func.max(Visit.visited_on).label("last"))
        .where(Visit.resident_id.is_not(None))
        .group_by(Visit.resident_id)
        .subquery()
    )
    grid_ids = select(writable_grids(user).subquery().c.id)
    stmt = (
        visible_residents(user)
        .add_columns(last.c.last)
        .outerjoin(last, last.c.resident_id == Resident.id)
        .where(Resident.special_group != SpecialGroup.NONE, Resident.visit_every_days.is_not(None))
        .where(Resident.org_unit_id.in_(grid_ids))
    )
    today = now.date()
    due = []
    for resident, last_visit in db.session.execute(stmt):
        start = last_visit or resident.created_at.date()
        due_on = start + timedelta(days=resident.visit_every_days or 0) if last_visit else start
        if due_on <= today + DUE_SOON:
            due.append(DueVisit(resident, last_visit, due_on, due_on < today))
    return sorted(due, key=lambda d: (d.due_on, d.resident.name))
