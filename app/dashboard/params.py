"""Which unit and period a statistics request asks for: parsed and authorised once for the page, API and exports."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.dashboard.periods import MAX_DAYS, PERIOD_KINDS, Period, period_of
from app.date_range import parse_day
from app.errors import ForbiddenError, NotFoundError, ValidationError
from app.org.models import OrgUnit, User
from app.org.permissions import can_view_dashboard, dashboard_covers, dashboard_units
from app.org.service import unit_by_code


@dataclass(frozen=True)
class StatsQuery:
    unit: OrgUnit
    kind: str  # one of PERIOD_KINDS
    period: Period
    start: datetime
    end: datetime


def _invalid(name: str, why: str) -> ValidationError:
    return ValidationError(_("Some fields need your attention."), {name: why})


def _date(args: Mapping[str, str], name: str) -> date | None:
    try:
        return parse_day(args.get(name), name)  # a day outside the accepted years is a 422 naming it
    except ValueError:
        raise _invalid(name, _("Must be a date such as 2026-01-31.")) from None


def _period(args: Mapping[str, str], today: date) -> tuple[str, Period]:
    first, last = _date(args, "from"), _date(args, "to")
    kind = args.get("period") or ("custom" if first or last else "month")
    if kind not in PERIOD_KINDS:
        raise _invalid("period", _("Must be one of: %(kinds)s.", kinds=", ".join(PERIOD_KINDS)))
    if kind != "custom":
        return kind, period_of(kind, _date(args, "date") or today)
    if first is None:
        raise _invalid("from", _("This field is required."))
    last = last or today
    if last < first:
        raise _invalid("to", _("Must not be before the start date."))
    if (last - first).days >= MAX_DAYS:
        raise _invalid("to", _("The period may be at most ten years long."))
    return kind, Period(first, last)


def _unit(user: User, code: str) -> OrgUnit:
    if not code:
        return dashboard_units(user)[0]
    unit = unit_by_code(code)
    if unit is None or not dashboard_covers(user, unit):
        raise NotFoundError(_("No such unit."))
    return unit


def stats_query(user: User, args: Mapping[str, str], *, now: datetime, tz: ZoneInfo) -> StatsQuery:
    """Authorise (403 without a dashboard role; 404 for a unit outside it), then parse (422 naming the field)."""
    if not can_view_dashboard(user):
        raise ForbiddenError(_("Only leaders, dispatchers and administrators may see statistics."))
    unit = _unit(user, (args.get("org_unit") or "").strip())
    kind, period = _period(args, now.astimezone(tz).date())
    start, end = period.instants(tz)
    return StatsQuery(unit=unit, kind=kind, period=period, start=start, end=end)


def period_args(query: StatsQuery) -> dict[str, str]:
    """Query-string values that ask for the same period again (for drill-down and export links)."""
    if query.kind == "custom":
        return {"period": "custom", "from": query.period.first.isoformat(), "to": query.period.last.isoformat()}
    return {"period": query.kind, "date": query.period.first.isoformat()}
