"""The calendar admin page and API, the supervision and return forms, the notifications page."""

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient

from app.calendars.models import CalendarDay
from app.extensions import db
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, login


def test_only_a_top_level_admin_edits_the_calendar(client: FlaskClient) -> None:
    login(client, "township_dispatcher_1")
    assert client.get("/admin/calendar").status_code == 403
    client.post("/logout")
    login(client, "admin")
    page = client.get("/admin/calendar?year=2026")
    assert page.status_code == 200 and "2026" in page.data.decode()


def test_admin_loads_the_official_schedule_and_edits_days(client: FlaskClient) -> None:
    login(client, "admin")
    assert client.post("/admin/calendar/defaults?year=2026").status_code == 302
    assert db.session.get(CalendarDay, date(2026, 10, 1)) is not None
    page = client.get("/admin/calendar?year=2026").data.decode()
    assert "国庆节" in page and "2026-09-20" in page
    bad = client.post("/admin/calendar", data={"day": "not a date", "kind": "holiday"})
    assert bad.status_code == 422 and 'id="day-error"' in bad.data.decode()
    assert (
        client.post("/admin/calendar", data={"day": "2026-12-24", "kind": "holiday", "name": "县庆"}).status_code == 302
    )
    listed = client.get("/admin/calendar?year=2026").data.decode()
    assert "县庆" in listed and 'data-confirm="确定从日历中删除 2026-12-24（县庆）' in listed  # asks first
    assert client.post("/admin/calendar/delete", data={"day": "2026-12-24"}).status_code == 302
    after = client.get("/admin/calendar?year=2026").data.decode()
    assert "县庆" not in after and "已从日历中删除 2026-12-24。" in after  # says which day went


def test_calendar_over_the_api(api: Any) -> None:
    admin = api("admin")
    put = admin.client.put(
        "/api/v1/calendar/2026-12-24", headers=admin.headers, json={"is_workday": False, "name": "县庆"}
    )
    assert put.status_code == 200 and put.json == {"date": "2026-12-24", "is_workday": False, "name": "县庆"}
    assert any(d["date"] == "2026-12-24" for d in admin.get("/calendar?year=2026").json["items"])
    bad = admin.client.put("/api/v1/calendar/2026-12-24", headers=admin.headers, json={"is_workday": "no"})
    assert bad.status_code == 422 and "is_workday" in bad.json["error"]["fields"]
    worker = api("grid_worker_1")
    assert (
        worker.client.put("/api/v1/calendar/2026-12-25", headers=worker.headers, json={"is_workday": False}).status_code
        == 403
    )
    assert admin.client.delete("/api/v1/calendar/2026-12-24", headers=admin.headers).status_code == 200
    assert admin.client.delete("/api/v1/calendar/2026-12-24", headers=admin.headers).status_code == 404
    assert admin.client.delete("/api/v1/calendar/not-a-day", headers=admin.headers).status_code == 404
    far = admin.client.put("/api/v1/calendar/0001-01-01", headers=admin.headers, json={"is_workday": False})
    assert far.status_code == 422 and "date" in far.json["error"]["fields"]  # the calendar keeps 2000-2100
    assert admin.get("/calendar?year=99999").status_code == 422


def task_id_of(html: str) -> str:
    return re.findall(r'href="/tasks/([0-9a-f-]{36})"', html)[0]


def test_supervise_and_return_from_the_task_page(client: FlaskClient, api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    task_id = walk.task("accept_and_assess")["id"]
    login(client, "county_dispatcher")
    page = client.get(f"/tasks/{task_id}").data.decode()
    assert 'action="/tasks/' + task_id + '/supervise"' in page
    missing = client.post(f"/tasks/{task_id}/supervise", data={"reason": ""})
    assert missing.status_code == 422
    assert (
        client.post(
            f"/tasks/{task_id}/supervise", data={"reason": "请加快办理", "due_at": "2099-12-31T17:30"}
        ).status_code
        == 302
    )
    assert client.post(f"/tasks/{task_id}/supervise", data={"reason": "x", "due_at": "tomorrow"}).status_code == 422
    assert client.post(f"/tasks/{task_id}/assign", data={"username": "township_dispatcher_1"}).status_code == 302
    client.post("/logout")
    login(client, "township_dispatcher_1")
    inbox = client.get("/inbox?supervised=1").data.decode()
    assert task_id in inbox and "supervised" in inbox
    assert "督办" in client.get(f"/tasks/{task_id}").data.decode()
    assert client.post(f"/tasks/{task_id}/return", data={"reason": "应由西河镇办理"}).status_code == 302
    client.post("/logout")
    login(client, "county_dispatcher")
    notes = client.get("/notifications").data.decode()
    assert "应由西河镇办理" in notes
    assert "data-unread" not in client.get("/inbox").data.decode()  # opening the list marks them read


def test_grid_workers_see_no_supervision_form(client: FlaskClient, api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    walk.step("township_dispatcher_1", "accept_and_assess", {"severity_decision": "minor"})
    login(client, "grid_worker_1")
    task_id = walk.task("urge_rectification")["id"]
    assert "/supervise" not in client.get(f"/tasks/{task_id}").data.decode()
    assert client.post(f"/tasks/{task_id}/supervise", data={"reason": "x"}).status_code == 403
