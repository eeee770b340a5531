"""A signed-in API user's roles and units are kept per process for GRIDCASE_USER_CACHE_SECONDS; the token and the
user's being active are checked on every request. So revoking a token or deactivating a user is refused at once,
a change of roles in this process is seen at once, and one made elsewhere once the time is up."""

from typing import Any

from flask import Flask
from sqlalchemy import insert

from app.extensions import db
from app.org.models import Membership, User
from app.org.service import unit_by_code
from tests.conftest import FIRE_REPORT, GRID_1, GRID_5, login
from tests.perf.statements import statements


def _roles(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 200, response.json
    return {(r["role"], r["org_unit"]["code"]) for r in response.json["roles"]}


def _deactivate_behind_the_services_back(app: Flask, username: str) -> None:
    """As another process's change looks to this one: no flush here clears the kept copies."""
    with app.app_context():
        db.session.execute(User.__table__.update().where(User.username == username).values(active=False))
        db.session.commit()


def test_a_revoked_token_is_refused_at_once(app: Flask, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 3600)
    worker = api("grid_worker_1")
    assert worker.get("/me").status_code == 200
    assert worker.post("/auth/logout").status_code == 200
    response = worker.get("/me")
    assert response.status_code == 401
    assert response.json["error"]["message"]


def test_a_deactivated_user_is_refused_at_once_even_when_changed_elsewhere(
    app: Flask, api: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 3600)
    worker = api("grid_worker_1")
    assert worker.get("/me").status_code == 200
    _deactivate_behind_the_services_back(app, "grid_worker_1")
    assert worker.get("/me").status_code == 401


def test_a_role_given_in_this_process_is_seen_at_once(app: Flask, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 3600)
    worker = api("grid_worker_1")
    before = _roles(worker.get("/me"))
    with app.app_context():
        user = db.session.query(User).filter_by(username="grid_worker_1").one()
        user.memberships.append(Membership(role="grid_worker", org_unit=unit_by_code(GRID_5)))
        db.session.commit()
    assert _roles(worker.get("/me")) == before | {("grid_worker", GRID_5)}


def test_a_role_given_elsewhere_is_seen_when_the_time_is_up(app: Flask, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 3600)
    worker = api("grid_worker_1")
    before = _roles(worker.get("/me"))
    with app.app_context():
        user = db.session.query(User).filter_by(username="grid_worker_1").one()
        grid = unit_by_code(GRID_5)
        assert grid is not None
        db.session.execute(insert(Membership).values(user_id=user.id, role="grid_worker", org_unit_id=grid.id))
        db.session.commit()
    assert _roles(worker.get("/me")) == before  # still the kept roles
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 0)
    assert _roles(worker.get("/me")) == before | {("grid_worker", GRID_5)}


def test_kept_roles_cost_no_query_and_act_as_the_user(app: Flask, api: Any) -> None:
    worker = api("grid_worker_1")
    with statements(app) as first:
        assert worker.get("/me").status_code == 200
    with statements(app) as second:
        me = worker.get("/me")
    assert [s for s in first if "JOIN membership" in s]  # the user with their roles
    assert not [s for s in second if "membership" in s], second
    assert me.json["username"] == "grid_worker_1"
    # The kept user acts in later requests' sessions: a case they report is theirs.
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    started = worker.post("/cases", body)
    assert started.status_code == 201, started.json
    history = worker.get(f"/cases/{started.json['id']}").json["history"]
    assert history[0]["kind"] == "started"
    assert history[0]["actor"] == "grid_worker_1"


def test_a_signed_in_page_user_deactivated_elsewhere_is_signed_out_at_once(
    app: Flask, client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_USER_CACHE_SECONDS", 3600)
    login(client, "grid_worker_1")
    assert client.get("/inbox").status_code == 200
    _deactivate_behind_the_services_back(app, "grid_worker_1")
    response = client.get("/inbox")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
