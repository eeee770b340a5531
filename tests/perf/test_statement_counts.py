"""Round trips per request on the hot paths, counted: a regression here is a slowdown at county scale.

Upper bounds, not timings. Each bound is what the design needs (listed per test); the earlier
count is in the comment so a reader sees what was saved. SQLite sends one INSERT per new event
row where PostgreSQL batches them (no ordered insertmanyvalues with RETURNING), hence its +1.
"""

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.calendars.models import CalendarDay
from app.clock import utcnow
from app.extensions import db
from app.org.models import Membership
from app.org.service import unit_by_code, user_by_username
from app.tasks.models import Task
from app.worker.loop import fire_due_timers
from app.worker.models import Timer
from tests.conftest import FIRE_REPORT, GRID_1, TOWNSHIP_1, Api, login, make_user
from tests.deadlines.test_deadlines_and_worker import hotline_at_township
from tests.perf.statements import statements

MINOR = {"severity_decision": "minor", "assessment_opinion": "现场可整改"}


def _bound(app: Flask, postgresql: int, sqlite: int) -> int:
    with app.app_context():
        return postgresql if db.engine.dialect.name == "postgresql" else sqlite


def _start(api: Any) -> dict[str, Any]:
    reporter = api if isinstance(api, Api) else api("grid_worker_1")
    response = reporter.post(
        "/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_claim_is_three_statements(app: Flask, api: Any) -> None:
    """Token, lock the case (found by the task id) reading its open tasks with it (app/cases/locking.py), the update
    with its event (one statement on PostgreSQL, two on SQLite, app/cases/rows.py). Was 7.

    The token is checked every time; the user's roles come from this process's copy after their first request
    (app/auth/principals.py), which reads them with the user (one more statement, once per user and process)."""
    task = _start(api)["open_tasks"][0]
    dispatcher = api("township_dispatcher_1")
    assert dispatcher.get("/me").status_code == 200
    with statements(app) as seen:
        response = dispatcher.post(f"/tasks/{task['id']}/claim")
    assert response.status_code == 200 and response.json["assignee"] == "township_dispatcher_1"
    assert len(seen) <= _bound(app, 3, 4), seen
    assert sum("FOR UPDATE" in s for s in seen) == _bound(app, 1, 0)  # SQLite locks with BEGIN IMMEDIATE


def test_complete_is_four_statements_and_reads_no_calendar(app: Flask, api: Any) -> None:
    """Token, lock with the open tasks, where the next task lands; then the step's rows and events in one statement
    on PostgreSQL (one per table on SQLite: 8). Was 17.

    The next task has a deadline: the working calendar comes from the process cache, the
    process version and the case's timer come with the locked case, the new task's unit
    comes whole (no lazy load while answering).
    """
    task = _start(api)["open_tasks"][0]
    dispatcher = api("township_dispatcher_1")
    assert dispatcher.post(f"/tasks/{task['id']}/claim").status_code == 200
    with statements(app) as seen:
        response = dispatcher.post(f"/tasks/{task['id']}/complete", {"data": MINOR})
    assert response.status_code == 200, response.json
    assert [t["bpmn_id"] for t in response.json["open_tasks"]] == ["urge_rectification"]
    assert response.json["open_tasks"][0]["due_at"] is not None
    assert len(seen) <= _bound(app, 4, 8), seen
    assert not [s for s in seen if "calendar_day" in s or "FROM timer" in s or "FROM process_version" in s], seen


def test_start_is_six_statements(app: Flask, api: Any) -> None:
    """Token, case type, grid, insert, then the step's rows and events in one statement on PostgreSQL (one per table
    on SQLite: 9). Was 15. Where the task lands (the township, above the grid) is kept per process with the unit.

    One more since the dashboard's rollup: one upsert adds the case to case_day_stat (received, for its grid and every
    ancestor) in the same transaction, so the dashboard never counts a year of cases (app/dashboard/rollup.py)."""
    reporter = api("grid_worker_1")
    _start(reporter)  # the calendar is now in the process cache
    with statements(app) as seen:
        _start(reporter)
    assert len(seen) <= _bound(app, 6, 9), seen
    assert sum("case_day_stat" in s for s in seen) == 1, seen


def test_a_calendar_edit_moves_the_next_deadline_at_once(app: Flask, api: Any) -> None:
    """The cached calendar is dropped when an admin edits it: the next task counts the new holidays."""
    before = _start(api)["open_tasks"][0]
    admin = api("admin")
    today = utcnow().date()
    for offset in range(-1, 20):  # the local date may be a day ahead of UTC
        day = (today + timedelta(days=offset)).isoformat()
        put = admin.client.put(f"/api/v1/calendar/{day}", headers=admin.headers, json={"is_workday": False})
        assert put.status_code == 200
    after = _start(api)["open_tasks"][0]
    assert after["due_at"][:10] > (today + timedelta(days=14)).isoformat() > before["due_at"][:10]


def test_another_process_edit_is_seen_when_the_cache_expires(app: Flask, api: Any, monkeypatch: Any) -> None:
    """A day stored by another process (here: behind the services' back) is read once the cache is stale."""
    monkeypatch.setitem(app.config, "GRIDCASE_CALENDAR_CACHE_SECONDS", 3600)
    _start(api)
    today = utcnow().date()
    db.session.add_all(
        [CalendarDay(day=today + timedelta(days=n), is_workday=False, name="停电") for n in range(-1, 20)]
    )
    db.session.commit()
    cached = _start(api)["open_tasks"][0]
    assert cached["due_at"][:10] <= (today + timedelta(days=14)).isoformat()  # the cache does not see it yet
    monkeypatch.setitem(app.config, "GRIDCASE_CALENDAR_CACHE_SECONDS", 0)
    fresh = _start(api)["open_tasks"][0]
    assert fresh["due_at"][:10] > (today + timedelta(days=14)).isoformat()
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.due_at.is_not(None))) >= 3
    assert date.fromisoformat(fresh["due_at"][:10]) > date.fromisoformat(cached["due_at"][:10])


