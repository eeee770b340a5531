"""Migrating running cases to a newer version: dry run, real run, refusals, permissions, and life after the move."""

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.audit.models import SecurityEvent
from app.cases.models import Case
from app.extensions import db
from tests.api.test_fire_hazard_walk import complete, only_task, start_fire_case
from tests.conftest import login
from tests.designer.test_designer import FIRE, KEY, upload


def without_reinspection(xml: str) -> str:
    """Version 2: rectified hazards are archived without re-inspection; acceptance renamed, with a longer deadline."""
    xml = re.sub(r'<bpmn:userTask id="reinspect".*?</bpmn:userTask>', "", xml, flags=re.S)
    xml = re.sub(r'<bpmn:exclusiveGateway id="gw_reinspection".*?</bpmn:exclusiveGateway>', "", xml, flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="flow_passed".*?</bpmn:sequenceFlow>', "", xml, flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="flow_(to_result|failed)"[^>]*/>', "", xml)
    for node in ("reinspect", "gw_reinspection"):
        xml = xml.replace(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>", "")
    xml = xml.replace('sourceRef="gw_rectified" targetRef="reinspect"', 'sourceRef="gw_rectified" targetRef="archive"')
    xml = xml.replace('name="受理并研判"', 'name="受理研判（新）"')
    return xml.replace('value="2 working hours"', 'value="3 working days"')


def deploy_v2(api: Any) -> tuple[int, int]:
    versions = api("designer").get("/designer/case-types").json["items"]
    old = next(t for t in versions if t["key"] == KEY)["versions"][0]["version"]
    answer = api("designer").post("/designer/deploy", data=upload(without_reinspection(FIRE)))
    assert answer.status_code == 201, answer.json
    return old, answer.json["version"]


def at_reinspection(api: Any) -> dict[str, Any]:
    started = start_fire_case(api)
    urge = only_task(complete(api, "township_dispatcher_1", only_task(started), {"severity_decision": "minor"}))
    reinspect = only_task(complete(api, "grid_worker_1", urge, {"rectification_measures": "拆除",
                                                                 "rectified_on": "2026-11-26"}))  # fmt: skip
    assert reinspect["bpmn_id"] == "reinspect"
    return started


def migrations(api: Any, user: str = "designer", **body: Any) -> Any:
    return api(user).post(f"/designer/case-types/{KEY}/migrations", body)


def test_dry_run_reports_who_can_move_and_why_not_and_changes_nothing(api: Any) -> None:
    movable, stuck = start_fire_case(api), at_reinspection(api)
    old, new = deploy_v2(api)
    answer = migrations(api, source=old, target=new)
    assert answer.status_code == 200, answer.json
    by_id = {c["id"]: c for c in answer.json["cases"]}
    assert by_id[movable["id"]]["movable"] and by_id[movable["id"]]["reasons"] == []
    assert by_id[movable["id"]]["current_tasks"] == ["受理并研判"]
    assert not by_id[stuck["id"]]["movable"]
    assert by_id[stuck["id"]]["reasons"] == [f"当前任务“复查”（reinspect）在版本 {new} 中不存在。"]
    assert answer.json["dry_run"] is True and answer.json["moved"] == 0
    task = api("township_dispatcher_1").get(f"/tasks/{only_task(movable)['id']}").json
    assert task["name"] == "受理并研判"


def test_real_run_moves_each_movable_case_which_then_follows_the_new_diagram(api: Any) -> None:
    movable, stuck = start_fire_case(api), at_reinspection(api)
    accept_before = api("township_dispatcher_1").get(f"/tasks/{only_task(movable)['id']}").json
    old, new = deploy_v2(api)
    answer = migrations(api, source=old, target=new, dry_run=False)
    assert answer.status_code == 200, answer.json
    by_id = {c["id"]: c for c in answer.json["cases"]}
    assert by_id[movable["id"]]["moved"] is True and by_id[stuck["id"]]["moved"] is False
    assert answer.json["moved"] >= 1

    accept = api("township_dispatcher_1").get(f"/tasks/{accept_before['id']}").json
    assert accept["name"] == "受理研判（新）"  # the same inbox row, as version 2 defines it
    assert accept["due_at"] > accept_before["due_at"]  # 3 working days, not 2 working hours
    case = api("grid_worker_1").get(f"/cases/{movable['id']}").json
    migrated = [e for e in case["history"] if e["kind"] == "migrated"]
    assert migrated and migrated[0]["actor"] == "designer"
    assert migrated[0]["data"] == {"from_version": old, "to_version": new}
    audit = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "cases_migrated")).all()
    assert audit and movable["number"] in audit[-1].detail["moved"] and stuck["number"] in audit[-1].detail["refused"]

    urge = only_task(complete(api, "township_dispatcher_1", accept, {"severity_decision": "minor"}))
    closed = complete(api, "grid_worker_1", urge, {"rectification_measures": "拆除", "rectified_on": "2026-11-26"})
    assert closed["case"]["status"] == "closed" and closed["open_tasks"] == []  # no re-inspection in version 2
    assert api("grid_worker_1").get(f"/cases/{movable['id']}").json["data"]["outcome"] == "rectified"

    # The case that could not move is untouched and still walks version 1 to its end.
    reinspect = only_task(api("grid_worker_1").get(f"/cases/{stuck['id']}").json)
    assert complete(api, "grid_worker_1", reinspect, {"reinspection_passed": True})["case"]["status"] == "closed"


