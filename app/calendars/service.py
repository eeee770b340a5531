"""The working calendar as data: read it for deadline math, edit it, load official defaults."""

import time
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import extract, select

from app.calendars.defaults import official_days
from app.calendars.models import CalendarDay
from app.calendars.workdays import WorkCalendar, parse_office_hours
from app.extensions import db
from app.process_cache import ProcessCache

_CACHE: ProcessCache[WorkCalendar] = ProcessCache("calendar", "GRIDCASE_CALENDAR_CACHE_SECONDS")


def work_calendar() -> WorkCalendar:
    """The calendar in force: every stored day (a few dozen a year) plus office hours from the settings.

    Every task with a deadline needs it, so each process keeps the one it read for
    GRIDCASE_CALENDAR_CACHE_SECONDS. An edit clears it in the editing process when
    committed (other processes follow within that time); the editing transaction itself
    always reads its own, uncommitted, days.
    """
    if (cached := _CACHE.get()) is not None:
        return cached
    read_at = time.monotonic()
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).tuples().all()
    calendar = WorkCalendar(
        overrides=dict(rows),
        periods=parse_office_hours(current_app.config["GRIDCASE_OFFICE_HOURS"]),
        tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
    )
    return _CACHE.keep(calendar, since=read_at)


def forget_calendar() -> None:
    """Drop this process's cached calendar (after an edit, or when the database was reset under it)."""
    _CACHE.forget()


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
    _CACHE.edited()
    return row


def delete_day(day: date) -> bool:
    row = db.session.get(CalendarDay, day)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        _CACHE.edited()
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
        _CACHE.edited()
    return added
