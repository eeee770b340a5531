"""Registers as users see them: pages and API, jurisdiction, masking, logged reveals, the change log."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import SecurityEvent
from app.extensions import db
from app.registers.models import RegisterChange, Resident
from app.registers.validation import id_card_ok, phone_ok
from tests.conftest import GRID_1, GRID_5, login
from tests.registers.people import ID_A, ID_B, bad_check

RESIDENT = {"grid": GRID_1, "name": "王秀英", "id_card": ID_A, "phone": "13912345678", "address": "桃源路3号",
            "household_number": "H001", "registered_here": "y", "special_group": "elderly_alone",
            "visit_every_days": "7"}  # fmt: skip
ENTITY = {"grid": GRID_1, "name": "老李面馆", "credit_code": "91360123MA35ABCD1X", "kind": "restaurant",
          "address": "桃源路8号", "risk_level": "medium", "contact_person": "李四", "contact_phone": "0791-88886666"}  # fmt: skip


def test_id_card_and_phone_rules() -> None:
    assert id_card_ok(ID_A) and not id_card_ok(bad_check(ID_A)) and not id_card_ok("12345")
    assert id_card_ok("11010519491231002X")
    assert phone_ok("13800000000") and phone_ok("079188886666") and phone_ok("0791-8888666")
    assert not phone_ok("23800000000") and not phone_ok("1380000000")


def create_resident(client: FlaskClient, **changes: str) -> Any:
    return client.post("/registers/residents/new", data={**RESIDENT, **changes})


def test_a_grid_worker_registers_a_resident_seen_masked_within_the_jurisdiction_only(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert client.get("/registers/residents/new").status_code == 200
    response = create_resident(client)
    assert response.status_code == 302, response.data.decode()
    resident = db.session.scalars(select(Resident).where(Resident.id_card == ID_A)).one()
    assert resident.org_unit.code == GRID_1 and resident.visit_every_days == 7
    page = client.get("/registers/residents?q=秀英").data.decode()
    assert "王秀英" in page and ID_A not in page and "3601**********" in page and "139****5678" in page
    assert "王秀英" not in client.get("/registers/residents?q=张").data.decode()

    client.post("/logout")
    login(client, "township_dispatcher_1")
    assert "王秀英" in client.get("/registers/residents").data.decode()
    assert client.get(f"/registers/residents/{resident.id}").status_code == 200
    assert client.get(f"/registers/residents/{resident.id}/edit").status_code == 403  # sees, may not write
    for outsider in ("township_dispatcher_2", "grid_worker_2", "grid_worker_5"):
        client.post("/logout")
        login(client, outsider)
        assert client.get(f"/registers/residents/{resident.id}").status_code == 404
        assert "王秀英" not in client.get("/registers/residents").data.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [({"id_card": bad_check(ID_A)}, "id_card", "GB 11643"), ({"phone": "12345"}, "phone", "11 digits"),
     ({"name": ""}, "name", "required"), ({"visit_every_days": ""}, "visit_every_days", "visit frequency"),
     ({"grid": GRID_5}, "grid", "<p class=\"error\"")],
)  # fmt: skip
def test_the_form_names_each_bad_field(client: FlaskClient, changes: dict[str, str], field: str, message: str) -> None:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    response = create_resident(client, **changes)
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.data.decode() and message in response.data.decode()
    assert db.session.scalars(select(Resident).where(Resident.id_card == ID_A)).first() is None


def test_a_second_resident_with_the_same_id_card_is_refused(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert create_resident(client).status_code == 302
    response = create_resident(client, name="王二")
    assert response.status_code == 422 and 'data-field="id_card"' in response.data.decode()


def test_reveal_is_a_logged_action_and_edits_keep_before_and_after(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    create_resident(client)
    resident = db.session.scalars(select(Resident).where(Resident.id_card == ID_A)).one()
    assert ID_A not in client.get(f"/registers/residents/{resident.id}").data.decode()
    shown = client.post(f"/registers/residents/{resident.id}/reveal").data.decode()
    assert ID_A in shown and "13912345678" in shown
    events = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "reveal",
                                                            SecurityEvent.username == "grid_worker_1")).all()  # fmt: skip
    assert [e.detail for e in events] == [{"register": "residents", "record_id": resident.id}]

    form = client.get(f"/registers/residents/{resident.id}/edit").data.decode()
    assert ID_A in form  # the form holds the identifiers in full, so opening it is logged as a reveal
    assert len(db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "reveal")).all()) == 2
    response = client.post(f"/registers/residents/{resident.id}/edit", data={**RESIDENT, "phone": "13800001111"})
    assert response.status_code == 302
    changes = db.session.scalars(select(RegisterChange).where(RegisterChange.entity_id == resident.id,
                                                              RegisterChange.entity_kind == "resident")
                                 .order_by(RegisterChange.id)).all()  # fmt: skip
    assert changes[0].before is None and changes[0].after["phone"] == "13912345678"
    assert changes[1].before["phone"] == "13912345678" and changes[1].after["phone"] == "13800001111"
    assert changes[1].after["grid"] == GRID_1 and changes[1].actor_id is not None
    assert 'data-kind="changed"' in client.get(f"/registers/residents/{resident.id}").data.decode()


def test_a_personal_data_role_sees_identifiers_in_full(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    create_resident(client)
    client.post("/logout")
    login(client, "hotline_operator")
    assert ID_A in client.get("/registers/residents").data.decode()


def test_market_entity_pages(client: FlaskClient) -> None:
    login(client, "village_staff_1")
    response = client.post("/registers/entities/new", data=ENTITY)
    assert response.status_code == 302, response.data.decode()
    page = client.get("/registers/entities").data.decode()
    assert "老李面馆" in page and "079******6666" in page
    detail = client.get(response.headers["Location"]).data.decode()
    assert "91360123MA35ABCD1X" in detail and "0791-88886666" not in detail
    bad = client.post("/registers/entities/new", data={**ENTITY, "credit_code": "91-bad", "kind": "bakery"})
    assert bad.status_code == 422


def test_who_may_not_create(client: FlaskClient) -> None:
    login(client, "township_dispatcher_1")
    assert client.get("/registers/residents/new").status_code == 403
    assert client.get("/registers/import").status_code == 403
    assert 'href="/registers/residents/new"' not in client.get("/registers/residents").data.decode()
    assert client.get("/registers/nothing").status_code == 404


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.client.put(f"/api/v1{path}", headers=client.headers, json=body)


def test_the_api(api: Any) -> None:
    worker = api("grid_worker_1")
    created = worker.post("/registers/residents", json={**RESIDENT, "registered_here": False, "visit_every_days": 30})
    assert created.status_code == 201, created.json
    assert created.json["id_card"] == ID_A and created.json["registered_here"] is False
    rid = created.json["id"]
    assert worker.post("/registers/entities", json=ENTITY).status_code == 201

    dispatcher = api("township_dispatcher_1")
    listed = dispatcher.get("/registers/residents?q=王").json["items"]
    assert [r["id_card"] for r in listed] == ["3601**********" + ID_A[-4:]]
    assert dispatcher.get(f"/registers/residents/{rid}").json["phone"] == "139****5678"
    assert dispatcher.get(f"/registers/residents/{rid}?reveal=1").json["phone"] == "13912345678"
    assert dispatcher.get("/registers/entities?reveal=1").json["items"][0]["contact_phone"] == "0791-88886666"
    events = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "reveal",
                                                            SecurityEvent.username == "township_dispatcher_1")).all()  # fmt: skip
    assert len(events) == 2
    assert dispatcher.post("/registers/residents", json={**RESIDENT, "id_card": ID_B}).status_code == 403

    assert api("township_dispatcher_2").get(f"/registers/residents/{rid}").status_code == 404
    elsewhere = api("grid_worker_5").post("/registers/residents", json={**RESIDENT, "id_card": ID_B})
    assert elsewhere.status_code == 422 and set(elsewhere.json["error"]["fields"]) == {"grid"}
    assert put(api("grid_worker_2"), f"/registers/residents/{rid}", RESIDENT).status_code == 404
    moved = put(worker, f"/registers/residents/{rid}", {**RESIDENT, "grid": GRID_5})
    assert moved.status_code == 422 and set(moved.json["error"]["fields"]) == {"grid"}
    assert worker.get(f"/registers/residents/{rid}").json["grid"]["code"] == RESIDENT["grid"]

    bad = worker.post(
        "/registers/residents", json={**RESIDENT, "id_card": bad_check(ID_B), "phone": "x", "special_group": "?"}
    )
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"id_card", "phone", "special_group"}
    assert set(worker.post("/registers/residents", json={"name": "x"}).json["error"]["fields"]) == {"grid"}

    changed = put(worker, f"/registers/residents/{rid}", {**RESIDENT, "special_group": "none"})
    assert changed.status_code == 200 and changed.json["visit_every_days"] is None
    assert api("hotline_operator").get(f"/registers/residents/{rid}").json["id_card"] == ID_A


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"name": "长" * 61}, "name"), ({"visit_every_days": "abc"}, "visit_every_days"),
     ({"visit_every_days": "400"}, "visit_every_days"), ({"id_card": "123"}, "id_card")],
)  # fmt: skip
def test_resident_field_rules(app: Any, changes: dict[str, str], field: str) -> None:
    from app.registers.validation import clean_resident

    with app.test_request_context():
        assert field in clean_resident({**RESIDENT, **changes})[1]


@pytest.mark.parametrize(
    ("changes", "field"), [({"credit_code": "ab-12"}, "credit_code"), ({"kind": ""}, "kind"), ({"kind": "bar"}, "kind")]
)
def test_entity_field_rules(app: Any, changes: dict[str, str], field: str) -> None:
    from app.registers.validation import clean_entity

    with app.test_request_context():
        assert field in clean_entity({**ENTITY, **changes})[1]
