"""The locked case and its tasks read as Core rows and made into objects (app/cases/loaded.py): the same values the
ORM loads, persistent in the session with no history, and an object the session held already given the values
read now, as `populate_existing` would."""

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import inspect, update

from app.cases.locking import lock_case_of_task
from app.cases.models import Case
from app.extensions import db
from app.tasks.models import Task
from app.worker.models import Timer
from tests.conftest import FIRE_REPORT, GRID_1


def _started(api: Any) -> dict[str, Any]:
    response = api("grid_worker_1").post(
        "/cases", json={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def _columns(obj: object) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def _as_the_orm_loads(model: type, key: Any) -> dict[str, Any]:
    db.session.expunge_all()  # the ORM loads afresh what the test's transaction holds
    return _columns(db.session.get(model, key))


def test_the_locked_case_and_its_tasks_are_what_the_orm_loads(app: Flask, api: Any) -> None:
    started = _started(api)
    task_id = started["open_tasks"][0]["id"]
    with app.app_context():
        found = lock_case_of_task(task_id)
        assert found is not None
        case, tasks = found
        assert [t.id for t in tasks] == [task_id]
        assert case.process_version.id == case.process_version_id and case.org_unit.id == case.org_unit_id
        assert case.org_unit.code == GRID_1
        assert case.timer is None  # the fire-hazard case waits for a person, not a timer: the outer join found none
        assert case.open_tasks == tasks and tasks[0].case is case
        for obj in (case, tasks[0], case.org_unit, case.process_version):
            assert inspect(obj).persistent and obj in db.session and not db.session.is_modified(obj)
        read = _columns(case), _columns(tasks[0])
        assert read == (_as_the_orm_loads(Case, case.id), _as_the_orm_loads(Task, task_id))  # the state included


def test_a_case_and_task_the_session_held_already_get_the_values_read_now(app: Flask, api: Any) -> None:
    started = _started(api)
    task_id = started["open_tasks"][0]["id"]
    with app.app_context():
        held_case, held_task = db.session.get(Case, started["id"]), db.session.get(Task, task_id)
        assert held_case is not None and held_task is not None and held_case.timer is None
        later = held_task.created_at + timedelta(days=3)
        # Changed behind the session's back, as another transaction would before this one took the lock.
        db.session.execute(update(Task.__table__).where(Task.__table__.c.id == task_id).values(due_at=later))
        db.session.execute(update(Case.__table__).where(Case.__table__.c.id == held_case.id).values(title="moved"))
        db.session.add(Timer(case_id=held_case.id, fire_at=later))
        db.session.flush()
        found = lock_case_of_task(task_id)
        assert found is not None
        case, tasks = found
        assert case is held_case and tasks == [held_task]
        assert case.title == "moved" and held_task.due_at == later
        assert case.timer is not None and case.timer.fire_at == later
        assert not db.session.is_modified(case) and not db.session.is_modified(held_task)


def test_an_unknown_task_locks_nothing(app: Flask) -> None:
    with app.app_context():
        assert lock_case_of_task("00000000-0000-0000-0000-000000000000") is None
