"""Bad input and forbidden actions over the API: clear 4xx, nothing half-written."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.tasks.models import Task
from tests.api.test_fire_hazard_walk import only_task, start_fire_case
from tests.conftest import FIRE_REPORT, GRID_1, GRID_5


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Case, Task, CaseEvent))  # type: ignore[return-value]


def test_no_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_a_session_cookie_does_not_authenticate_the_api(client: FlaskClient) -> None:
    client.post("/login", data={"username": "grid_worker_1", "password": "gridcase-demo"})
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_401(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "grid_worker_1", "password": "nope"})
    assert response.status_code == 401
    assert response.json["error"]["message"]


def test_malformed_json_is_400(api: Any) -> None:
    grid_worker = api("grid_worker_1")
    response = grid_worker.client.post("/api/v1/cases", headers={**grid_worker.headers, "Content-Type": "application/json"},
                                       data="{not json")  # fmt: skip
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert grid_worker.post("/cases", ["a", "list"]).status_code == 400


def test_unknown_case_type_is_422_naming_the_field(api: Any) -> None:
    response = api("grid_worker_1").post("/cases", {"case_type": "nope", "org_unit": GRID_1, "data": {}})
    assert response.status_code == 422
    assert "case_type" in response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hazard_kind": "volcano"}, "hazard_kind"),
        ({"severity": None}, "severity"),
        ({"address": ""}, "address"),
        ({"responsible_phone": "call me"}, "responsible_phone"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_start_data_is_422_and_writes_nothing(api: Any, change: dict[str, Any], field: str) -> None:
    before = counts()
    data = {k: v for k, v in {**FIRE_REPORT, **change}.items() if v is not None}
    response = api("grid_worker_1").post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": data}
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {field}
    assert counts() == before


def test_missing_fields_are_each_named(api: Any) -> None:
    response = api("grid_worker_1").post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": {}}
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "address",
        "hazard_kind",
        "description",
        "severity",
        "responsible_party",
    }


def test_reporting_outside_your_grid_is_refused(api: Any) -> None:
    grid_worker = api("grid_worker_1")
    elsewhere = grid_worker.post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_5, "data": FIRE_REPORT}
    )
    assert elsewhere.status_code == 422 and "org_unit" in elsewhere.json["error"]["fields"]
    dispatcher = api("township_dispatcher_1")
    wrong_role = dispatcher.post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    )
    assert wrong_role.status_code == 403


def test_invalid_task_data_is_422_and_the_case_is_unchanged(api: Any) -> None:
    started = start_fire_case(api)
    task = only_task(started)
    dispatcher = api("township_dispatcher_1")
    before = dispatcher.get(f"/cases/{started['id']}").json
    response = dispatcher.post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "maybe"}})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "severity_decision": response.json["error"]["fields"]["severity_decision"]
    }
    assert dispatcher.get(f"/cases/{started['id']}").json == before
    assert dispatcher.post(f"/tasks/{task['id']}/complete", {"data": "minor"}).status_code == 422


def test_completing_a_task_you_are_not_a_candidate_for_is_403(api: Any) -> None:
    task = only_task(start_fire_case(api))
    # The county dispatcher sees the case (it is in the county) but the task is the township's.
    response = api("county_dispatcher").post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}})
    assert response.status_code == 403
    assert (
        api("grid_worker_1").post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}}).status_code
        == 403
    )


def test_cases_and_tasks_outside_your_jurisdiction_are_404(api: Any) -> None:
    started = start_fire_case(api)
    task = only_task(started)
    other_township = api("township_dispatcher_2")
    assert other_township.get(f"/cases/{started['id']}").status_code == 404
    assert other_township.get(f"/tasks/{task['id']}").status_code == 404
    assert (
        other_township.post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}}).status_code
        == 404
    )
    assert other_township.post(f"/tasks/{task['id']}/claim").status_code == 404
    assert api("grid_worker_5").get(f"/cases/{started['id']}").status_code == 404
    assert other_township.get("/cases/999999").status_code == 404
    assert other_township.get("/tasks/not-a-task").status_code == 404


def test_double_completion_is_409(api: Any) -> None:
    task = only_task(start_fire_case(api))
    dispatcher = api("township_dispatcher_1")
    assert dispatcher.post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}}).status_code == 200
    again = dispatcher.post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "serious"}})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "conflict"
    case = dispatcher.get(f"/cases/{task['case_id']}").json
    assert case["data"]["severity_decision"] == "minor"
    assert [t["bpmn_id"] for t in case["open_tasks"]] == ["urge_rectification"]


def test_task_list_rejects_bad_filters(api: Any) -> None:
    response = api("grid_worker_1").get("/tasks?scope=everyone&limit=0")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"scope", "limit"}
