"""Deadlines on inbox rows, warning and overdue alerts, and BPMN timers fired by the worker."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.notifications.models import Notification
from app.org.service import user_by_username
from app.tasks.inbox import inbox_counts, task_state
from app.tasks.models import Task, TaskStatus
from app.worker import loop
from app.worker.loop import TIMER_WAIT, fire_all_due, next_timer_at, pause, sweep
from app.worker.models import Timer
from tests.casetypes.test_hotline_matter import CALL
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, GRID_1


def open_task(case_id: int, bpmn_id: str) -> Task:
    return db.session.scalars(
        select(Task).where(Task.case_id == case_id, Task.bpmn_id == bpmn_id, Task.status == TaskStatus.OPEN)
    ).one()


def events(case_id: int, kind: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
        )
        or 0
    )


def test_a_task_opens_with_its_deadline_and_warning(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = open_task(walk.id, "accept_and_assess")  # deadline "2 working hours", warnAt 75%
    assert task.due_at is not None and task.warn_at is not None
    assert task.created_at < task.warn_at < task.due_at
    assert walk.task("accept_and_assess")["due_at"] == task.due_at.isoformat()


def test_inbox_states_flip_at_warn_at_and_due_at(api: Any, run: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = open_task(walk.id, "accept_and_assess")
    dispatcher = user_by_username("township_dispatcher_1")
    assert task.warn_at is not None and task.due_at is not None and dispatcher is not None
    second = timedelta(seconds=1)
    assert [task_state(task, t) for t in (task.warn_at - second, task.warn_at, task.due_at, task.due_at + second)] == [
        "normal", "warning", "warning", "overdue"]  # fmt: skip
    assert run(inbox_counts, dispatcher, now=task.warn_at - second)["normal"] >= 1
    before = run(inbox_counts, dispatcher, now=task.warn_at - second)
    after = run(inbox_counts, dispatcher, now=task.due_at + second)
    assert after["overdue"] == before["overdue"] + 1 and after["normal"] == before["normal"] - 1


def test_the_worker_alerts_holders_once_at_warning_and_once_when_overdue(api: Any, run: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = open_task(walk.id, "accept_and_assess")
    task_id, warn_at, due_at = task.id, task.warn_at, task.due_at
    assert warn_at is not None and due_at is not None

    def notified(kind: str) -> int:
        stmt = (
            select(func.count())
            .select_from(Notification)
            .where(Notification.task_id == task_id, Notification.kind == kind)
        )
        return int(db.session.scalar(stmt) or 0)

    run(sweep, warn_at - timedelta(seconds=1))
    assert notified("warning") == 0
    run(sweep, warn_at)
    run(sweep, warn_at + timedelta(minutes=1))
    assert notified("warning") == 1 and events(walk.id, "task_warning") == 1
    run(sweep, due_at + timedelta(seconds=1))
    run(sweep, due_at + timedelta(hours=1))
    assert notified("overdue") == 1 and events(walk.id, "task_overdue") == 1
    bell = walk.as_("township_dispatcher_1").get("/notifications").json
    assert bell["unread"] >= 2 and any("超期" in i["message"] or "overdue" in i["message"] for i in bell["items"])


def test_a_burst_of_alerts_goes_out_a_batch_per_sweep(api: Any, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep raises at most ALERT_BATCH alerts per state and says there may be more; the worker then sweeps again
    at once, firing due timers first, so a burst of alerts never holds timers back for long."""
    monkeypatch.setattr(loop, "ALERT_BATCH", 1)
    walks = [Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT) for _ in range(2)]
    tasks = [open_task(walk.id, "accept_and_assess") for walk in walks]
    warn_ats, due_ats = [t.warn_at for t in tasks], [t.due_at for t in tasks]
    assert all(warn_ats) and all(due_ats)
    at = max(w for w in warn_ats if w) + timedelta(seconds=1)
    assert at < min(d for d in due_ats if d)  # both in their warning time, neither overdue
    first, second, third = run(sweep, at), run(sweep, at), run(sweep, at)
    assert (first.warnings, first.more_alerts) == (1, True)
    assert (second.warnings, third.warnings, third.more_alerts) == (1, 0, False)
    assert sum(events(walk.id, "task_warning") for walk in walks) == 2


