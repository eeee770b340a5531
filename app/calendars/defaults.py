"""Mainland China's official holiday schedule (国务院办公厅 notices), from the chinese-calendar package."""

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import holidays, workdays

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def known_years() -> set[int]:
    return {d.year for d in holidays} | {d.year for d in workdays}


# Statutory holidays with a fixed date, which hold in every year; the lunar ones and the
# make-up working days are only known once the State Council publishes the year's schedule.
FIXED_HOLIDAYS = (((1, 1), "元旦"), ((5, 1), "劳动节"), ((10, 1), "国庆节"), ((10, 2), "国庆节"), ((10, 3), "国庆节"))


def official_days(year: int) -> list[tuple[date, bool, str]]:
    """(day, is_workday, name) for each day that differs from the weekday rule.

    For a year whose schedule is not published yet, only the fixed-date holidays.
    """
    if year not in known_years():
        fixed = [(date(year, m, d), False, name) for (m, d), name in FIXED_HOLIDAYS]
        return [(day, workday, name) for day, workday, name in fixed if day.weekday() < 5]
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        weekday = day.weekday() < 5
        workday = chinese_calendar.is_workday(day)
        if workday != weekday:
            name = (holidays | workdays).get(day, "")
            days.append((day, workday, NAMES.get(name, name)))
        day += timedelta(days=1)
    return days
