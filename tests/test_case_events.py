"""The audit trail is queued on the session and written in batches: a transaction still sees its own events,
a rollback (or a savepoint's) drops what it queued, and a batch of changes writes its events in one INSERT."""

from typing import Any

from flask import Flask

from app.cases.events import add_event
from app.cases.locking import lock_case
from app.cases.service import history_of
from app.extensions import db
from app.org.models import User
from tests.conftest import FIRE_REPORT, GRID_1
from tests.perf.statements import statements


def _start(api: Any) -> int:
    worker = api("grid_worker_1")
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    response = worker.post("/cases", json=body)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def _kinds(case_id: int) -> list[str]:
    return [e.kind for e in history_of(lock_case(case_id))]


def _note(case_id: int, text: str) -> None:
    case = lock_case(case_id)
    add_event(case, "noted", actor=db.session.get(User, case.opened_by_id), now=case.opened_at, payload={"t": text})


def test_a_transaction_reads_its_own_events_before_any_flush(api: Any, run: Any) -> None:
    case_id = _start(api)

    def note_then_read() -> tuple[list[str], list[Any]]:
        _note(case_id, "one")
        _note(case_id, "two")
        events = history_of(lock_case(case_id))  # no flush, nothing dirty: the query writes the queue first
        return [e.kind for e in events], [e.payload for e in events if e.kind == "noted"]

    kinds, payloads = run(note_then_read)
    assert kinds[0] == "started" and kinds[-2:] == ["noted", "noted"]
    assert payloads == [{"t": "one"}, {"t": "two"}]  # in the order they happened


def test_a_rollback_drops_the_queued_events_and_a_commit_keeps_them(api: Any, run: Any) -> None:
    case_id = _start(api)

    def rolled_back() -> list[str]:
        _note(case_id, "lost")
        db.session.rollback()
        return _kinds(case_id)

    def committed() -> list[str]:
        _note(case_id, "kept")
        db.session.commit()
        db.session.rollback()  # nothing left to drop
        return _kinds(case_id)

    assert "noted" not in run(rolled_back)
    assert run(committed).count("noted") == 1


def test_a_savepoint_rollback_drops_only_what_was_queued_inside_it(api: Any, run: Any) -> None:
    case_id = _start(api)

    def with_savepoint() -> list[Any]:
        _note(case_id, "before")
        savepoint = db.session.begin_nested()
        _note(case_id, "inside")
        savepoint.rollback()
        _note(case_id, "after")
        db.session.commit()
        return [e.payload["t"] for e in history_of(lock_case(case_id)) if e.kind == "noted"]

    assert run(with_savepoint) == ["before", "after"]


def test_one_change_writes_its_events_in_one_statement(app: Flask, api: Any) -> None:
    case_id = _start(api)
    dispatcher = api("township_dispatcher_1")
    task_id = dispatcher.get(f"/cases/{case_id}").json["open_tasks"][0]["id"]
    assert dispatcher.post(f"/tasks/{task_id}/claim").status_code == 200
    with statements(app) as seen:
        body = {"data": {"severity_decision": "minor", "assessment_opinion": "现场可整改"}}
        assert dispatcher.post(f"/tasks/{task_id}/complete", json=body).status_code == 200
    inserts = [s for s in seen if "INSERT INTO case_event" in s]  # on PostgreSQL within the step's one statement
    assert len(inserts) == 1, seen
    assert "RETURNING" not in inserts[0]
    assert _kinds_after(app, case_id)[-2:] == ["completed", "task_opened"]


def _kinds_after(app: Flask, case_id: int) -> list[str]:
    with app.app_context():
        return _kinds(case_id)
