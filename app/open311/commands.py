"""flask open311 add-client NAME"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.open311.clients import add_client
from app.org.models import OrgUnit
from app.org.service import unit_by_code

open311_cli = AppGroup("open311", help="Open311 GeoReport v2 clients.")


@open311_cli.command("add-client")
@click.argument("name")
@click.option("--unit", "unit_code", default=None, help="The unit whose grids its reports go to (default: the root).")
def add_client_command(name: str, unit_code: str | None) -> None:
    """Create a client and print its api_key once (only a hash is kept)."""
    unit = (
        unit_by_code(unit_code)
        if unit_code
        else db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).first()
    )
    if unit is None:
        raise click.ClickException(f"no such unit: {unit_code or '(no root unit)'}")
    try:
        client, key = add_client(name, unit, now=utcnow())
    except ValidationError as err:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in err.fields.items())) from err
    db.session.commit()
    click.echo(f"Open311 client {client.name} for {unit.name} ({unit.code}); api_key (shown once):")
    click.echo(key)
