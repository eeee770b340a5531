"""Duplicate reports: flagged at the distance and time boundaries, merged (reporter told of the outcome) or kept."""

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case, CaseStatus
from app.extensions import db
from app.intake.duplicates import METERS_PER_DEGREE, haversine_m
from app.intake.models import CaseReporter
from app.notifications.models import Notification
from tests.api.test_fire_hazard_walk import complete, only_task
from tests.conftest import FIRE_REPORT, GRID_1, login, make_user

LAT, LON = 28.7050, 115.9050
CALL = {"category": "010203", "caller_name": "王五", "caller_phone": "13900001111", "appeal_kind": "report",
        "content": "小区燃气管道有异味，担心泄漏", "address": "桃源路8号", "org_unit": GRID_1, "action": "create"}  # fmt: skip


def north(meters: float) -> str:
    return f"{LAT + meters / METERS_PER_DEGREE:.7f}"


def _call(operator: Any, **extra: Any) -> Any:
    return operator.post("/desk/calls", {**CALL, "latitude": str(LAT), "longitude": str(LON), **extra})


def _age(run: Any, case_id: int, hours: float, status: CaseStatus = CaseStatus.OPEN) -> None:
    def change() -> None:
        case = db.session.get(Case, case_id)
        assert case is not None
        case.opened_at -= timedelta(hours=hours)
        case.status = status
        db.session.commit()

    run(change)


def test_haversine_is_exact_enough() -> None:
    assert abs(haversine_m(LAT, LON, float(north(199)), LON) - 199) < 0.01
    assert abs(haversine_m(0, 0, 0, 1) - 111195) < 1


def test_distance_boundary_199_flagged_201_not(api: Any) -> None:
    operator = api("hotline_operator")
    first = _call(operator).json["case"]
    near = _call(operator, latitude=north(199))
    assert near.status_code == 409 and near.json["error"]["code"] == "duplicate"
    [candidate] = near.json["error"]["candidates"]
    assert candidate["id"] == first["id"] and 198.9 < candidate["meters"] < 199.1
    assert _call(operator, latitude=north(201)).status_code == 201


def test_time_boundary_71_hours_flagged_73_not(api: Any, run: Any) -> None:
    operator = api("hotline_operator")
    first = _call(operator).json["case"]
    _age(run, first["id"], 71)
    assert _call(operator).status_code == 409
    _age(run, first["id"], 2)  # now 73 hours old
    assert _call(operator).status_code == 201


def test_another_category_or_no_point_is_not_matched(api: Any) -> None:
    operator = api("hotline_operator")
    _call(operator)
    assert _call(operator, category="010302").status_code == 201  # another item at the same spot
    assert operator.post("/desk/calls", CALL).status_code == 201  # no point: nothing to compare


def test_closed_case_alone_is_not_a_duplicate(api: Any, run: Any) -> None:
    operator = api("hotline_operator")
    first = _call(operator).json["case"]
    _age(run, first["id"], 0, CaseStatus.CLOSED)
    assert _call(operator).status_code == 201


def test_merge_adds_the_caller_and_keep_separate_records_why(api: Any, run: Any) -> None:
    operator = api("hotline_operator")
    first = _call(operator).json["case"]
    merged = _call(operator, latitude=north(50), caller_name="赵六", caller_phone="13700002222",
                   duplicate_of=first["id"])  # fmt: skip
    assert merged.status_code == 201 and merged.json["merged"] is True and merged.json["case"]["id"] == first["id"]
    rows = run(lambda: [(r.name, r.phone, r.channel) for r in db.session.scalars(select(CaseReporter))])
    assert rows == [("赵六", "13700002222", "hotline")]
    history = operator.get(f"/cases/{first['id']}").json["history"]
    assert history[-1]["kind"] == "reporter_added" and history[-1]["data"]["caller_phone"] == "13700002222"
    for value in (999999, 10**20, "10" * 12, "²"):  # no such case, beyond any id (was a 500), not a number (was one)
        wrong = _call(operator, duplicate_of=value)
        assert wrong.status_code == 422 and "duplicate_of" in wrong.json["error"]["fields"], value
    separate = _call(operator, keep_separate=True)
    assert separate.status_code == 201 and separate.json["case"]["id"] != first["id"]
    kept = operator.get(f"/cases/{separate.json['case']['id']}").json["history"]
    assert any(e["kind"] == "duplicate_kept_separate" for e in kept)


