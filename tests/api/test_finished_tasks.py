"""A verb asked of a task that is no longer open answers 409 saying so, over the API and on the pages: before, the
permission check saw a closed task and answered 403 "You may not do this", as if the person lacked the right."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.cases.models import CaseEvent
from app.extensions import db
from app.tasks.models import Task, TaskStatus
from tests.conftest import FIRE_REPORT, GRID_1, login

START = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1}
ACCEPT = {"severity_decision": "minor", "assessment_opinion": "现场可整改"}
VERBS = [
    ("assign", {"username": "township_dispatcher_1"}),
    ("supervise", {"reason": "请加快办理"}),
    ("return", {"reason": "不属于本单位"}),
    ("unclaim", {}),
]


def events() -> int:
    return int(db.session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


@pytest.fixture
def completed(api: Any) -> str:
    """The accept task of a new fire-hazard case, claimed and completed by township_dispatcher_1."""
    task = api("grid_worker_1").post("/cases", {**START, "data": FIRE_REPORT}).json["open_tasks"][0]
    dispatcher = api("township_dispatcher_1")
    assert dispatcher.post(f"/tasks/{task['id']}/claim").status_code == 200
    assert dispatcher.post(f"/tasks/{task['id']}/complete", {"data": ACCEPT}).status_code == 200
    return str(task["id"])


@pytest.mark.parametrize(("verb", "body"), VERBS)
def test_a_verb_on_a_completed_task_is_a_conflict_over_the_api(api: Any, completed: str, verb: str, body: Any) -> None:
    before = events()
    answer = api("township_dispatcher_1").post(f"/tasks/{completed}/{verb}?locale=en", body)
    assert answer.status_code == 409, answer.json
    assert answer.json["error"] == {
        "code": "conflict",
        "message": "This task has already been completed.",
        "fields": {},
    }
    assert events() == before


@pytest.mark.parametrize(("verb", "body"), VERBS)
def test_a_verb_on_a_completed_task_is_a_conflict_on_the_pages(
    client: FlaskClient, completed: str, verb: str, body: Any
) -> None:
    login(client, "township_dispatcher_1")
    client.post("/locale", data={"locale": "en"})
    before = events()
    page = client.post(f"/tasks/{completed}/{verb}", data=body)
    assert page.status_code == 409 and "This task has already been completed." in page.data.decode()
    assert events() == before


def test_a_task_the_process_moved_past_says_so(api: Any, completed: str) -> None:
    db.session.execute(update(Task).where(Task.id == completed).values(status=TaskStatus.CANCELLED))
    db.session.commit()
    answer = api("township_dispatcher_1").post(f"/tasks/{completed}/supervise", {"reason": "x"})
    assert answer.status_code == 409
    assert answer.json["error"]["message"] == "此任务已不在办理中：流程已越过它继续推进。"


def test_someone_who_cannot_see_the_task_is_still_told_nothing(api: Any, completed: str) -> None:
    for verb, body in VERBS:
        answer = api("township_dispatcher_2").post(f"/tasks/{completed}/{verb}", body)
        assert answer.status_code == 404, (verb, answer.json)


def test_a_finished_task_says_when_and_by_whom(api: Any, completed: str) -> None:
    dispatcher = api("township_dispatcher_1")
    task = dispatcher.get(f"/tasks/{completed}").json
    assert task["completed_by"] == "township_dispatcher_1" and task["completed_at"].endswith("+00:00")
    listed = dispatcher.get("/tasks?status=completed").json["items"]
    assert [(t["id"], t["completed_by"], t["completed_at"]) for t in listed] == [
        (completed, "township_dispatcher_1", task["completed_at"])
    ]
    waiting = api("grid_worker_1").get("/tasks").json["items"]
    assert waiting and all(t["completed_at"] is None and t["completed_by"] is None for t in waiting)


def test_a_cases_history_names_its_steps_in_the_readers_language(api: Any, completed: str) -> None:
    case_id = api("township_dispatcher_1").get(f"/tasks/{completed}").json["case_id"]
    history = api("township_dispatcher_1").get(f"/cases/{case_id}?locale=en").json["history"]
    names = {e["task"]["bpmn_id"]: e["task"]["name"] for e in history if e["task"]}
    assert names["accept_and_assess"] == "Accept and assess"  # was the diagram's own 受理并研判
    chinese = api("township_dispatcher_1").get(f"/cases/{case_id}").json["history"]
    assert {e["task"]["name"] for e in chinese if e["task"] and e["task"]["bpmn_id"] == "accept_and_assess"} == {
        "受理并研判"
    }


def test_a_notification_names_the_step_in_the_readers_language(api: Any) -> None:
    task = api("grid_worker_1").post("/cases", {**START, "data": FIRE_REPORT}).json["open_tasks"][0]
    assert api("leader").post(f"/tasks/{task['id']}/supervise", {"reason": "请加快"}).status_code == 200
    dispatcher = api("township_dispatcher_1")
    english = dispatcher.get("/notifications?locale=en").json["items"][0]["message"]
    assert english.startswith("Supervision notice on task Accept and assess of case ")  # was 受理并研判 in English
    assert "受理并研判" in dispatcher.get("/notifications").json["items"][0]["message"]
