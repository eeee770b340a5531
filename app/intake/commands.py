"""flask taxonomy load-defaults"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.casetypes.models import ProcessVersion
from app.extensions import db
from app.intake.taxonomy import load_default_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="The event taxonomy and admission list.")


@taxonomy_cli.command("load-defaults")
def load_defaults_command() -> None:
    """Add the shipped taxonomy's missing items (run after `processes sync`: leaves name case types)."""
    case_types = set(db.session.scalars(select(ProcessVersion.key).distinct()))
    added = load_default_taxonomy(case_types)
    db.session.commit()
    click.echo(f"{added} taxonomy items added")
