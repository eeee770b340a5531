"""An engine step's rows (app/cases/rows.py): on PostgreSQL one statement for the case, its tasks, its timer and its
events, read back exactly as written; rows that two parts would touch, and SQLite, go one statement per group."""

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.cases.events import add_event
from app.cases.locking import lock_case
from app.cases.models import Case, CaseEvent
from app.cases.rows import RowWrites
from app.extensions import db
from app.tasks.models import Task, TaskStatus
from app.worker.models import Timer
from tests.conftest import FIRE_REPORT, GRID_1
from tests.perf.statements import statements

WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def _start(api: Any) -> dict[str, Any]:
    response = api("grid_worker_1").post(
        "/cases", json={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def _writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith(WRITES)]


def test_a_completion_writes_its_rows_and_events_in_one_statement_on_postgresql(app: Flask, api: Any) -> None:
    started = _start(api)
    dispatcher = api("township_dispatcher_1")
    task_id = started["open_tasks"][0]["id"]
    assert dispatcher.post(f"/tasks/{task_id}/claim").status_code == 200
    answer = {"severity_decision": "minor", "assessment_opinion": '现场可整改，"限期"三天\n见附件'}
    with statements(app) as seen:
        response = dispatcher.post(f"/tasks/{task_id}/complete", json={"data": answer})
    assert response.status_code == 200, response.json
    writes = _writes(seen)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len(writes) == 1, writes
        for part in ('UPDATE "case"', "UPDATE task", "INSERT INTO task", "INSERT INTO case_event"):
            assert part in writes[0], part
    else:
        assert len(writes) == 4, writes  # the new task, the completed one, the case, the events

    with app.app_context():
        case = db.session.get(Case, started["id"])
        assert case is not None
        assert case.data["assessment_opinion"] == answer["assessment_opinion"]
        assert case.data["address"] == FIRE_REPORT["address"]
        assert case.state_version == 2
        done = db.session.get(Task, task_id)
        assert done is not None and done.status is TaskStatus.COMPLETED
        assert done.completed_at is not None and done.completed_at.tzinfo is not None
        opened = db.session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)).one()
        assert opened.created_at == done.completed_at  # both are the request's `now`, to the microsecond
        assert opened.due_at is not None and opened.due_at > opened.created_at
        kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
        assert list(kinds)[-2:] == ["completed", "task_opened"]
        completed = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "completed")
        ).one()
        assert completed.payload == answer
        db.session.commit()


def test_rows_two_parts_would_touch_go_one_statement_each(app: Flask, api: Any, run: Any) -> None:
    case_id = _start(api)["id"]
    later = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    def move_then_drop_timer() -> tuple[list[str], Timer | None]:
        case = lock_case(case_id)
        timer = Timer(case_id=case.id, fire_at=later)
        first = RowWrites()
        first.insert(timer)
        first.write()
        assert db.session.get(Timer, case.id) is timer
        rows = RowWrites()
        rows.update(timer, fire_at=later + timedelta(days=1))
        rows.delete(timer)  # the same row twice: a WITH's parts could not see each other's change
        add_event(case, "noted", actor=None, now=later)
        with statements(app) as seen:
            rows.write()
        db.session.commit()
        db.session.expunge_all()
        return _writes(seen), db.session.get(Timer, case_id)

    writes, timer = run(move_then_drop_timer)
    assert [w.split()[0] for w in writes] == ["UPDATE", "DELETE", "INSERT"]  # the events last
    assert "case_event" in writes[2]
    assert timer is None


def test_an_insert_gets_the_columns_python_side_defaults(app: Flask, api: Any, run: Any) -> None:
    case_id = _start(api)["id"]
    now = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    def insert_task_without_status() -> tuple[TaskStatus, datetime, str]:
        case = lock_case(case_id)
        task = Task(id="rows-test-task", case_id=case.id, bpmn_id="t", name="t", role="grid_worker",
                    org_unit_id=case.org_unit_id, created_at=now)  # fmt: skip
        rows = RowWrites()
        rows.insert(task)
        rows.write()
        db.session.commit()
        db.session.expunge_all()
        found = db.session.get(Task, "rows-test-task")
        assert found is not None
        return found.status, found.created_at, found.alerted

    assert run(insert_task_without_status) == (TaskStatus.OPEN, now, "normal")
