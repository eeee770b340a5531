"""Where a new task lands (the nearest unit up from the case's grid with an active holder of its role) is
remembered per process for GRIDCASE_PLACEMENT_CACHE_SECONDS: an org change in the process is seen at once,
one made elsewhere once the time is up, and a remembered placement costs no query."""

from typing import Any

from flask import Flask
from sqlalchemy import insert

from app.extensions import db
from app.org.models import Membership, User
from app.org.service import unit_by_code
from tests.conftest import FIRE_REPORT, GRID_1, TOWNSHIP_1, make_user
from tests.perf.statements import statements

MINOR = {"severity_decision": "minor", "assessment_opinion": "现场可整改"}


def _landed(api: Any) -> str:
    """Report a fire hazard in GRID_1: the unit its first task (a township dispatcher's) lands in."""
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    response = api("grid_worker_1").post("/cases", body)
    assert response.status_code == 201, response.json
    return str(response.json["open_tasks"][0]["org_unit"]["code"])


def test_an_org_change_in_this_process_is_seen_at_once(app: Flask, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_PLACEMENT_CACHE_SECONDS", 3600)
    assert _landed(api) == TOWNSHIP_1  # remembered from here on
    with app.app_context():
        make_user("grid_dispatcher", "township_dispatcher", GRID_1)
    assert _landed(api) == GRID_1  # someone holds the role in the grid itself now
    with app.app_context():
        user = db.session.query(User).filter_by(username="grid_dispatcher").one()
        user.active = False
        db.session.commit()
    assert _landed(api) == TOWNSHIP_1  # an inactive holder holds nothing


def test_a_change_made_elsewhere_is_seen_when_the_time_is_up(app: Flask, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_PLACEMENT_CACHE_SECONDS", 3600)
    assert _landed(api) == TOWNSHIP_1
    with app.app_context():  # behind the services' back, as another process's change looks to this one
        holder = db.session.query(User).filter_by(username="township_dispatcher_1").one()
        grid = unit_by_code(GRID_1)
        assert grid is not None
        db.session.execute(
            insert(Membership).values(user_id=holder.id, role="township_dispatcher", org_unit_id=grid.id)
        )
        db.session.commit()
    assert _landed(api) == TOWNSHIP_1  # still the remembered placement
    monkeypatch.setitem(app.config, "GRIDCASE_PLACEMENT_CACHE_SECONDS", 0)
    assert _landed(api) == GRID_1


def test_a_remembered_placement_costs_no_query(app: Flask, api: Any) -> None:
    dispatcher = api("township_dispatcher_1")

    def accept() -> list[str]:
        body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
        task_id = api("grid_worker_1").post("/cases", body).json["open_tasks"][0]["id"]
        assert dispatcher.post(f"/tasks/{task_id}/claim").status_code == 200
        with statements(app) as seen:
            response = dispatcher.post(f"/tasks/{task_id}/complete", {"data": MINOR})
        assert response.status_code == 200, response.json
        assert response.json["open_tasks"][0]["org_unit"]["code"] == GRID_1  # the grid worker's urging task
        return seen

    first, second = accept(), accept()
    assert [s for s in first if "FROM membership" in s]  # looked up once (the urging task: a grid worker's)
    assert not [s for s in second if "FROM membership" in s], second
    assert len(second) == len(first) - 1
