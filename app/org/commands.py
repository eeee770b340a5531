"""flask seed-demo, and `flask org`: a real county's boundaries and place names."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.clock import utcnow
from app.extensions import db
from app.intake.knowledge import seed_demo_knowledge
from app.intake.places import load_places
from app.org.geodata import Loaded, load_boundaries
from app.org.seed import DEMO_PASSWORD, demo_accounts, seed_demo_county
from app.org.service import user_by_username
from app.spreadsheets import csv_text


@click.command("seed-demo")
@click.option("--list", "show", is_flag=True, help="Print the demo accounts.")
@with_appcontext
def seed_demo_command(show: bool) -> None:
    """Create the demo county once; running it again changes nothing."""
    created = seed_demo_county(now=utcnow())
    admin = user_by_username("admin")
    answers = seed_demo_knowledge(actor=admin, now=utcnow()) if admin is not None else 0
    db.session.commit()
    click.echo(_("Demo county created.") if created else _("Demo county already present."))
    click.echo(_("Knowledge base: %(num)d demo answers added.", num=answers))
    if show:
        click.echo(_("Demo accounts (password %(password)s):", password=DEMO_PASSWORD))
        for username, role, unit in demo_accounts():
            click.echo(f"  {username:28} {role:24} {unit}")


@click.group("org")
def org_cli() -> None:
    """A real county's map data: grid boundaries and place names (app/org/geodata.py)."""


@org_cli.command("load-boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--code-property", default="code", show_default=True, help="The feature property holding the unit code.")
@with_appcontext
def load_boundaries_command(path: str, code_property: str) -> None:
    """Set units' boundaries from a GeoJSON FeatureCollection (one Polygon or MultiPolygon per unit, WGS 84)."""
    loaded = _stored(load_boundaries(_text(path, csv=False), code_property=code_property))
    click.echo(_("%(num)d boundaries stored.", num=loaded.count))


@org_cli.command("load-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def load_places_command(path: str) -> None:
    """Add the gazetteer's place names from a CSV file with the columns name,unit_code,kind."""
    loaded = _stored(load_places(_text(path, csv=True)))
    click.echo(_("%(num)d places added.", num=loaded.count))


def _text(path: str, *, csv: bool) -> str:
    data = Path(path).read_bytes()
    try:
        return csv_text(data) if csv else data.decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError) as err:
        raise click.ClickException(f"{path}: {err}") from None


def _stored(loaded: Loaded) -> Loaded:
    """Commit what a file held, or list every problem and store nothing (exit 1)."""
    if loaded.problems:
        db.session.rollback()
        for problem in loaded.problems:
            click.echo(problem, err=True)
        raise click.ClickException(_("Nothing stored: %(num)d problems.", num=len(loaded.problems)))
    db.session.commit()
    return loaded
