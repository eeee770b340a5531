"""flask calendar load-defaults [YEAR…]"""

import click
from flask.cli import AppGroup

from app.calendars.service import load_official_days
from app.clock import utcnow
from app.extensions import db

calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("load-defaults")
@click.argument("years", nargs=-1, type=int)
def load_defaults_command(years: tuple[int, ...]) -> None:
    """Add mainland China's official holidays and make-up days (this year and next by default)."""
    this_year = utcnow().year
    for year in years or (this_year, this_year + 1):
        added = load_official_days(year)
        click.echo(f"{year}: {added} days added")
    db.session.commit()