def test_the_migration_page_runs_a_dry_run_then_moves_the_cases(client: FlaskClient, api: Any) -> None:
    movable, stuck = start_fire_case(api), at_reinspection(api)
    old, new = deploy_v2(api)
    login(client, "designer")
    listing = client.get(f"/designer/{KEY}").data.decode()
    assert f"/designer/{KEY}/migrate?source={old}&amp;target={new}" in listing
    assert client.get(f"/designer/{KEY}/migrate").status_code == 200
    page = client.get(f"/designer/{KEY}/migrate?source={old}&target={new}").data.decode()
    assert f'data-case="{movable["number"]}" data-movable="yes"' in page
    assert f'data-case="{stuck["number"]}" data-movable="no"' in page and "（reinspect）" in page
    done = client.post(f"/designer/{KEY}/migrate", data={"source": old, "target": new})
    assert done.status_code == 200
    text = done.data.decode()
    assert f'data-case="{movable["number"]}" data-movable="yes" data-moved="yes"' in text
    assert f'data-case="{stuck["number"]}" data-movable="no" data-moved="no"' in text
    assert "data-confirm=" in page  # moving running cases asks first
    history = client.get(f"/designer/{KEY}/migrate?source={new}&target={new}")
    assert history.status_code == 422
    again = history.data.decode()  # the migration page again, the reason beside the target (was a dead end)
    assert 'id="target-error"' in again and 'name="target"' in again
    assert f'<option value="{new}" selected>' in again


def test_migration_needs_a_designer_and_known_newer_versions(client: FlaskClient, api: Any) -> None:
    old, new = deploy_v2(api)
    assert migrations(api, "grid_worker_1", source=old, target=new).status_code == 403
    login(client, "grid_worker_1")
    assert client.get(f"/designer/{KEY}/migrate?source={old}&target={new}").status_code == 403
    assert client.post(f"/designer/{KEY}/migrate", data={"source": old, "target": new}).status_code == 403
    assert migrations(api, source=old, target=999).status_code == 404
    assert (
        api("designer").post("/designer/case-types/nothing/migrations", {"source": 1, "target": 2}).status_code == 404
    )
    backwards = migrations(api, source=new, target=old)
    assert backwards.status_code == 422 and "target" in backwards.json["error"]["fields"]
    assert migrations(api, source="one", target=new).json["error"]["fields"] == {"source": "必须是版本号。"}
    assert migrations(api, source=old, target=new, dry_run="yes").status_code == 422
    client.post("/logout")
    login(client, "designer")
    assert client.get(f"/designer/{KEY}/migrate?source=x&target={new}").status_code == 422
    assert client.get("/designer/nothing/migrate").status_code == 404


def test_a_case_whose_state_cannot_be_read_stays_where_it_is(api: Any) -> None:
    case = start_fire_case(api)
    db.session.execute(update(Case).where(Case.id == case["id"]).values(state='{"format": "gridcase-0"}'))
    db.session.commit()
    old, new = deploy_v2(api)
    answer = migrations(api, source=old, target=new, dry_run=False).json
    [move] = [c for c in answer["cases"] if c["id"] == case["id"]]
    assert (move["movable"], move["moved"]) == (False, False)
    assert move["reasons"] == ["无法读取其流程状态：unknown engine state format"]
    assert db.session.get(Case, case["id"]).process_version.version == old  # type: ignore[union-attr]


def test_a_task_moved_to_another_lane_stays_and_a_dropped_deadline_is_dropped(api: Any) -> None:
    at_acceptance = start_fire_case(api)
    at_urging = start_fire_case(api)
    complete(api, "township_dispatcher_1", only_task(at_urging), {"severity_decision": "minor"})
    xml = FIRE.replace('<spiffworkflow:property name="deadline" value="2 working hours"/>', "")  # acceptance's
    xml = xml.replace("<bpmn:flowNodeRef>urge_rectification</bpmn:flowNodeRef>", "").replace(
        "<bpmn:flowNodeRef>gw_severity</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>gw_severity</bpmn:flowNodeRef><bpmn:flowNodeRef>urge_rectification</bpmn:flowNodeRef>",
    )
    old = api("designer").get("/designer/case-types").json["items"]
    old_version = next(t for t in old if t["key"] == KEY)["versions"][0]["version"]
    new_version = api("designer").post("/designer/deploy", data=upload(xml)).json["version"]
    answer = migrations(api, source=old_version, target=new_version, dry_run=False).json
    by_id = {c["id"]: c for c in answer["cases"]}
    assert by_id[at_urging["id"]]["reasons"] == [
        f"当前任务“督促现场整改”（urge_rectification）在版本 {new_version} 中从泳道 grid_worker 移到了泳道 "
        "township_dispatcher。"
    ]
    assert by_id[at_acceptance["id"]]["moved"] is True
    accept = api("township_dispatcher_1").get(f"/tasks/{only_task(at_acceptance)['id']}").json
    assert accept["due_at"] is None