def hotline_at_township(api: Any) -> Walk:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"})
    return walk


def test_an_escalation_timer_opens_a_supervision_task_when_it_is_due(api: Any, run: Any) -> None:
    walk = hotline_at_township(api)
    timer = db.session.get(Timer, walk.id)
    assert timer is not None
    fire_at = timer.fire_at
    opened = open_task(walk.id, "township_handling").created_at
    assert abs(fire_at - (opened + timedelta(days=7))) < timedelta(seconds=5)
    assert run(sweep, fire_at - timedelta(seconds=1)).timers == 0
    assert walk.open_tasks() == ["township_handling"]
    assert run(sweep, fire_at).timers == 1
    assert walk.open_tasks() == ["escalated_supervision", "township_handling"]
    assert walk.inbox_of("county_dispatcher") == ["escalated_supervision"]
    assert db.session.get(Timer, walk.id) is None  # nothing else is waiting
    assert run(sweep, fire_at + timedelta(days=1)).timers == 0  # fired once
    assert events(walk.id, "timer_fired") == 1
    walk.step("township_dispatcher_1", "township_handling", {"unit_action": "reply", "reply": "已处理"})
    walk.step("county_dispatcher", "escalated_supervision", {"supervision_action": "urged"})
    assert walk.open_tasks() == ["review"]


def test_a_timer_due_long_ago_fires_on_the_next_sweep_and_completing_first_cancels_it(api: Any, run: Any) -> None:
    late = hotline_at_township(api)
    timer = db.session.get(Timer, late.id)
    assert timer is not None
    fire_at = timer.fire_at
    assert run(sweep, fire_at + timedelta(days=30)).timers == 1  # the worker was down for a month: catches up
    on_time = hotline_at_township(api)
    on_time.step("township_dispatcher_1", "township_handling", {"unit_action": "reply", "reply": "已处理"})
    assert db.session.get(Timer, on_time.id) is None
    assert "escalated_supervision" not in on_time.open_tasks()


