"""Several workers never fire a timer twice, and a killed worker's timer is fired by the next.

Real threads and real commits (no per-test rollback), like tests/test_concurrency.py;
CI runs them against PostgreSQL, where FOR UPDATE SKIP LOCKED shares the work out.
"""

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from app.cases.models import Case, CaseEvent
from app.extensions import db
from app.notifications.models import Notification
from app.tasks.models import Task
from app.worker.loop import sweep
from app.worker.models import Timer
from tests.casetypes.test_hotline_matter import CALL
from tests.conftest import GRID_1, Api


def hotline_case_at_township(app: Flask) -> int:
    client = app.test_client()
    operator, county = Api(client, "hotline_operator"), Api(client, "county_dispatcher")
    started = operator.post("/cases", {"case_type": "hotline_matter", "org_unit": GRID_1, "data": CALL}).json
    operator.post(f"/tasks/{started['open_tasks'][0]['id']}/complete", {"data": {"direct_answer": False}})
    dispatch = county.get(f"/cases/{started['id']}").json["open_tasks"][0]
    county.post(f"/tasks/{dispatch['id']}/complete", {"data": {"dispatch_to": "township"}})
    return int(started["id"])


@pytest.fixture
def committed_cases(app: Flask) -> Iterator[list[int]]:
    ids = [hotline_case_at_township(app) for _ in range(6)]
    yield ids
    with app.app_context():
        for model, column in ((Notification, Notification.case_id), (CaseEvent, CaseEvent.case_id),
                              (Task, Task.case_id), (Timer, Timer.case_id), (Case, Case.id)):  # fmt: skip
            db.session.execute(delete(model).where(column.in_(ids)))
        db.session.commit()


def fire_time(app: Flask, ids: list[int]) -> Any:
    with app.app_context():
        return db.session.scalar(select(func.max(Timer.fire_at)).where(Timer.case_id.in_(ids)))


def fired(app: Flask, ids: list[int]) -> int:
    with app.app_context():
        stmt = (
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id.in_(ids), CaseEvent.kind == "timer_fired")
        )
        return int(db.session.scalar(stmt) or 0)


def test_two_workers_fire_each_timer_exactly_once(app: Flask, committed_cases: list[int]) -> None:
    now = fire_time(app, committed_cases) + timedelta(seconds=1)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            counts.append(sweep(now).timers)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert fired(app, committed_cases) == len(committed_cases)
    assert sum(counts) >= len(committed_cases)  # other tests' due timers may be fired too, never ours twice
    with app.app_context():
        supervision = (
            select(func.count())
            .select_from(Task)
            .where(Task.case_id.in_(committed_cases), Task.bpmn_id == "escalated_supervision")
        )
        assert db.session.scalar(supervision) == len(committed_cases)


def test_a_killed_workers_timer_is_fired_by_the_next(app: Flask, committed_cases: list[int]) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has no row locks: run one worker per SQLite database (PostgreSQL runs this test)")
    now = fire_time(app, committed_cases) + timedelta(seconds=1)
    stuck = committed_cases[0]
    with app.app_context():
        engine = db.engine
    with engine.connect() as killed_worker:
        killed_worker.begin()
        killed_worker.execute(text("SELECT case_id FROM timer WHERE case_id = :id FOR UPDATE"), {"id": stuck})
        with app.app_context():
            sweep(now)
        assert fired(app, committed_cases) == len(committed_cases) - 1  # the claimed one is skipped, not waited for
        killed_worker.rollback()  # the worker dies: its transaction is rolled back and the claim released
    with app.app_context():
        sweep(now)
    assert fired(app, committed_cases) == len(committed_cases)
