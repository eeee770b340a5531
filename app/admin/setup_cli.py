"""flask setup-county: a county's own root unit and its first admin, in a database that has no units yet.

The demo (`flask seed-demo`) is never for production: its accounts share a published password. Everything after the
first admin (townships, villages, grids, users) is added in /admin or imported there.
"""

from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.admin.org_service import unit_problems
from app.admin.user_service import new_user_problems
from app.audit.service import record
from app.auth.passwords import password_problem
from app.clock import utcnow
from app.extensions import db
from app.org.models import Membership, OrgKind, OrgUnit, User
from app.org.service import unit_path

ROOT_KINDS = (OrgKind.COUNTY, OrgKind.CITY)  # a city's tree holds counties (app/admin/org_service.py CHILD_KINDS)
PASSWORD_VARIABLE = "GRIDCASE_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password
# The options as the operator typed them, for the field names the admin services report.
OPTIONS = {"code": "--code", "name": "--name", "kind": "--kind", "username": "--admin",
           "display_name": "--display-name", "password": "the password"}  # fmt: skip


def units_present() -> int:
    return int(db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0)


def setup_problems(code: str, name: str, username: str, display_name: str) -> dict[str, str]:
    """What stops these from being the root unit and its admin (the password aside); {} when nothing does."""
    unit = {k: v for k, v in unit_problems(code, name, None, None).items() if k not in ("parent", "kind")}
    user = new_user_problems(username, display_name, "")  # the password is asked for once these are right
    return unit | {k: v for k, v in user.items() if k != "password"}


def set_up_county(code: str, name: str, kind: OrgKind, username: str, display_name: str, password: str, *,
                  now: datetime) -> User:  # fmt: skip
    """The root unit and an admin holding the `admin` role on it; the caller has checked setup_problems."""
    unit = OrgUnit(code=code.strip(), name=name.strip(), kind=kind, parent=None, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = unit_path(None, unit.id)
    admin = User(username=username, display_name=display_name.strip(), created_at=now, active=True)
    admin.set_password(password)
    admin.memberships.append(Membership(role="admin", org_unit=unit, org_unit_id=unit.id))
    db.session.add(admin)
    db.session.flush()
    record("unit_created", now=now, code=unit.code, name=unit.name, parent=None, command="setup-county")
    record("user_created", now=now, target=username, role="admin", unit=unit.code, command="setup-county")
    db.session.flush()
    return admin


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise click.UsageError("; ".join(f"{OPTIONS.get(field, field)}: {text}" for field, text in problems.items()))


@click.command("setup-county")
@click.option("--code", required=True, help="The root unit's division code, 6 to 20 digits (360123000000).")
@click.option("--name", required=True, help="The root unit's name (青山县).")
@click.option("--kind", type=click.Choice([k.value for k in ROOT_KINDS]), default=OrgKind.COUNTY.value,
              show_default=True, help="What the root unit is.")  # fmt: skip
@click.option("--admin", "username", required=True, help="The first admin's username.")
@click.option("--display-name", default="", help="The admin's name as pages show it (default: the username).")
@click.option("--password", envvar=PASSWORD_VARIABLE, show_envvar=True, default=None,
              help="Better left out: taken from the environment variable, else asked for twice, hidden (a password "
                   "on the command line stays in the shell's history and shows in the process list).")  # fmt: skip
@with_appcontext
def setup_county_command(code: str, name: str, kind: str, username: str, display_name: str,
                         password: str | None) -> None:  # fmt: skip
    """Create the root unit and its first admin in a database with no units yet (never run seed-demo in production)."""
    if count := units_present():
        raise click.ClickException(
            f"the database already holds org units ({count}): setup-county only sets up one that holds none. "
            "Add units and users in /admin (or import them there), as an admin of the existing tree."
        )
    display_name = display_name.strip() or username
    _refuse(setup_problems(code, name, username, display_name))
    if password is None:
        password = click.prompt("Password for " + username, hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, username)
    _refuse({"password": problem} if problem else {})
    set_up_county(code, name, OrgKind(kind), username, display_name, password, now=utcnow())
    db.session.commit()
    click.echo(f"Created {name.strip()} ({kind} {code.strip()}) and its admin {username}.")
    click.echo("Sign in as that admin, then add the units below it and their users in /admin (or import them there).")
