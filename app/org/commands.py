"""flask seed-demo"""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.clock import utcnow
from app.extensions import db
from app.intake.knowledge import seed_demo_knowledge
from app.org.seed import DEMO_PASSWORD, demo_accounts, seed_demo_county
from app.org.service import user_by_username


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
