"""The one source of 'now' (aware UTC); services take it as a parameter. And the county's own day of an instant."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_day(at: datetime) -> date:
    """The day an instant falls on in the county (GRIDCASE_TIMEZONE): reporting periods and case numbers use it."""
    return at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def local_iso(value: datetime | None) -> str:
    """ISO 8601 at the county's offset, e.g. 2026-11-26T20:50:00+08:00 ("" for none): times a person reads in a file
    (Open311's replies, the security log's export), as the pages show them."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).isoformat(timespec="seconds")
