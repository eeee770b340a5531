"""A case form field that names a register record: the food-safety patrol picks a registered business."""

from typing import Any

from flask.testing import FlaskClient

from tests.casetypes.test_food_safety_inspection import PATROL
from tests.conftest import GRID_1, login
from tests.registers.test_registers import ENTITY

GRID_2 = "360123001001002"


def create_entity(api: Any, **changes: str) -> int:
    response = api("grid_worker_1").post("/registers/entities", {**ENTITY, **changes})
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def test_a_patrol_names_a_registered_business_and_both_pages_link(api: Any, client: FlaskClient) -> None:
    entity_id = create_entity(api)
    worker = api("grid_worker_1")
    started = worker.post("/cases", {"case_type": "food_safety_inspection", "org_unit": GRID_1,
                                     "data": {**PATROL, "entity_id": entity_id}})  # fmt: skip
    assert started.status_code == 201, started.json
    login(client, "grid_worker_1")
    case_page = client.get(f"/cases/{started.json['id']}").data.decode()
    assert f"/registers/entities/{entity_id}" in case_page and "老李面馆" in case_page
    entity_page = client.get(f"/registers/entities/{entity_id}").data.decode()
    assert f"/cases/{started.json['id']}" in entity_page and started.json["number"] in entity_page
    client.post("/logout")
    login(client, "township_dispatcher_2")  # the other township sees neither the record nor the case
    assert client.get(f"/registers/entities/{entity_id}").status_code == 404


def test_a_record_of_another_grid_or_none_at_all_is_refused(api: Any) -> None:
    elsewhere = api("admin").post(
        "/registers/entities", {**ENTITY, "grid": GRID_2, "credit_code": "91360123MA35ABCD2Y"}
    )
    assert elsewhere.status_code == 201, elsewhere.json
    worker = api("grid_worker_1")
    for value in (elsewhere.json["id"], 999999, "lots", 10**20):  # 10**20: beyond any id (was a 500)
        response = worker.post("/cases", {"case_type": "food_safety_inspection", "org_unit": GRID_1,
                                          "data": {**PATROL, "entity_id": value}})  # fmt: skip
        assert response.status_code == 422 and "entity_id" in response.json["error"]["fields"], value


def test_the_report_form_offers_the_grid_workers_businesses(api: Any, client: FlaskClient) -> None:
    entity_id = create_entity(api)
    login(client, "grid_worker_1")
    page = client.get("/cases/new?case_type=food_safety_inspection").data.decode()
    assert f'<option value="{entity_id}"' in page and "老李面馆" in page
    client.post("/logout")
    login(client, "grid_worker_5")
    assert f'<option value="{entity_id}"' not in client.get("/cases/new?case_type=food_safety_inspection").data.decode()
