"""The one source of 'now' (aware UTC); services take it as a parameter. And the county's own day of an instant."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_day(at: datetime) -> date:
    """The day an instant falls on in the county (GRIDCASE_TIMEZONE): reporting periods and case numbers use it."""
    return at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
