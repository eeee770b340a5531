"""flask calendar load-defaults [YEAR…]"""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.calendars.service import load_official_days
from app.clock import utcnow
from app.date_range import FIRST_YEAR, LAST_YEAR
from app.extensions import db

calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("load-defaults")
@click.argument("years", nargs=-1, type=int)
def load_defaults_command(years: tuple[int, ...]) -> None:
    """Add mainland China's official holidays and make-up days (this year and next by default)."""
    check_years(years)
    this_year = utcnow().year
    for year in years or (this_year, this_year + 1):
        added = load_official_days(year)
        click.echo(f"{year}: {added} days added")
    db.session.commit()


def check_years(years: tuple[int, ...]) -> None:
    """Refuse, before loading any, a year outside the calendar's (app/date_range.py): no page shows or edits it, so
    its days would only be a typo's (1999 for 2029) left in the table."""
    for year in years:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            message = _("%(year)d is outside the calendar's years, %(first)d to %(last)d.",
                        year=year, first=FIRST_YEAR, last=LAST_YEAR)  # fmt: skip
            raise click.BadParameter(message, param_hint="YEARS")
