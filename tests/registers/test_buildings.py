"""Buildings: the third register, through the same pages, API, import and rules."""

import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.registers.models import Building, RegisterChange
from tests.conftest import GRID_1, login

BUILDING = {"grid": GRID_1, "name": "桃源小区3栋", "address_code": "3601230010010030", "address": "桃源路3号",
            "kind": "residential", "floors": "6", "risk_level": "high", "contact_person": "物业张经理",
            "contact_phone": "13700001234"}  # fmt: skip


def test_building_pages(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    created = client.post("/registers/buildings/new", data=BUILDING)
    assert created.status_code == 302, created.data.decode()
    page = client.get("/registers/buildings?q=桃源").data.decode()
    assert "桃源小区3栋" in page and "137****1234" in page and "13700001234" not in page
    detail = client.get(created.headers["Location"]).data.decode()
    assert "3601230010010030" in detail and "Residential building" in detail and "Log a visit" not in detail
    bad = client.post("/registers/buildings/new", data={**BUILDING, "floors": "500", "address_code": "x"})
    assert bad.status_code == 422 and 'data-field="floors"' in bad.data.decode()
    building_id = db.session.scalars(select(Building.id)).one()
    visit = client.post(f"/registers/buildings/{building_id}/visits", data={"note": "x"})
    assert visit.status_code == 404
    client.post("/logout")
    login(client, "township_dispatcher_2")
    assert client.get(f"/registers/buildings/{building_id}").status_code == 404


def test_buildings_over_the_api_and_import(api: Any, client: FlaskClient) -> None:
    worker = api("grid_worker_1")
    created = worker.post("/registers/buildings", json={**BUILDING, "floors": 6})
    assert created.status_code == 201 and created.json["floors"] == 6
    duplicate = worker.post("/registers/buildings", json=BUILDING)
    assert duplicate.status_code == 422 and set(duplicate.json["error"]["fields"]) == {"address_code"}
    assert api("township_dispatcher_1").get("/registers/buildings").json["items"][0]["contact_phone"] == "137****1234"
    assert api("grid_worker_5").get(f"/registers/buildings/{created.json['id']}").status_code == 404

    login(client, "grid_worker_1")
    text = ",".join(BUILDING) + "\n" + ",".join({**BUILDING, "address_code": "3601230010010031"}.values()) + "\n"
    response = client.post("/registers/import", content_type="multipart/form-data",
                           data={"kind": "buildings", "file": (io.BytesIO(text.encode()), "b.csv")})  # fmt: skip
    assert response.status_code == 200
    assert len(db.session.scalars(select(Building)).all()) == 2
    assert db.session.scalars(select(RegisterChange).where(RegisterChange.entity_kind == "building")).first()