def test_desk_page_flags_and_merges(client: FlaskClient, api: Any) -> None:
    first = _call(api("hotline_operator")).json["case"]
    login(client, "hotline_operator")
    form = {**CALL, "latitude": str(LAT), "longitude": str(LON)}
    flagged = client.post("/intake/desk", data=form).get_data(as_text=True)
    assert f'data-duplicate="{first["id"]}"' in flagged and f'value="merge:{first["id"]}"' in flagged
    merged = client.post("/intake/desk", data={**form, "action": f"merge:{first['id']}"})
    assert merged.status_code == 302 and merged.headers["Location"].endswith(f"/cases/{first['id']}")
    page = client.get(f"/cases/{first['id']}").get_data(as_text=True)
    assert "data-reporter=" in page and "13900001111" in page  # operators see phones in full
    dispatch = api("county_dispatcher").get("/tasks?scope=candidate").json["items"]
    task_id = next(t["id"] for t in dispatch if t["case_id"] == first["id"])
    client.get("/logout")
    login(client, "county_dispatcher")
    task_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "data-reporter=" in task_page and "139****1111" in task_page  # masked for the dispatcher
    client.get("/logout")
    login(client, "hotline_operator")
    separate = client.post("/intake/desk", data={**form, "action": "separate"})
    assert separate.status_code == 302 and not separate.headers["Location"].endswith(f"/cases/{first['id']}")


def test_api_start_flags_merges_and_the_reporter_hears_the_outcome(api: Any, run: Any, client: FlaskClient) -> None:
    make_user("grid_worker_x", "grid_worker", GRID_1)
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT, "category": "010102",
            "latitude": LAT, "longitude": LON}  # fmt: skip
    first = api("grid_worker_1").post("/cases", body)
    assert first.status_code == 201
    second = api("grid_worker_x")
    assert second.post("/cases", {**body, "latitude": float(north(120))}).status_code == 409
    bad = second.post("/cases", {**body, "category": "0101", "latitude": 95})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"category", "latitude"}
    merged = second.post("/cases", {**body, "duplicate_of": first.json["id"]})
    assert merged.status_code == 200 and merged.json["merged"] is True and merged.json["id"] == first.json["id"]
    accept = only_task(first.json)
    urge = only_task(complete(api, "township_dispatcher_1", accept, {"severity_decision": "minor",
                                                                     "assessment_opinion": "现场可整改"}))  # fmt: skip
    reinspect = only_task(complete(api, "grid_worker_1", urge, {"rectification_measures": "拆除私拉电线",
                                                               "rectified_on": "2026-11-26"}))  # fmt: skip
    assert complete(api, "grid_worker_1", reinspect, {"reinspection_passed": True})["case"]["status"] == "closed"

    notes = run(lambda: [(n.user_id, n.params["case_number"], n.params["outcome"]) for n in
                         db.session.scalars(select(Notification).where(Notification.kind == "case_outcome"))])  # fmt: skip
    reporter_id = run(lambda: db.session.scalar(select(CaseReporter.user_id)))
    assert notes == [(reporter_id, first.json["number"], "rectified")] and reporter_id is not None
    told = run(lambda: db.session.scalar(select(CaseReporter.notified_at)))
    assert told is not None
    login(client, "grid_worker_x")
    page = client.get("/notifications").get_data(as_text=True)
    assert "kind-case_outcome" in page and "已办结：整改完成" in page  # the outcome's label, not "rectified"
    english = second.get("/notifications?locale=en").json["items"][0]["message"]
    assert english.endswith("is closed: Rectified")


def test_new_case_page_flags_and_keeps_separate(client: FlaskClient, api: Any) -> None:
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT, "category": "010102",
            "latitude": LAT, "longitude": LON}  # fmt: skip
    first = api("grid_worker_1").post("/cases", body).json
    login(client, "grid_worker_1")
    form = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT,
            "place_category": "010102", "place_latitude": north(10), "place_longitude": str(LON)}  # fmt: skip
    page = client.get("/cases/new?case_type=fire_hazard_rectification").get_data(as_text=True)
    assert 'name="place_category"' in page and '<option value="010102"' in page
    flagged = client.post("/cases/new", data=form)
    assert flagged.status_code == 200 and f'data-duplicate="{first["id"]}"' in flagged.get_data(as_text=True)
    bad = client.post("/cases/new", data={**form, "place_latitude": "abc"})
    assert bad.status_code == 422 and 'data-field="place_latitude"' in bad.get_data(as_text=True)
    kept = client.post("/cases/new", data={**form, "keep_separate": "1"})
    assert kept.status_code == 302 and not kept.headers["Location"].endswith(f"/cases/{first['id']}")
