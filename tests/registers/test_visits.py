"""Visits: grid workers log them; the due list follows each special-group resident's frequency."""

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.org.service import user_by_username
from app.registers.models import Resident
from app.registers.visits import due_visits
from tests.conftest import GRID_1, login
from tests.registers.people import ID_A, ID_B
from tests.registers.test_registers import ENTITY, RESIDENT


def test_logging_visits_moves_the_due_date(client: FlaskClient, run: Any) -> None:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    client.post("/registers/residents/new", data={**RESIDENT, "visit_every_days": "30"})  # elderly_alone
    client.post("/registers/residents/new", data={**RESIDENT, "name": "普通", "id_card": ID_B, "special_group": "none"})
    resident = db.session.scalars(select(Resident).where(Resident.id_card == ID_A)).one()
    ordinary = db.session.scalars(select(Resident).where(Resident.id_card == ID_B)).one()

    page = client.get("/registers/visits/due").data.decode()
    assert f'data-resident="{resident.id}"' in page and "Never" in page and f'data-resident="{ordinary.id}"' not in page

    detail = f"/registers/residents/{resident.id}"
    today = utcnow().date()
    future = client.post(f"{detail}/visits", data={"visited_on": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "future" in future.data.decode()
    logged = client.post(f"{detail}/visits", data={"visited_on": today.isoformat(), "note": "身体尚好"})
    assert logged.status_code == 302
    assert "身体尚好" in client.get(detail).data.decode()
    assert f'data-resident="{resident.id}"' not in client.get("/registers/visits/due").data.decode()

    worker = user_by_username("grid_worker_1")
    assert run(due_visits, worker, now=utcnow() + timedelta(days=23))[0].overdue is False  # due within a week
    later = run(due_visits, worker, now=utcnow() + timedelta(days=31))
    assert [(d.resident.id, d.last_visit, d.overdue) for d in later] == [(resident.id, today, True)]
    none = client.post(f"/registers/residents/{ordinary.id}/visits", data={"note": "x"})
    assert none.status_code == 422 and "needs no visits" in none.data.decode()


def test_visits_over_the_api(api: Any) -> None:
    worker = api("grid_worker_1")
    rid = worker.post("/registers/residents", json=RESIDENT).json["id"]
    eid = worker.post("/registers/entities", json=ENTITY).json["id"]
    assert [d["resident"]["id"] for d in worker.get("/registers/visits/due").json["items"]] == [rid]
    visit = worker.post(f"/registers/entities/{eid}/visits", json={"note": "消防通道畅通"})
    assert visit.status_code == 201 and visit.json["visitor"] == "grid_worker_1"
    assert worker.get(f"/registers/entities/{eid}/visits").json["items"][0]["note"] == "消防通道畅通"
    bad = worker.post(f"/registers/residents/{rid}/visits", json={"visited_on": "yesterday"})
    assert bad.status_code == 422 and "visited_on" in bad.json["error"]["fields"]
    assert worker.post(f"/registers/residents/{rid}/visits", json={"visited_on": "2026-01-02"}).status_code == 201
    assert api("township_dispatcher_1").post(f"/registers/residents/{rid}/visits", json={}).status_code == 403
    assert api("grid_worker_2").get(f"/registers/residents/{rid}/visits").status_code == 404
    assert api("township_dispatcher_1").get("/registers/visits/due").json["items"] == []
    assert GRID_1 in worker.get(f"/registers/residents/{rid}").json["grid"]["code"]
