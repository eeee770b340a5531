"""Fixtures: the app on SQLite and (with GRIDCASE_TEST_DATABASE_URL) PostgreSQL.

The schema is built by the migrations and the demo county is seeded once per
backend; each test then runs inside an outer transaction that is rolled back, so
app commits become savepoints and no test sees another's rows.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app import create_app
from app.auth.principals import forget_users
from app.calendars.service import forget_calendar
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import sync_processes
from app.clock import utcnow
from app.dashboard.overdue import forget_overdue
from app.extensions import db
from app.intake.taxonomy import load_default_taxonomy
from app.org.seed import DEMO_PASSWORD, seed_demo_county
from app.org.service import forget_placements

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("GRIDCASE_TEST_DATABASE_URL") else [])


def _reset_postgres(url: str) -> None:
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_app(database_url: str, **overrides: Any) -> Flask:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": False, **overrides})  # fmt: skip
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIR"])
        seed_demo_county(now=utcnow())
        sync_processes(app.config["GRIDCASE_PROCESSES_DIR"], app.config["GRIDCASE_FORMS_DIR"], actor=None, now=utcnow())
        if app.config["GRIDCASE_PROCESSES_DIR"] == str(ROOT / "processes"):  # its leaves name the shipped diagrams
            load_default_taxonomy({v.key for v in db.session.scalars(select(ProcessVersion))})
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'gridcase.sqlite'}"
    else:
        url = os.environ["GRIDCASE_TEST_DATABASE_URL"]
        _reset_postgres(url)
    app = build_app(url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[scoped_session[Session]]:
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        conn.begin()  # never committed: closing the connection rolls it back
        make = sessionmaker(conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        monkeypatch.setattr(db, "session", scoped := scoped_session(make))
        yield scoped
        scoped.remove()
    with app.app_context():
        forget_calendar()  # it may hold days this test committed into the transaction just rolled back
        forget_placements()  # and where tasks landed among units and users the test made
        forget_users()  # and the signed-in users' roles
        forget_overdue()  # and the overdue open tasks it counted


@pytest.fixture
def client(app: Flask, session: scoped_session[Session]) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data


class Api:
    """A JSON client holding one user's bearer token."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.json
        self.headers = {"Authorization": f"Bearer {response.json['token']}"}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)


@pytest.fixture
def api(client: FlaskClient) -> Any:
    return lambda username: Api(client, username)


GRID_1 = "360123001001001"  # 桃源社区第1网格, 东城街道: grid_worker_1, township_dispatcher_1
GRID_5 = "360123101201001"  # 石桥村第1网格, 西河镇: grid_worker_5, township_dispatcher_2

FIRE_REPORT = {
    "address": "桃源路12号",
    "hazard_kind": "electrical",
    "description": "楼道内私拉电线给电动车充电",
    "severity": "high",
    "responsible_party": "张三",
}


def make_user(username: str, role: str, unit_code: str) -> Any:
    """A user holding `role` at the unit `unit_code`, password DEMO_PASSWORD."""
    from app.org.models import Membership, User
    from app.org.service import unit_by_code

    user = User(username=username, display_name=username, created_at=utcnow())
    user.set_password(DEMO_PASSWORD)
    user.memberships.append(Membership(role=role, org_unit=unit_by_code(unit_code)))
    db.session.add(user)
    db.session.commit()
    return user


TOWNSHIP_1 = "360123001000"


@pytest.fixture
def run(app: Flask, session: scoped_session[Session]) -> Any:
    """Call a service directly, in an app context of its own (none stays open around client calls)."""

    def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with app.app_context():
            return fn(*args, **kwargs)

    return call
