"""Claim, unclaim, assign, the inbox scopes, /me and /users."""

from typing import Any

from tests.api.test_fire_hazard_walk import complete, only_task, start_fire_case
from tests.conftest import TOWNSHIP_1, make_user


def test_me_lists_roles_with_units(api: Any) -> None:
    me = api("township_dispatcher_1").get("/me").json
    assert me["username"] == "township_dispatcher_1"
    assert me["roles"] == [
        {"role": "township_dispatcher", "org_unit": {"code": "360123001000", "name": "东城街道", "kind": "township"}}
    ]


def test_users_is_for_admins_only(api: Any) -> None:
    assert api("grid_worker_1").get("/users").status_code == 403
    users = api("admin").get("/users").json["items"]
    names = {u["username"] for u in users}
    assert {"grid_worker_1", "grid_worker_8", "township_dispatcher_2", "fire_safety_inspector"} <= names
    assert all(set(u) >= {"username", "display_name", "active", "roles"} for u in users)


def test_case_types_carry_their_start_form(api: Any) -> None:
    items = api("grid_worker_1").get("/case-types").json["items"]
    fire = next(i for i in items if i["key"] == "fire_hazard_rectification")
    assert fire["version"] >= 1
    assert "address" in fire["start_form"]["schema"]["properties"]
    english = api("grid_worker_1").get("/case-types?locale=en").json["items"]
    fire_en = next(i for i in english if i["key"] == "fire_hazard_rectification")
    assert fire_en["name"] == "Fire-hazard rectification"
    assert fire_en["start_form"]["schema"]["properties"]["address"]["title"] == "Location / address"


def test_claim_then_others_get_409_and_unclaim_frees_it(api: Any) -> None:
    task = only_task(start_fire_case(api))
    dispatcher = api("township_dispatcher_1")
    claimed = dispatcher.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee"] == "township_dispatcher_1"
    assert [t["id"] for t in dispatcher.get("/tasks?scope=mine").json["items"]] == [task["id"]]
    assert task["id"] not in [t["id"] for t in dispatcher.get("/tasks?scope=candidate").json["items"]]
    assert api("grid_worker_1").post(f"/tasks/{task['id']}/claim").status_code == 403
    released = dispatcher.post(f"/tasks/{task['id']}/unclaim")
    assert released.status_code == 200 and released.json["assignee"] is None
    assert task["id"] in [t["id"] for t in dispatcher.get("/tasks?scope=candidate").json["items"]]


def test_claim_by_another_candidate_is_409(api: Any) -> None:
    make_user("township_dispatcher_1b", "township_dispatcher", TOWNSHIP_1)
    task = only_task(start_fire_case(api))
    assert api("township_dispatcher_1").post(f"/tasks/{task['id']}/claim").status_code == 200
    assert api("township_dispatcher_1").post(f"/tasks/{task['id']}/claim").status_code == 200  # again: harmless
    taken = api("township_dispatcher_1b").post(f"/tasks/{task['id']}/claim")
    assert taken.status_code == 409
    assert (
        api("township_dispatcher_1b")
        .post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}})
        .status_code
        == 403
    )


def test_supervisor_assigns_to_a_holder_of_the_role(api: Any) -> None:
    task = only_task(start_fire_case(api))
    county = api("county_dispatcher")
    refused = county.post(f"/tasks/{task['id']}/assign", {"username": "grid_worker_1"})
    assert refused.status_code == 422 and "username" in refused.json["error"]["fields"]
    assert county.post(f"/tasks/{task['id']}/assign", {"username": "nobody"}).status_code == 422
    assert county.post(f"/tasks/{task['id']}/assign", {}).status_code == 422
    assigned = county.post(f"/tasks/{task['id']}/assign", {"username": "township_dispatcher_1"})
    assert assigned.status_code == 200 and assigned.json["assignee"] == "township_dispatcher_1"
    assert api("grid_worker_1").post(f"/tasks/{task['id']}/assign", {"username": "grid_worker_1"}).status_code == 403
    history = county.get(f"/cases/{task['case_id']}").json["history"]
    assert any(
        e["kind"] == "assigned" and e["actor"] == "county_dispatcher" and e["data"]["to"] == "township_dispatcher_1"
        for e in history
    )


def test_a_task_claimed_by_someone_else_cannot_be_completed_by_a_candidate(api: Any) -> None:
    task = only_task(start_fire_case(api))
    api("county_dispatcher").post(f"/tasks/{task['id']}/assign", {"username": "township_dispatcher_1"})
    # township_dispatcher_1 is the only holder; the leader is no candidate at all.
    assert (
        api("leader").post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}}).status_code == 403
    )
    assert api("leader").post(f"/tasks/{task['id']}/claim").status_code == 403


def test_completed_tasks_of_mine(api: Any) -> None:
    task = only_task(start_fire_case(api))
    complete(api, "township_dispatcher_1", task, {"severity_decision": "minor"})
    done = api("township_dispatcher_1").get("/tasks?status=completed").json["items"]
    assert [t["id"] for t in done][:1] == [task["id"]]
    assert done[0]["status"] == "completed"


def test_task_detail_carries_the_case_data(api: Any) -> None:
    task = only_task(start_fire_case(api))
    body = api("township_dispatcher_1").get(f"/tasks/{task['id']}").json
    assert body["case"]["data"]["address"] == "桃源路12号"
    assert body["form"]["schema"]["required"] == ["severity_decision"]
    assert body["state"] == "normal"