def test_supervision_is_for_supervisors_of_the_area_and_reaches_the_holder(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = walk.task("accept_and_assess")
    assert walk.as_("township_dispatcher_2").post(f"/tasks/{task['id']}/supervise", {"reason": "x"}).status_code == 404
    assert walk.as_("grid_worker_1").post(f"/tasks/{task['id']}/supervise", {"reason": "x"}).status_code == 403
    leader = walk.as_("leader")
    missing = leader.post(f"/tasks/{task['id']}/supervise", {"reason": "  "})
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    past = leader.post(f"/tasks/{task['id']}/supervise", {"reason": "请尽快", "due_at": "2000-01-01T00:00:00+08:00"})
    assert past.status_code == 422 and "due_at" in past.json["error"]["fields"]
    naive = leader.post(f"/tasks/{task['id']}/supervise", {"reason": "请尽快", "due_at": "2099-01-01T00:00:00"})
    assert naive.status_code == 422
    new_due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    done = leader.post(
        f"/tasks/{task['id']}/supervise", {"reason": "群众反映强烈，请今日办结", "due_at": new_due.isoformat()}
    )
    assert done.status_code == 200 and done.json["due_at"] == new_due.isoformat()
    supervised = walk.as_("township_dispatcher_1").get("/tasks?supervised=1").json["items"]
    assert [t["id"] for t in supervised] == [task["id"]]
    history = walk.case()["history"]
    assert any(
        e["kind"] == "supervised" and e["actor"] == "leader" and e["data"]["reason"].startswith("群众") for e in history
    )
    bell = walk.as_("township_dispatcher_1").get("/notifications").json
    assert any(i["kind"] == "supervised" and i["task_id"] == task["id"] for i in bell["items"])


def test_return_goes_back_to_whoever_assigned_it(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = walk.task("accept_and_assess")
    walk.as_("county_dispatcher").post(f"/tasks/{task['id']}/assign", {"username": "township_dispatcher_1"})
    assert walk.as_("county_dispatcher").post(f"/tasks/{task['id']}/return", {"reason": "x"}).status_code == 403
    assert walk.as_("township_dispatcher_1").post(f"/tasks/{task['id']}/return", {}).status_code == 422
    returned = walk.as_("township_dispatcher_1").post(f"/tasks/{task['id']}/return", {"reason": "不属于本街道"})
    assert returned.status_code == 200 and returned.json["assignee"] is None
    assert any(e["kind"] == "returned" and e["data"]["reason"] == "不属于本街道" for e in walk.case()["history"])
    county = walk.as_("county_dispatcher").get("/notifications").json
    assert any(i["kind"] == "returned" and "不属于本街道" in i["message"] for i in county["items"])


def test_a_dispatcher_sends_a_task_to_another_unit_in_their_area(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task = walk.task("accept_and_assess")
    assert (
        walk.as_("township_dispatcher_1").post(f"/tasks/{task['id']}/assign", {"org_unit": "360123101000"}).status_code
        == 422
    )
    moved = walk.as_("county_dispatcher").post(f"/tasks/{task['id']}/assign", {"org_unit": "360123101000"})
    assert moved.status_code == 200 and moved.json["org_unit"]["code"] == "360123101000"
    assert walk.inbox_of("township_dispatcher_2") == ["accept_and_assess"]
    assert walk.inbox_of("township_dispatcher_1") == []
    nobody = walk.as_("county_dispatcher").post(f"/tasks/{task['id']}/assign", {"org_unit": GRID_1})
    assert nobody.status_code == 422 and "org_unit" in nobody.json["error"]["fields"]


def test_the_inbox_page_shows_counts_and_filters(client: FlaskClient, api: Any) -> None:
    Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    client.post("/login", data={"username": "township_dispatcher_1", "password": "gridcase-demo"})
    page = client.get("/inbox").data.decode()
    assert 'data-count="normal"' in page and 'data-count="overdue"' in page
    assert client.get("/inbox?state=overdue").status_code == 200
    assert client.get("/inbox?supervised=1").status_code == 200


def test_counts_over_the_api(api: Any) -> None:
    Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    counts = api("township_dispatcher_1").get("/tasks/counts").json
    assert set(counts) == {"normal", "warning", "overdue"} and sum(counts.values()) >= 1


def test_case_rows_are_untouched_by_listing(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    assert db.session.get(Case, walk.id) is not None


def test_between_sweeps_the_worker_wakes_when_the_next_timer_comes_due(api: Any, run: Any) -> None:
    assert run(next_timer_at) is None
    walk = hotline_at_township(api)
    timer = db.session.get(Timer, walk.id)
    assert timer is not None
    fire_at = run(next_timer_at)
    assert fire_at == timer.fire_at
    assert pause(1.0, None, fire_at) == 1.0  # nothing waiting: the next full sweep
    assert pause(1.0, fire_at, fire_at - timedelta(seconds=0.3)) == pytest.approx(0.3)  # the timer comes first
    assert pause(1.0, fire_at, fire_at - timedelta(hours=1)) == 1.0  # the sweep comes first
    assert pause(1.0, fire_at, fire_at + timedelta(seconds=5)) == TIMER_WAIT  # due (its case held): look again soon
    assert pause(-0.2, None, fire_at) == 0.0  # the sweep is overdue
    assert run(fire_all_due, fire_at) == 1
    assert run(next_timer_at) is None
