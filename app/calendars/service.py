"""The working calendar as data: read it for deadline math, edit it, load official defaults."""

import time
from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import event, extract, select
from sqlalchemy.orm import Session

from app.calendars.defaults import official_days
from app.calendars.models import CalendarDay
from app.calendars.workdays import WorkCalendar, parse_office_hours
from app.extensions import db

_CACHE = "gridcase_calendar"  # app.extensions: (read at, monotonic seconds; the calendar)
_EDITED = "gridcase_calendar_edited"  # session.info: this transaction changed the calendar


def work_calendar() -> WorkCalendar:
    """The calendar in force: every stored day (a few dozen a year) plus office hours from the settings.

    Every task with a deadline needs it, so each process keeps the one it read for
    GRIDCASE_CALENDAR_CACHE_SECONDS. An edit clears it in the editing process when
    committed (other processes follow within that time); the editing transaction itself
    always reads its own, uncommitted, days.
    """
    cached = current_app.extensions.get(_CACHE)
    ttl = current_app.config["GRIDCASE_CALENDAR_CACHE_SECONDS"]
    if cached is not None and time.monotonic() - cached[0] < ttl and not db.session.info.get(_EDITED):
        return cast(WorkCalendar, cached[1])
    read_at = time.monotonic()
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).tuples().all()
    calendar = WorkCalendar(
        overrides=dict(rows),
        periods=parse_office_hours(current_app.config["GRIDCASE_OFFICE_HOURS"]),
        tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
    )
    if not db.session.info.get(_EDITED):
        current_app.extensions[_CACHE] = (read_at, calendar)
    return calendar


def forget_calendar() -> None:
    """Drop this process's cached calendar (after an edit, or when the database was reset under it)."""
    current_app.extensions.pop(_CACHE, None)


def _edited() -> None:
    db.session.info[_EDITED] = True
    forget_calendar()


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    """Committed or not, an edit's transaction is over: the next reader reads the days afresh."""
    if transaction.parent is None and session.info.pop(_EDITED, False) and has_app_context():
        forget_calendar()


def days_of_year(year: int) -> list[CalendarDay]:
    stmt = select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
    return list(db.session.scalars(stmt))


def set_day(day: date, *, is_workday: bool, name: str) -> CalendarDay:
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, is_workday=is_workday, name=name)
        db.session.add(row)
    row.is_workday, row.name = is_workday, name
    db.session.flush()
    _edited()
    return row


def delete_day(day: date) -> bool:
    row = db.session.get(CalendarDay, day)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        _edited()
    return row is not None


def load_official_days(year: int) -> int:
    """Add the official schedule for `year`, keeping days an admin already set; returns how many were added."""
    added = 0
    for day, is_workday, name in official_days(year):
        if db.session.get(CalendarDay, day) is None:
            db.session.add(CalendarDay(day=day, is_workday=is_workday, name=name))
            added += 1
    db.session.flush()
    if added:
        _edited()
    return added
