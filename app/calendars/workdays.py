"""Deadline arithmetic over a working calendar: pure functions, no database, no request.

Rules (documented in processes/README.md):
- natural limits ("4 hours", "PT30M", "5 days") count wall-clock time;
- "N working hours/minutes" count only office hours on working days;
- "N working days" end at the close of office hours on the N-th working day after
  the day the task opened (the opening day never counts);
- the warning comes when `ratio` of the time (working time for working limits) is used.

A limit the calendar cannot place raises DeadlineError, a domain error (and a ValueError, as it always was): the
step that opens the task is refused with 422 and nothing is saved, where an OverflowError was a 500.
"""

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.engine.durations import MAX_DAYS, Duration
from app.errors import DomainError

# A calendar with no working day in three years is a mistake, not a deadline: a search gives up this many days
# after where a calendar of five-day weeks would have placed the deadline (it counts each working day as two
# calendar days, so holidays and make-up days never make it give up early)...
MAX_DAYS_SEARCHED = 3 * 366
# ... and never searches further than this: twice the longest limit a diagram may set (app/engine/durations.py,
# ten years) and the three years. Any limit the designer's lint lets through is placed on a calendar with office
# days of four hours or more; one of a few minutes a day gives up (DeadlineError) rather than walk centuries.
MAX_SEARCH = 2 * MAX_DAYS + MAX_DAYS_SEARCHED


class DeadlineError(DomainError, ValueError):
    """A time limit this calendar cannot place: the case's step is refused (as app/cases/service.py's
    ProcessError is, which cannot be imported here: that module imports this one)."""

    status, code = 422, "process_error"


HH_MM = r"(?:[01]\d|2[0-3]):[0-5]\d"
OFFICE_PERIOD = re.compile(rf"^({HH_MM})-({HH_MM})\Z")  # one period of office hours


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """'08:30-12:00,14:00-17:30' -> ((08:30, 12:00), (14:00, 17:30)); ValueError unless every part is an
    HH:MM-HH:MM period (24-hour clock) ending after it starts, and no two overlap. app/config.py checks the setting
    with it when the app starts."""
    periods = []
    for part in text.split(","):
        found = OFFICE_PERIOD.match(part.strip())
        if found is None:
            raise ValueError(f"office hours '{part}' are not HH:MM-HH:MM")
        start, end = time.fromisoformat(found[1]), time.fromisoformat(found[2])
        if end <= start:
            raise ValueError(f"office hours '{part}' end before they start")
        periods.append((start, end))
    ordered = tuple(sorted(periods))
    if any(earlier[1] > later[0] for earlier, later in pairwise(ordered)):
        raise ValueError(f"office hours '{text}' overlap")
    return ordered


@dataclass(frozen=True)
class WorkCalendar:
    overrides: Mapping[date, bool] = field(default_factory=dict)  # date -> is it a working day
    periods: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    # Each day's office hours as UTC instants, worked out once per calendar: the calendar is kept per process
    # (app/calendars/service.py), and every task with a deadline walks the same few days.
    _day_segments: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def is_workday(self, day: date) -> bool:
        return self.overrides.get(day, day.weekday() < 5)

    def due_at(self, start: datetime, limit: Duration) -> datetime:
        with _placing():
            return self._due_at(start, limit)

    def warn_at(self, start: datetime, due: datetime, limit: Duration, ratio: float) -> datetime:
        with _placing():
            if not limit.working:
                return start + (due - start) * ratio
            return self.add_working_minutes(start, self.working_minutes_between(start, due) * ratio)

    def _due_at(self, start: datetime, limit: Duration) -> datetime:
        if not limit.working:
            return start + timedelta(minutes=limit.minutes)
        if limit.unit == "days" and float(limit.amount).is_integer():
            return self._end_of_nth_workday(start, int(limit.amount))
        minutes = limit.amount * self.office_minutes_per_day() if limit.unit == "days" else limit.minutes
        return self.add_working_minutes(start, minutes)

    def office_minutes_per_day(self) -> float:
        return sum(_minutes(end) - _minutes(start) for start, end in self.periods)

    def _segments(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        found = self._day_segments.get(day)
        if found is None:
            found = self._day_segments[day] = (
                tuple(
                    (
                        datetime.combine(day, s, self.tz).astimezone(UTC),
                        datetime.combine(day, e, self.tz).astimezone(UTC),
                    )
                    for s, e in self.periods
                )
                if self.is_workday(day)
                else ()
            )
        return found

    def _days_from(self, start: datetime, count: float) -> Iterator[date]:
        """`count` days from `start`'s own, lazily: a deadline usually ends within days, not the years allowed."""
        first = start.astimezone(self.tz).date()
        count = min(count, MAX_SEARCH, date.max.toordinal() - first.toordinal())
        return (first + timedelta(days=n) for n in range(int(count)))

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        left = timedelta(minutes=minutes)
        cursor = start
        days = 2 * minutes / max(self.office_minutes_per_day(), 1) + MAX_DAYS_SEARCHED
        for day in self._days_from(start, days):
            for seg_start, seg_end in self._segments(day):
                begin = max(cursor, seg_start)
                if begin >= seg_end:
                    continue
                if begin + left <= seg_end:
                    return begin + left
                left -= seg_end - begin
                cursor = seg_end
        raise DeadlineError(_("The working calendar has no working time for this step's time limit."))

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        total = timedelta()
        for day in self._days_from(start, (end - start).days + 2):
            segments = self._segments(day)
            if datetime.combine(day, time(0), self.tz) > end:
                break
            for seg_start, seg_end in segments:
                overlap = min(end, seg_end) - max(start, seg_start)
                if overlap > timedelta():
                    total += overlap
        return total.total_seconds() / 60

    def _end_of_nth_workday(self, start: datetime, n: int) -> datetime:
        seen = 0
        for day in islice(self._days_from(start, 2 * n + MAX_DAYS_SEARCHED), 1, None):
            if self.is_workday(day):
                seen += 1
                if seen == n:
                    return self._segments(day)[-1][1]
        raise DeadlineError(_("The working calendar has no working day for this step's time limit."))


@contextmanager
def _placing() -> Iterator[None]:
    """A limit or a start so far out that dates run past year 9999 is a limit this calendar cannot place."""
    try:
        yield
    except DeadlineError:
        raise
    except (OverflowError, ValueError) as err:
        raise DeadlineError(_("This step's time limit cannot be placed on the working calendar.")) from err


def _minutes(value: time) -> float:
    return value.hour * 60 + value.minute
