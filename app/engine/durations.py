"""Time limits as designers write them: "2 working days", "4 hours", "2个工作日", "PT30M"; and timer values."""

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

UNITS = ("minutes", "hours", "days")
_WORDS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes", "分钟": "minutes",
    "hour": "hours", "hours": "hours", "h": "hours", "小时": "hours",
    "day": "days", "days": "days", "d": "days", "天": "days", "日": "days",
}  # fmt: skip
_PLAIN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(个)?\s*(working|工作)?\s*([a-z]+|分钟|小时|天|日)\s*$", re.IGNORECASE)
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

# The longest wait a diagram may set, as a deadline or a timer: ten years. Real time limits run from minutes to
# months; anything longer is a slip (an extra digit, a unit mixed up) that deployed fine and then failed every
# case at run time, when the date arithmetic overflowed or the working calendar ran out.
MAX_DAYS = 3660
# The same ten years counted in working time: 261 working days a year (five-day weeks), and those days at eight
# office hours. app/calendars/workdays.py searches the calendar far enough to place any of these.
MAX_WORKING_DAYS = 2610
MAX_WORKING_HOURS = MAX_WORKING_DAYS * 8
# Months and years in a timer's duration are counted from this day to weigh them against MAX_DAYS; at run time they
# count from when the timer starts, a day or two more or less.
_TIMER_REFERENCE = datetime(2001, 1, 1, tzinfo=UTC)
# The fewest days each part of an ISO 8601 duration can span (a year, a month at their shortest).
_LEAST_DAYS = {"years": 365, "months": 28, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
               "seconds": 1 / 86400}  # fmt: skip


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str  # minutes | hours | days
    working: bool = False  # count only working time (calendar and office hours)

    @property
    def minutes(self) -> float:
        return self.amount * {"minutes": 1, "hours": 60, "days": 24 * 60}[self.unit]


def parse_duration(text: str, *, bounded: bool = True) -> Duration:
    """Raise ValueError with a reason a designer can act on. `bounded=False` (a version deployed before the bounds
    came, compiled again) leaves out the longest-wait check: its running cases still load."""
    value = text.strip()
    iso = _parse_iso(value.upper()) if value.upper().startswith("P") else None
    if iso is not None:
        return _within_bounds(text, iso) if bounded else iso
    plain = _PLAIN.match(value)
    unit = _WORDS.get((plain.group(4) or "").lower()) if plain else None
    if plain is None or unit is None:
        raise ValueError(f"'{text}' is not a time limit (write e.g. '2 working days', '4 hours', '30 minutes', 'PT4H')")
    amount = float(plain.group(1))
    if amount <= 0:
        raise ValueError(f"'{text}': a time limit must be more than zero")
    limit = Duration(amount, unit, working=bool(plain.group(3)))
    return _within_bounds(text, limit) if bounded else limit


def _parse_iso(value: str) -> Duration | None:
    iso = _ISO.match(value)
    # float, not int: a string of thousands of digits reads as infinity (refused as too long), not as an error.
    days, hours, minutes = (float(g) if g else 0.0 for g in iso.groups()) if iso else (0.0, 0.0, 0.0)
    if days and (hours or minutes):
        return Duration(days * 24 * 60 + hours * 60 + minutes, "minutes")
    if days:
        return Duration(days, "days")
    if hours and not minutes:
        return Duration(hours, "hours")
    if hours or minutes:
        return Duration(hours * 60 + minutes, "minutes")
    return None


def _within_bounds(text: str, limit: Duration) -> Duration:
    if limit.working and limit.unit == "days":
        amount, most, allowed = limit.amount, float(MAX_WORKING_DAYS), f"{MAX_WORKING_DAYS} working days"
    elif limit.working:
        amount, most, allowed = limit.minutes, MAX_WORKING_HOURS * 60.0, f"{MAX_WORKING_HOURS} working hours"
    else:
        amount, most, allowed = limit.minutes, MAX_DAYS * 24 * 60.0, f"{MAX_DAYS} days"
    if not amount <= most:  # `not <=`: infinity is refused too
        raise ValueError(f"'{_shown(text)}' is too long: a time limit may be at most {allowed} (about ten years)")
    return limit


def parse_ratio(text: str) -> float:
    """'75%' -> 0.75; raise ValueError otherwise."""
    match = _PERCENT.match(text)
    if match is None or not 0 < float(match.group(1)) < 100:
        raise ValueError(f"'{text}' is not a warning threshold (write a percentage between 0 and 100, e.g. '75%')")
    return float(match.group(1)) / 100


def check_timer_value(source: str, kind: str, *, now: datetime) -> None:
    """A timer's `timeDuration` or `timeDate` expression (`kind`), already passed by the sandbox: when it is a
    constant, raise ValueError unless it is what SpiffWorkflow reads when the timer starts (app/engine/clock.py):
    an ISO 8601 duration of more than zero and at most MAX_DAYS, or a date-time at most MAX_DAYS after `now`.
    An expression over case data is only known at run time and is left alone.
    """
    try:
        value = ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return  # not a constant
    if kind == "timeDuration":
        _check_timer_duration(value)
    else:
        _check_timer_date(value, now)


def _check_timer_duration(value: object) -> None:
    wanted = 'an ISO 8601 duration in quotes, e.g. "P7D" or "PT4H"'
    parts = _spiff_reads(TimerEventDefinition.parse_iso_duration, value)
    if not isinstance(parts, dict):
        raise ValueError(f"{_shown(repr(value))} is not {wanted}")
    at_least = sum(days * parts.get(unit, 0) for unit, days in _LEAST_DAYS.items())
    too_long = f"{_shown(repr(value))} is too long: a timer may wait at most {MAX_DAYS} days (about ten years)"
    if at_least > MAX_DAYS:  # before adding it up month by month, which a huge number of months would make slow
        raise ValueError(too_long)
    span = TimerEventDefinition.get_timedelta_from_start(dict(parts), _TIMER_REFERENCE)
    if span <= timedelta(0):
        raise ValueError(f"{_shown(repr(value))}: a timer's duration must be more than zero")
    if span > timedelta(days=MAX_DAYS):
        raise ValueError(too_long)


def _check_timer_date(value: object, now: datetime) -> None:
    when = _spiff_reads(TimerEventDefinition.parse_time_or_duration, value)
    if not isinstance(when, datetime):
        wanted = 'an ISO 8601 date-time in quotes, e.g. "2026-12-31T17:30:00+08:00"'
        raise ValueError(f"{_shown(repr(value))} is not {wanted}")
    # Only a bound ahead of `now`: a date already past fires at once, and refusing it would refuse the same
    # diagram again when a stored version is compiled anew (app/casetypes/registry.py) after that date.
    if when > now + timedelta(days=MAX_DAYS):
        raise ValueError(f"{_shown(repr(value))} is too far ahead: a timer may wait at most {MAX_DAYS} days")


def _spiff_reads(parse: Callable[[str], object], value: object) -> object:
    """What SpiffWorkflow makes of a timer's value, or None where it would fail at run time."""
    if not isinstance(value, str):
        return None
    try:
        result: object = parse(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception for a malformed duration
        return None
    return result


def _shown(text: str, most: int = 60) -> str:
    return text if len(text) <= most else f"{text[: most - 3]}..."
