"""The admin's calendar page: holidays and make-up working days per year."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, require, signed_in_user
from app.calendars.defaults import known_years
from app.calendars.forms import CalendarDayForm
from app.calendars.service import days_of_year, delete_day, load_official_days, set_day
from app.clock import utcnow
from app.date_range import in_years, outside_years
from app.extensions import db
from app.org.permissions import can_edit_calendar
from app.whole_numbers import whole

bp = Blueprint("calendars", __name__, url_prefix="/admin/calendar")


def _year() -> int:
    year = request.values.get("year", type=whole) or utcnow().year
    return min(max(year, 2000), 2100)


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    require(can_edit_calendar(signed_in_user()))
    year = _year()
    form = CalendarDayForm()
    if request.method == "POST":
        day = form.day.data if form.validate_on_submit() else None
        if day is not None and not in_years(day):  # a day the page could never show
            form.day.errors = [*form.day.errors, outside_years()]
            day = None
        if day is not None:
            set_day(day, is_workday=form.kind.data == "workday", name=(form.name.data or "").strip())
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("calendars.index", year=day.year))
        status = 422
    else:
        status = 200
    return render_template("calendars/index.html", year=year, days=days_of_year(year), form=form,
                           has_official=year in known_years()), status  # fmt: skip


@bp.post("/delete")
@login_required
def remove() -> ResponseReturnValue:
    require(can_edit_calendar(signed_in_user()))
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    if day is not None and delete_day(day):
        db.session.commit()
        flash(_("%(day)s removed from the calendar.", day=day.isoformat()), "success")
    return redirect(url_for("calendars.index", year=day.year if day else _year()))


@bp.post("/defaults")
@login_required
def load_defaults() -> ResponseReturnValue:
    require(can_edit_calendar(signed_in_user()))
    year = _year()
    added = load_official_days(year)
    db.session.commit()
    flash(_("%(n)d official days added for %(year)d.", n=added, year=year), "success")
    return redirect(url_for("calendars.index", year=year))
