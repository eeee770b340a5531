"""The fire-hazard case walked through every branch over the JSON API."""

from typing import Any

from tests.conftest import FIRE_REPORT, GRID_1


def start_fire_case(api: Any, grid: str = GRID_1, reporter: str = "grid_worker_1") -> dict[str, Any]:
    response = api(reporter).post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": grid, "data": FIRE_REPORT}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def only_task(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body["open_tasks"]) == 1, body["open_tasks"]
    return dict(body["open_tasks"][0])


def complete(api: Any, username: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    response = api(username).post(f"/tasks/{task['id']}/complete", {"data": data})
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_minor_hazard_is_rectified_on_the_spot_and_closed(api: Any) -> None:
    started = start_fire_case(api)
    assert started["status"] == "open" and started["number"].startswith("XF")
    accept = only_task(started)
    assert (accept["bpmn_id"], accept["role"], accept["org_unit"]["kind"]) == (
        "accept_and_assess",
        "township_dispatcher",
        "township",
    )

    after = complete(
        api, "township_dispatcher_1", accept, {"severity_decision": "minor", "assessment_opinion": "现场可整改"}
    )
    urge = only_task(after)
    assert (urge["bpmn_id"], urge["role"], urge["org_unit"]["code"]) == ("urge_rectification", "grid_worker", GRID_1)

    after = complete(
        api, "grid_worker_1", urge, {"rectification_measures": "拆除私拉电线", "rectified_on": "2026-11-26"}
    )
    reinspect = only_task(after)
    assert reinspect["bpmn_id"] == "reinspect"

    after = complete(api, "grid_worker_1", reinspect, {"reinspection_passed": True})
    assert after == {"case": {"id": started["id"], "number": started["number"], "status": "closed"}, "open_tasks": []}

    case = api("grid_worker_1").get(f"/cases/{started['id']}").json
    assert case["status"] == "closed"
    assert case["data"]["outcome"] == "rectified"
    kinds = [event["kind"] for event in case["history"]]
    assert kinds[0] == "started" and kinds[-1] == "closed"
    assert kinds.count("completed") == 3
    completions = [e for e in case["history"] if e["kind"] == "completed"]
    assert [e["actor"] for e in completions] == ["township_dispatcher_1", "grid_worker_1", "grid_worker_1"]
    assert completions[0]["data"] == {"severity_decision": "minor", "assessment_opinion": "现场可整改"}
    assert case["history"][-1]["data"]["archive"]["rectification_measures"] == "拆除私拉电线"


def test_serious_hazard_goes_to_the_county_fire_safety_inspector(api: Any) -> None:
    accept = only_task(start_fire_case(api))
    enforce = only_task(complete(api, "township_dispatcher_1", accept, {"severity_decision": "serious"}))
    assert (enforce["bpmn_id"], enforce["role"], enforce["org_unit"]["kind"]) == (
        "enforce_rectification",
        "fire_safety_inspector",
        "county",
    )

    inspector_inbox = api("fire_safety_inspector").get("/tasks?scope=candidate").json["items"]
    assert enforce["id"] in [t["id"] for t in inspector_inbox]
    assert enforce["id"] not in [t["id"] for t in api("grid_worker_1").get("/tasks").json["items"]]

    data = {
        "enforcement_measure": "fine",
        "fine_amount": 2000,
        "notice_number": "青消罚〔2026〕12号",
        "enforcement_result": "已罚款并整改",
    }
    reinspect = only_task(complete(api, "fire_safety_inspector", enforce, data))
    assert (reinspect["bpmn_id"], reinspect["org_unit"]["code"]) == ("reinspect", GRID_1)
    done = complete(api, "grid_worker_1", reinspect, {"reinspection_passed": True, "reinspection_notes": "已消除"})
    assert done["case"]["status"] == "closed"


def test_failed_reinspection_loops_back_to_rectification_until_it_passes(api: Any) -> None:
    accept = only_task(start_fire_case(api))
    task = only_task(complete(api, "township_dispatcher_1", accept, {"severity_decision": "minor"}))
    for round_ in range(3):
        assert task["bpmn_id"] == "urge_rectification"
        task = only_task(
            complete(
                api,
                "grid_worker_1",
                task,
                {"rectification_measures": f"第{round_ + 1}次整改", "rectified_on": "2026-11-26"},
            )
        )
        assert task["bpmn_id"] == "reinspect"
        passed = round_ == 2
        body = complete(api, "grid_worker_1", task, {"reinspection_passed": passed})
        if passed:
            assert body["case"]["status"] == "closed"
        else:
            task = only_task(body)
    case = api("township_dispatcher_1").get(f"/cases/{accept['case_id']}").json
    rounds = [e["data"].get("rectification_measures") for e in case["history"] if e["kind"] == "completed"]
    assert [r for r in rounds if r] == ["第1次整改", "第2次整改", "第3次整改"]


def test_serious_hazard_failing_reinspection_returns_to_the_inspector(api: Any) -> None:
    accept = only_task(start_fire_case(api))
    enforce = only_task(complete(api, "township_dispatcher_1", accept, {"severity_decision": "serious"}))
    reinspect = only_task(
        complete(
            api, "fire_safety_inspector", enforce, {"enforcement_measure": "order", "enforcement_result": "责令整改"}
        )
    )
    again = only_task(complete(api, "grid_worker_1", reinspect, {"reinspection_passed": False}))
    assert (again["bpmn_id"], again["role"]) == ("enforce_rectification", "fire_safety_inspector")


def test_a_hazard_fixed_on_the_spot_closes_at_once(api: Any) -> None:
    started = api("grid_worker_1").post(
        "/cases",
        {"case_type": "fire_hazard_rectification", "org_unit": GRID_1,
         "data": {**FIRE_REPORT, "fixed_on_spot": True, "spot_measures": "当场拔掉充电线"}},
    )  # fmt: skip
    assert started.status_code == 201
    assert started.json["status"] == "closed" and started.json["open_tasks"] == []
