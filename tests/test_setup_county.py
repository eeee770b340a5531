"""flask setup-county: a county's own root unit and first admin, in a database with no units yet; the admin then
signs in and builds the tree. Each empty database is a scratch one (a temp SQLite file; with
GRIDCASE_TEST_DATABASE_URL a PostgreSQL database created beside it and dropped afterwards)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.audit.models import SecurityEvent
from app.extensions import db
from app.org.models import OrgUnit, User
from tests.conftest import BACKENDS

PASSWORD = "Qingshan-2026"
SETUP = [
    "setup-county",
    "--code",
    "360123000000",
    "--name",
    "青山县",
    "--admin",
    "qs_admin",
    "--display-name",
    "县管理员",
]


@pytest.fixture(params=BACKENDS)
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A migrated database with no units, users or case types: a county's server before its first admin."""
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'county.sqlite'}"
    else:
        base = make_url(os.environ["GRIDCASE_TEST_DATABASE_URL"])
        name = f"{base.database}_setup_{uuid.uuid4().hex[:8]}"[-63:]
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_password_is_asked_twice_and_the_admin_builds_the_tree(empty_app: Flask) -> None:
    result = empty_app.test_cli_runner().invoke(args=SETUP, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Created 青山县 (county 360123000000) and its admin qs_admin." in result.output
    assert PASSWORD not in result.output  # hidden
    client = empty_app.test_client()
    signed_in = client.post("/login", data={"username": "qs_admin", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/admin/units").status_code == 200
    token = client.post("/api/v1/auth/token", json={"username": "qs_admin", "password": PASSWORD}).json["token"]
    township = client.post("/api/v1/org-units", headers={"Authorization": f"Bearer {token}"},
                           json={"code": "360123001000", "name": "东城街道", "kind": "township", "parent": "360123000000"})  # fmt: skip
    assert township.status_code == 201, township.json
    with empty_app.app_context():
        root = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).one()
        assert (root.name, root.kind.value, root.path) == ("青山县", "county", f"/{root.id}/")
        admin = db.session.scalars(select(User).where(User.username == "qs_admin")).one()
        assert admin.display_name == "县管理员"
        assert [(m.role, m.org_unit.code) for m in admin.memberships] == [("admin", "360123000000")]
        logged = set(db.session.scalars(select(SecurityEvent.kind)))
        assert {"unit_created", "user_created"} <= logged


def test_the_password_may_come_from_the_environment_and_a_second_run_is_refused(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=[*SETUP[:5], "--kind", "city", "--admin", "city_admin"],
                           env={"GRIDCASE_ADMIN_PASSWORD": PASSWORD})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # not asked
    again = runner.invoke(args=SETUP, env={"GRIDCASE_ADMIN_PASSWORD": PASSWORD})
    assert again.exit_code == 1 and "already holds org units (1)" in again.output
    assert (_count(empty_app, OrgUnit), _count(empty_app, User)) == (1, 1)


def test_bad_options_and_a_weak_password_create_nothing(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    bad = runner.invoke(args=["setup-county", "--code", "36-01", "--name", " ", "--admin", "X"], input="")
    assert bad.exit_code == 2
    assert "--code:" in bad.output and "--name:" in bad.output and "--admin:" in bad.output
    assert "Password" not in bad.output  # refused before asking
    weak = runner.invoke(args=SETUP, input="short\nshort\n")
    assert weak.exit_code == 2 and "the password:" in weak.output
    assert (_count(empty_app, OrgUnit), _count(empty_app, User)) == (0, 0)


def test_a_database_with_units_is_refused_before_the_password_is_asked(app: Flask, session: Any) -> None:
    """The demo county (or a county already set up) is there: nothing is asked and nothing is added."""
    result = app.test_cli_runner().invoke(args=SETUP)
    assert result.exit_code == 1
    assert "already holds org units" in result.output and "Password" not in result.output
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "qs_admin")).first() is None
