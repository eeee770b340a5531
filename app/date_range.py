"""The dates the app accepts from users, defined once: the years 2000 to 2100.

That is the working calendar's range (app/calendars/views.py shows and edits holidays for those years), so every day a user
can report on, filter by or set as a deadline is one whose workdays the app can know. A date outside it is a typo
(0226 for 2026) or a probe; at Python's own edges (years 1 and 9999) the arithmetic behind it — the week or month
around a day, twelve periods back for a trend, a time-zone offset either side, the UTC instant stored — would leave
the calendar and fail as a 500. The range leaves decades of room for all of that.

Each check raises the app's 422 ValidationError naming the parameter or field.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import TypeVar

from flask_babel import gettext as _

from app.errors import ValidationError

FIRST_YEAR, LAST_YEAR = 2000, 2100
Day = TypeVar("Day", bound=date)  # a date or a datetime


def out_of_range(name: str) -> ValidationError:
    """The 422 for a date, month or date-time of parameter or field `name` outside the accepted years."""
    return ValidationError(_("Some fields need your attention."), {name: outside_years()})


def outside_years() -> str:
    return str(_("Must be within the years %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))


def in_years(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def checked_year(year: int, name: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise out_of_range(name)
    return year


def checked_day(day: Day, name: str) -> Day:
    """`day` if it lies in the accepted years (a datetime: by its own, local date, before any conversion to UTC)."""
    checked_year(day.year, name)
    return day


def checked_datetime(value: datetime | None, name: str) -> datetime | None:
    """An optional date-time, by its own (local) date: None passes, since the field is optional."""
    return None if value is None else checked_day(value, name)


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD request value: None when empty; ValueError when it is not a date (the caller decides whether that
    is a 422 or a bound to ignore); the 422 naming `name` when it is outside the accepted years."""
    text = (value or "").strip()
    return checked_day(date.fromisoformat(text), name) if text else None


def filter_day(args: Mapping[str, str], name: str) -> date | None:
    """A list's day filter `name` (`parse_day`): one that is not a date, from a hand-edited link, is ignored rather
    than failing the list; one outside the accepted years is the 422 naming the filter."""
    try:
        return parse_day(args.get(name), name)
    except ValueError:
        return None
