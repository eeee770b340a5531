"""A supervision notice's new deadline outside the accepted years is refused by name, and nothing is written."""

from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases.models import CaseEvent
from app.extensions import db
from app.notifications.models import Notification
from app.tasks.models import Task
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, login

EDGES = ["9999-12-31T20:00:00-05:00", "9999-12-31T23:59:59+00:00", "2101-01-01T00:00:00+08:00",
         "0001-01-01T00:00:00+08:00", "1999-12-31T23:00:00+08:00"]  # fmt: skip
LOCAL_EDGES = ["9999-12-31T23:30", "0001-01-01T00:00", "2101-01-01T08:00", *EDGES]


def untouched(task_id: str, case_id: int) -> bool:
    task = db.session.get(Task, task_id)
    assert task is not None
    db.session.refresh(task)
    supervised = select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id,
                                                                   CaseEvent.kind == "supervised")  # fmt: skip
    notified = select(func.count()).select_from(Notification).where(Notification.kind == "supervised")
    return task.supervised_at is None and not db.session.scalar(supervised) and not db.session.scalar(notified)


def test_the_api_refuses_a_deadline_outside_the_accepted_years(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = walk.task("accept_and_assess")
    leader = walk.as_("leader")
    for due_at in EDGES:
        response = leader.post(f"/tasks/{task['id']}/supervise", {"reason": "x", "due_at": due_at})
        assert response.status_code == 422, (due_at, response.status_code)
        assert set(response.json["error"]["fields"]) == {"due_at"}, due_at
        assert "2100" in response.json["error"]["fields"]["due_at"] or due_at.startswith(("0001", "1999"))
    assert untouched(task["id"], walk.id)
    last_day = "2100-12-31T23:59:59-12:00"  # the last accepted day, by its own date: 2101-01-01 in UTC
    last = leader.post(f"/tasks/{task['id']}/supervise", {"reason": "x", "due_at": last_day})
    assert last.status_code == 200 and datetime.fromisoformat(last.json["due_at"]) == datetime.fromisoformat(last_day)
    assert last.json["due_at"] == "2101-01-01T11:59:59+00:00"  # in UTC, as every later read of the task says it
    assert walk.as_("leader").get(f"/tasks/{task['id']}").json["due_at"] == last.json["due_at"]


def test_the_task_page_refuses_a_deadline_outside_the_accepted_years(client: FlaskClient, api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = walk.task("accept_and_assess")
    login(client, "leader")
    for due_at in LOCAL_EDGES:
        response = client.post(f"/tasks/{task['id']}/supervise", data={"reason": "x", "due_at": due_at})
        assert response.status_code == 422, (due_at, response.status_code)
        assert 'id="supervise-due-error"' in response.data.decode()  # on the task page, beside the field
    assert untouched(task["id"], walk.id)
    done = client.post(f"/tasks/{task['id']}/supervise", data={"reason": "x", "due_at": "2100-12-31T23:59"})
    assert done.status_code == 302
