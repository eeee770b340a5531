"""Two people completing the same task at the same moment: one wins, the other gets 409.

Real threads, real commits (no per-test rollback here), on every backend under test;
CI runs it against PostgreSQL, where the case row lock (SELECT ... FOR UPDATE) decides.
"""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from app.cases.locking import lock_case
from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.tasks.models import Task, TaskStatus
from tests.conftest import FIRE_REPORT, GRID_1, Api


@pytest.fixture
def committed_case(app: Flask) -> Iterator[dict[str, Any]]:
    reporter = Api(app.test_client(), "grid_worker_1")
    started = reporter.post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    )
    assert started.status_code == 201
    yield started.json
    with app.app_context():
        case_id = started.json["id"]
        db.session.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id))
        db.session.execute(delete(Task).where(Task.case_id == case_id))
        db.session.execute(delete(Case).where(Case.id == case_id))
        db.session.commit()


def race(app: Flask, calls: list[tuple[str, dict[str, Any]]], username: str) -> list[int]:
    clients = [Api(app.test_client(), username) for _ in calls]
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(i: int) -> None:
        path, body = calls[i]
        barrier.wait()
        statuses[i] = clients[i].post(path, body).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_double_completion_in_parallel(app: Flask, committed_case: dict[str, Any]) -> None:
    task_id = committed_case["open_tasks"][0]["id"]
    calls = [
        (f"/tasks/{task_id}/complete", {"data": {"severity_decision": decision}}) for decision in ("minor", "serious")
    ] * 2
    statuses = race(app, calls, "township_dispatcher_1")
    assert sorted(statuses) == [200, 409, 409, 409], statuses
    with app.app_context():
        case = db.session.get(Case, committed_case["id"])
        assert case is not None and case.state_version == 2  # started, then exactly one completion
        opened = db.session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)).all()
        assert len(opened) == 1
        expected = "urge_rectification" if case.data["severity_decision"] == "minor" else "enforce_rectification"
        assert opened[0].bpmn_id == expected
        completions = db.session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "completed")
        )
        assert completions == 1
        db.session.remove()


def while_another_holds_the_case(
    app: Flask, case_id: int, call: Callable[[], int], change: Callable[[Any], None]
) -> int:
    """Run `call` (a request, say) while another transaction holds the case's lock; once `call` waits for it, that
    transaction makes `change` and commits. Returns what `call` returned. PostgreSQL only: SQLite has no row locks."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no row locks: one writer at a time (PostgreSQL runs this test)")
    with app.app_context():
        engine = db.engine
    status: list[int] = []
    with engine.connect() as holder, engine.connect() as watcher:
        holder.begin()
        holder.execute(text('SELECT id FROM "case" WHERE id = :id FOR UPDATE'), {"id": case_id})
        thread = threading.Thread(target=lambda: status.append(call()))
        thread.start()
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        deadline = time.monotonic() + 30
        while not watcher.execute(waiting).scalar() and time.monotonic() < deadline:
            watcher.rollback()
            time.sleep(0.02)
        change(holder)
        holder.commit()
        thread.join(timeout=60)
    return status[0]


def test_a_completion_that_waited_for_the_lock_sees_the_tasks_opened_meanwhile(
    app: Flask, committed_case: dict[str, Any]
) -> None:
    """The lock and the case's open tasks are one statement (app/cases/locking.py). A statement that waited for the
    lock reads the rows it locks as they are now, but finds no row inserted meanwhile: a task another step opened
    while this request waited must still be seen. Here the other transaction rewrites the case's row and opens a task
    the engine does not know, as a step would; the completion sees it open and, as the engine has no such task,
    closes it."""
    task_id, case_id = committed_case["open_tasks"][0]["id"], committed_case["id"]
    dispatcher = Api(app.test_client(), "township_dispatcher_1")

    def complete() -> int:
        return int(dispatcher.post(f"/tasks/{task_id}/complete", {"data": {"severity_decision": "minor"}}).status_code)

    def open_a_task(holder: Any) -> None:
        holder.execute(text('UPDATE "case" SET state_version = state_version + 1 WHERE id = :id'), {"id": case_id})
        # As a step would, it also writes the waiting request's task: the request must not hold that row yet (it
        # locks the case first), or each would wait for the other until PostgreSQL broke the deadlock.
        holder.execute(text("UPDATE task SET supervised_at = now() WHERE id = :task"), {"task": task_id})
        holder.execute(
            text("INSERT INTO task (id, case_id, bpmn_id, name, role, org_unit_id, status, created_at, alerted) "
                 "SELECT 'opened-meanwhile', case_id, 'elsewhere', 'Elsewhere', role, org_unit_id, 'open', now(), "
                 "'normal' FROM task WHERE id = :task"),
            {"task": task_id},
        )  # fmt: skip

    assert while_another_holds_the_case(app, case_id, complete, open_a_task) == 200
    with app.app_context():
        opened_meanwhile = db.session.get(Task, "opened-meanwhile")
        assert opened_meanwhile is not None and opened_meanwhile.status is TaskStatus.CANCELLED
        db.session.remove()


def test_a_claim_that_waited_for_the_lock_sees_the_task_claimed_meanwhile(
    app: Flask, committed_case: dict[str, Any]
) -> None:
    """A task changed while the request waited (claimed, here, without touching the case's row) is read as it is
    now: its rows are locked with the case's, so the second claim is refused, not laid over the first."""
    task_id, case_id = committed_case["open_tasks"][0]["id"], committed_case["id"]
    dispatcher = Api(app.test_client(), "township_dispatcher_1")

    def claim() -> int:
        return int(dispatcher.post(f"/tasks/{task_id}/claim").status_code)

    def claim_first(holder: Any) -> None:
        holder.execute(
            text("UPDATE task SET assignee_id = (SELECT id FROM \"user\" WHERE username = 'county_dispatcher') "
                 "WHERE id = :task"),
            {"task": task_id},
        )  # fmt: skip

    assert while_another_holds_the_case(app, case_id, claim, claim_first) == 409
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task is not None and task.assignee is not None and task.assignee.username == "county_dispatcher"
        db.session.remove()


def test_a_case_locked_by_id_after_a_wait_comes_with_the_timer_set_meanwhile(
    app: Flask, committed_case: dict[str, Any]
) -> None:
    """`lock_case` (a task loaded before its case was locked, triage, case migration) reads the case's timer with it;
    a timer another step set while it waited is not missed, so the next step moves it instead of adding a second."""
    case_id = committed_case["id"]

    def has_timer() -> int:
        with app.app_context():
            found = lock_case(case_id).timer is not None
            db.session.rollback()
            return int(found)

    def set_timer(holder: Any) -> None:
        holder.execute(text('UPDATE "case" SET state_version = state_version + 1 WHERE id = :id'), {"id": case_id})
        holder.execute(
            text("INSERT INTO timer (case_id, fire_at) VALUES (:id, now() + interval '1 day')"), {"id": case_id}
        )

    assert while_another_holds_the_case(app, case_id, has_timer, set_timer) == 1
