"""Two people completing the same task at the same moment: one wins, the other gets 409.

Real threads, real commits (no per-test rollback here), on every backend under test;
CI runs it against PostgreSQL, where the case row lock (SELECT ... FOR UPDATE) decides.
"""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

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
