"""The case page shows the case's diagram with completed, current and overdue tasks marked, to those who see the case."""

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.clock import utcnow
from tests.api.test_fire_hazard_walk import complete, only_task, start_fire_case
from tests.conftest import login


def at_urging(api: Any) -> dict[str, Any]:
    started = start_fire_case(api)
    complete(api, "township_dispatcher_1", only_task(started), {"severity_decision": "minor"})
    return started


def test_the_diagram_endpoint_marks_completed_current_and_overdue_tasks(
    client: FlaskClient, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = at_urging(api)
    login(client, "grid_worker_1")
    answer = client.get(f"/cases/{case['id']}/diagram")
    assert answer.status_code == 200
    assert answer.json["xml"].startswith("<?xml") and 'id="urge_rectification"' in answer.json["xml"]
    assert (answer.json["completed"], answer.json["current"], answer.json["overdue"]) == (
        ["accept_and_assess"], ["urge_rectification"], [])  # fmt: skip
    monkeypatch.setattr("app.cases.views.utcnow", lambda: utcnow() + timedelta(days=30))  # past the 5 working days
    later = client.get(f"/cases/{case['id']}/diagram").json
    assert (later["current"], later["overdue"]) == ([], ["urge_rectification"])


def test_the_diagram_is_only_for_those_who_see_the_case(client: FlaskClient, api: Any) -> None:
    case = at_urging(api)
    assert client.get(f"/cases/{case['id']}/diagram").status_code == 302  # to the sign-in page
    login(client, "grid_worker_5")  # another township's grid
    assert client.get(f"/cases/{case['id']}/diagram").status_code == 404
    assert client.get("/cases/999999999/diagram").status_code == 404


@pytest.mark.parametrize("installed", [True, False])
def test_the_case_page_holds_the_viewer_and_a_text_legend(
    client: FlaskClient, api: Any, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    case = at_urging(api)
    monkeypatch.setattr("app.cases.views.viewer_installed", lambda: installed)
    login(client, "grid_worker_1")
    page = client.get(f"/cases/{case['id']}").data.decode()
    assert (f'id="case-diagram" class="bpmn-view" data-src="/cases/{case["id"]}/diagram"' in page) is installed
    assert ("已办结：已完成的任务（绿色实线边框）" in page) is installed
    assert ("case_diagram.js" in page) is installed
