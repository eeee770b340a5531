"""The worker goes on through what it cannot mend: the database dropping its connection or failing a turn, and a
notification sender that raises.

The database tests commit for real (no per-test rollback), like tests/deadlines/test_worker_concurrency.py: ending
the worker's connection from outside would end the per-test transaction with it.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.pool import NullPool

from app.cases.models import Case, CaseEvent
from app.clock import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.org.service import user_by_username
from app.tasks.models import Task
from app.worker.loop import BACKOFF_MAX, backoff, turns
from app.worker.models import Timer
from tests.deadlines.test_worker_concurrency import fire_time, fired, hotline_case_at_township


@pytest.fixture
def committed_case(app: Flask) -> Iterator[int]:
    """A hotline case waiting at the township, its escalation timer committed; removed afterwards."""
    case_id = hotline_case_at_township(app)
    yield case_id
    with app.app_context():
        db.engine.dispose()  # no connection a test had the server drop stays pooled for the next test
        for model, column in ((Notification, Notification.case_id), (CaseEvent, CaseEvent.case_id),
                              (Task, Task.case_id), (Timer, Timer.case_id), (Case, Case.id)):  # fmt: skip
            db.session.execute(delete(model).where(column == case_id))
        db.session.commit()


def terminate_other_backends(engine: Engine) -> int:
    """End every other session on the database, the pooled connections of the worker among them, as a restart
    does; how many were ended."""
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as conn:
        ended = conn.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar_one()  # fmt: skip
    killer.dispose()
    return int(ended)


def test_the_next_sweep_fires_a_due_timer_after_the_database_dropped_the_workers_connection(
    app: Flask, committed_case: int, caplog: pytest.LogCaptureFixture
) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("an SQLite connection is a file handle: the server cannot drop it (PostgreSQL runs this test)")
    fire_at = fire_time(app, [committed_case])
    now = [fire_at - timedelta(seconds=1)]
    with app.app_context():
        worker = turns(0.0, lambda _line: None, lambda: now[0])  # interval 0: every turn is a full sweep
        next(worker)  # nothing due yet; the worker's connection goes back to the pool, where the server ends it
        assert terminate_other_backends(db.engine) >= 1
        now[0] = fire_at + timedelta(seconds=1)
        assert next(worker) == 0.0  # no backoff: the turn did not fail
    assert fired(app, [committed_case]) == 1
    assert "database connection was lost" in caplog.text  # the kill did reach the worker, which reconnected
    assert "turn failed" not in caplog.text


@contextmanager
def timer_table_away(engine: Engine) -> Iterator[None]:
    """The timer table renamed while the block runs: every statement of the worker's sweep fails on it."""
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE timer RENAME TO timer_away"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE timer_away RENAME TO timer"))


def test_a_turn_that_fails_on_the_database_is_rolled_back_logged_and_tried_again_after_a_backoff(
    app: Flask, committed_case: int, caplog: pytest.LogCaptureFixture
) -> None:
    now = fire_time(app, [committed_case]) + timedelta(seconds=1)
    with app.app_context():
        worker = turns(0.0, lambda _line: None, lambda: now)
        with timer_table_away(db.engine):
            waits = [next(worker), next(worker), next(worker)]
        assert fired(app, [committed_case]) == 0
        assert next(worker) == 0.0  # the database is whole again: the next turn sweeps and the backoff is over
    assert waits == [1.0, 2.0, 4.0]
    assert fired(app, [committed_case]) == 1
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and "turn failed" in r.getMessage()]
    assert len(failures) == 3 and all(r.exc_info for r in failures)  # each with its traceback
    assert "working again after 3 failed turns" in caplog.text


def test_the_backoff_doubles_up_to_its_bound() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4, 5, 6, 7, 100, 10**9)] == [1, 2, 4, 8, 16, BACKOFF_MAX, 30, 30, 30]


class FlakySender:
    """A channel that refuses some notifications (an SMS gateway timing out) and records the ones it sent."""

    broken: ClassVar[set[int]] = set()
    sent: ClassVar[list[int]] = []

    def send(self, notification: Notification, text: str) -> None:
        if notification.id in self.broken:
            raise ConnectionError("gateway timed out")
        self.sent.append(notification.id)


def outcome_notifications(usernames: list[str], now: datetime) -> list[int]:
    users = [user_by_username(name) for name in usernames]
    notes = [Notification(user_id=user.id, kind="case_outcome", case_id=None, task_id=None,
                          params={"case_number": "X-1", "outcome": "done"}, created_at=now)
             for user in users if user is not None]  # fmt: skip
    db.session.add_all(notes)
    db.session.commit()
    return [n.id for n in notes]


def delivered(ids: list[int]) -> list[bool]:
    stmt = select(Notification.id, Notification.delivered_at).where(Notification.id.in_(ids))
    return [at is not None for _id, at in sorted(db.session.execute(stmt).tuples())]


def test_a_sender_that_raises_leaves_its_notification_pending_and_the_worker_goes_on(
    app: Flask, session: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_NOTIFICATION_SENDERS", f"{__name__}:FlakySender")
    monkeypatch.setattr(FlakySender, "sent", [])
    with app.app_context():
        ids = outcome_notifications(["grid_worker_1", "county_dispatcher", "township_dispatcher_1"], utcnow())
    monkeypatch.setattr(FlakySender, "broken", {ids[1]})
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert [i for i in FlakySender.sent if i in ids] == [ids[0], ids[2]]  # the one after the failure went out too
    with app.app_context():
        assert delivered(ids) == [True, False, True]
    assert f"notification {ids[1]}: a sender failed" in caplog.text and "gateway timed out" in caplog.text
    monkeypatch.setattr(FlakySender, "broken", set())  # the gateway is back: the next sweep delivers it
    assert app.test_cli_runner().invoke(args=["worker", "--once"]).exit_code == 0
    assert [i for i in FlakySender.sent if i in ids] == [ids[0], ids[2], ids[1]]
    with app.app_context():
        assert delivered(ids) == [True, True, True]
