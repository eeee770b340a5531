"""flask calendar load-defaults keeps to the calendar's years (app/date_range.py)."""

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.calendars.models import CalendarDay
from app.date_range import FIRST_YEAR, LAST_YEAR
from app.extensions import db


def days_in(app: Flask, year: int) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(CalendarDay)
        return int(db.session.scalar(stmt.where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))) or 0)


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, LAST_YEAR + 1])
def test_a_year_outside_the_calendar_is_refused_naming_it_and_nothing_is_loaded(
    app: Flask, session: Any, monkeypatch: pytest.MonkeyPatch, year: int
) -> None:
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")  # the message as written, translated or not
    before = days_in(app, 2027)
    result = app.test_cli_runner().invoke(args=["calendar", "load-defaults", "2027", str(year)])
    assert result.exit_code == 2, result.output
    assert f"{year} is outside the calendar's years, {FIRST_YEAR} to {LAST_YEAR}." in result.output
    assert days_in(app, 2027) == before and days_in(app, year) == 0


def test_the_calendars_first_and_last_years_are_loaded(app: Flask, session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["calendar", "load-defaults", str(FIRST_YEAR), str(LAST_YEAR)])
    assert result.exit_code == 0, result.output
    assert days_in(app, FIRST_YEAR) > 0 and days_in(app, LAST_YEAR) > 0
