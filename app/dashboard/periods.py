"""Reporting periods: local calendar dates turned into half-open UTC instants.

The arithmetic here (the week or month around a day, periods back for a trend, the local midnight after the last
day in UTC) needs room either side of Python's calendar: dates from requests are therefore kept within the years of
app/date_range.py where they are parsed (app/dashboard/params.py), never at years 1 or 9999.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_KINDS = ("day", "week", "month", "quarter", "year", "custom")
MAX_DAYS = 3660  # ten years: longer ranges are a typo, not a report


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both local dates included."""

    first: date
    last: date

    def instants(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in aware UTC: local midnight of `first` to local midnight after `last`."""
        start = datetime.combine(self.first, time(), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        return start, end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, anchor: date) -> Period:
    """The day, ISO week, month, quarter or year containing `anchor`."""
    if kind == "day":
        return Period(anchor, anchor)
    if kind == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(monday, monday + timedelta(days=6))
    if kind == "month":
        first = anchor.replace(day=1)
        return Period(first, _add_months(first, 1) - timedelta(days=1))
    if kind == "quarter":
        first = date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1)
        return Period(first, _add_months(first, 3) - timedelta(days=1))
    if kind == "year":
        return Period(date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    raise ValueError(kind)


def previous_periods(kind: str, anchor: date, count: int) -> list[Period]:
    """`count` consecutive periods of `kind` ending with the one containing `anchor`, oldest first."""
    periods = [period_of(kind, anchor)]
    while len(periods) < count:
        periods.append(period_of(kind, periods[-1].first - timedelta(days=1)))
    return periods[::-1]