def test_the_inbox_merges_its_branches_in_order_and_pages_in_two_statements(app: Flask, api: Any) -> None:
    """Mine plus one branch per role x unit held, merged in display order; a page is the token and one query.

    Was 5 (ids, rows, the assignee's roles, the process version) with every branch filtered from all open tasks.
    """
    make_user("inbox_both", "township_dispatcher", TOWNSHIP_1)
    with app.app_context():
        db.session.add(
            Membership(user=user_by_username("inbox_both"), role="grid_worker", org_unit=unit_by_code(GRID_1))
        )
        db.session.commit()
    both = api("inbox_both")
    accepts = [_start(api("grid_worker_1"))["open_tasks"][0] for _ in range(3)]
    urge = api("township_dispatcher_1").post(f"/tasks/{accepts[0]['id']}/complete", {"data": MINOR}).json
    assert both.post(f"/tasks/{accepts[1]['id']}/claim").status_code == 200
    ours = {accepts[1]["id"], accepts[2]["id"], urge["open_tasks"][0]["id"]}

    full = both.get("/tasks?limit=200").json["items"]
    assert ours <= {t["id"] for t in full}
    key = [(t["due_at"] is None, t["due_at"] or "", t["created_at"], t["id"]) for t in full]
    assert key == sorted(key)
    paged, offset = [], 0
    while offset is not None:
        with statements(app) as seen:
            page = both.get(f"/tasks?limit=2&next={offset}").json
        assert len(seen) <= 2, seen
        paged += page["items"]
        offset = page["next"]
    assert [t["id"] for t in paged] == [t["id"] for t in full]
    mine = {t["id"] for t in both.get("/tasks?scope=mine").json["items"]}
    candidate = {t["id"] for t in both.get("/tasks?scope=candidate").json["items"]}
    assert accepts[1]["id"] in mine and not mine & candidate and mine | candidate == {t["id"] for t in full}
    counts = both.get("/tasks/counts").json
    assert sum(counts.values()) == len(full)


def test_the_case_page_is_five_statements(app: Flask, api: Any, client: Any) -> None:
    """Token (the user's roles kept, as for a claim); the case with its type and reporter; its open tasks; its history with the actors' names;
    its attachments.

    Was 7 (each actor's and assignee's roles, the process version, lazily). The page in the browser adds
    the session user's roles, the candidates of all unclaimed tasks at once, the linked records, the further
    reporters (merged duplicates) and the unread-notification count.
    """
    started = _start(api("grid_worker_1"))
    dispatcher = api("township_dispatcher_1")
    task = started["open_tasks"][0]
    assert dispatcher.post(f"/tasks/{task['id']}/claim").status_code == 200
    dispatcher.post(f"/tasks/{task['id']}/complete", {"data": MINOR})
    reader = api("county_dispatcher")
    assert reader.get("/me").status_code == 200
    with statements(app) as seen:
        page = reader.get(f"/cases/{started['id']}")
    assert page.status_code == 200 and len(page.json["history"]) >= 4 and len(page.json["open_tasks"]) == 1
    assert len(seen) <= 5, seen
    login(client, "county_dispatcher")
    with statements(app) as seen:
        html = client.get(f"/cases/{started['id']}")
    assert html.status_code == 200 and started["number"] in html.data.decode()
    assert len(seen) <= 10, seen


def test_the_timer_worker_fires_a_batch_in_a_few_statements(app: Flask, api: Any, run: Any) -> None:
    """Claim and lock the due cases with their timers, read their open tasks, place the new tasks (one look-up for the batch); then
    the batch's rows and events in one statement on PostgreSQL (on SQLite one batched write per table and per kind of
    change). Was 9 per timer (claim one timer, lock its case,
    read its open tasks, place the task, five writes and an empty claim at the end)."""
    walks = [hotline_at_township(api) for _ in range(3)]
    later = max(t.fire_at for t in db.session.scalars(select(Timer).where(Timer.case_id.in_([w.id for w in walks]))))
    with statements(app) as seen:
        fired = run(fire_due_timers, later + timedelta(seconds=1))
    assert fired >= 3 and not db.session.scalars(select(Timer).where(Timer.case_id.in_([w.id for w in walks]))).all()
    assert all("escalated_supervision" in w.open_tasks() for w in walks)
    assert len(seen) <= 3 + _bound(app, 1, 3 + 2 * fired), seen
