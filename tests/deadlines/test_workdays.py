"""Deadline math: pure functions over a working calendar."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.calendars.defaults import official_days
from app.calendars.workdays import WorkCalendar, parse_office_hours
from app.engine.durations import Duration, parse_duration, parse_ratio

CST = ZoneInfo("Asia/Shanghai")
OFFICIAL_2026 = {day: workday for day, workday, _ in official_days(2026)}
CAL = WorkCalendar(overrides={**OFFICIAL_2026, **{day: workday for day, workday, _ in official_days(2027)}})


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def due(start: datetime, limit: str) -> datetime:
    return CAL.due_at(start.astimezone(UTC), parse_duration(limit)).astimezone(CST)


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        # natural time ignores the calendar
        (local(2026, 11, 27, 16, 0), "4 hours", local(2026, 11, 27, 20, 0)),
        (local(2026, 12, 31, 23, 50), "30 minutes", local(2027, 1, 1, 0, 20)),
        (local(2026, 11, 27, 16, 0), "P2D", local(2026, 11, 29, 16, 0)),
        # working hours: office hours 08:30-12:00, 14:00-17:30, Monday to Friday
        (local(2026, 11, 26, 10, 30), "2 working hours", local(2026, 11, 26, 14, 30)),  # over the lunch break
        (local(2026, 11, 26, 10, 0), "2 working hours", local(2026, 11, 26, 12, 0)),  # ends as the morning ends
        (local(2026, 11, 27, 17, 0), "2 working hours", local(2026, 11, 30, 10, 0)),  # Friday evening -> Monday
        (local(2026, 11, 28, 9, 0), "1 working hour", local(2026, 11, 30, 9, 30)),  # Saturday -> Monday opening
        (local(2026, 11, 26, 7, 0), "30 working minutes", local(2026, 11, 26, 9, 0)),  # before opening
        # working days end at the close of the N-th working day after the opening day
        (local(2026, 11, 26, 10, 0), "2 working days", local(2026, 11, 30, 17, 30)),  # Thu -> Mon
        (local(2026, 11, 27, 23, 0), "1 working day", local(2026, 11, 30, 17, 30)),  # Fri night -> Mon
        (local(2026, 12, 30, 10, 0), "2 working days", local(2027, 1, 4, 17, 30)),  # 1 Jan: fixed holiday in 2027 too
        # holidays and make-up working days (调休), 2026 official schedule
        (local(2026, 9, 30, 10, 0), "1 working day", local(2026, 10, 8, 17, 30)),  # National Day week
        (local(2026, 10, 9, 10, 0), "1 working day", local(2026, 10, 10, 17, 30)),  # Saturday 10 Oct is a working day
        (local(2026, 2, 13, 10, 0), "1 working day", local(2026, 2, 14, 17, 30)),  # Saturday 14 Feb is a working day
        (local(2026, 2, 14, 10, 0), "1 working day", local(2026, 2, 24, 17, 30)),  # Spring Festival 15-23 Feb
        (local(2026, 4, 30, 17, 0), "2 working hours", local(2026, 5, 6, 10, 0)),  # Labour Day 1-5 May
        # month and year ends
        (local(2026, 1, 30, 16, 0), "2 working days", local(2026, 2, 3, 17, 30)),
        (local(2026, 12, 31, 17, 0), "1 working hour", local(2027, 1, 4, 9, 0)),  # over New Year's weekend
    ],
)
def test_due_at(start: datetime, limit: str, expected: datetime) -> None:
    assert due(start, limit) == expected


def test_half_working_days_count_office_minutes() -> None:
    assert due(local(2026, 11, 26, 8, 30), "0.5 working days") == local(2026, 11, 26, 12, 0)  # 3.5 of 7 hours


def test_warning_comes_at_the_share_of_working_time() -> None:
    start = local(2026, 11, 27, 17, 0).astimezone(UTC)  # Friday 17:00: half an hour, then Monday from 08:30
    limit = parse_duration("4 working hours")
    due_at = CAL.due_at(start, limit)
    assert due_at.astimezone(CST) == local(2026, 11, 30, 12, 0)
    assert CAL.warn_at(start, due_at, limit, 0.75).astimezone(CST) == local(2026, 11, 30, 11, 0)
    natural = parse_duration("4 hours")
    assert CAL.warn_at(start, CAL.due_at(start, natural), natural, 0.5).astimezone(CST) == local(2026, 11, 27, 19, 0)


def test_office_hours_are_configurable() -> None:
    calendar = WorkCalendar(periods=parse_office_hours("09:00-17:00"))
    assert calendar.office_minutes_per_day() == 480
    assert calendar.due_at(local(2026, 11, 26, 16, 0).astimezone(UTC), Duration(2, "hours", working=True)).astimezone(
        CST
    ) == local(2026, 11, 27, 10, 0)
    with pytest.raises(ValueError, match="end before they start"):
        parse_office_hours("17:00-09:00")


def test_a_calendar_without_working_days_is_refused() -> None:
    never = WorkCalendar(
        overrides=dict.fromkeys(
            (
                date(2026, 1, 1).fromordinal(n)
                for n in range(date(2026, 1, 1).toordinal(), date(2030, 1, 1).toordinal())
            ),
            False,
        )
    )
    with pytest.raises(ValueError, match="no working day"):
        never.due_at(local(2026, 11, 26).astimezone(UTC), Duration(1, "days", working=True))


def test_official_schedule_is_known_for_2026() -> None:
    assert OFFICIAL_2026[date(2026, 10, 1)] is False
    assert OFFICIAL_2026[date(2026, 9, 20)] is True  # a Sunday made a working day
    assert official_days(2031) == [(date(2031, 1, 1), False, "元旦"), (date(2031, 5, 1), False, "劳动节"),
                                   (date(2031, 10, 1), False, "国庆节"), (date(2031, 10, 2), False, "国庆节"),
                                   (date(2031, 10, 3), False, "国庆节")]  # fmt: skip


@pytest.mark.parametrize("text", ["soon", "0 days", "2 weeks", "PT", "-1 hours"])
def test_bad_time_limits_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="time limit"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "ratio"), [("75%", 0.75), (" 50 % ", 0.5)])
def test_warning_ratios(text: str, ratio: float) -> None:
    assert parse_ratio(text) == ratio
    with pytest.raises(ValueError, match="warning threshold"):
        parse_ratio("100%")


def test_times_are_aware_utc() -> None:
    result = CAL.due_at(datetime(2026, 11, 26, 2, 0, tzinfo=UTC), parse_duration("1 working hour"))
    assert result.tzinfo is not None and result.utcoffset() == UTC.utcoffset(None)
    assert result.astimezone(CST).time() == time(11, 0)
