"""Field errors over the API, found by reading the documented contract against the running server: a unit that is
not a grid is a field error (422), not a refusal (403); a request missing several fields names them all at once; a
value of the wrong type is refused instead of stored as its Python spelling."""

from typing import Any

import pytest
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.intake.models import KbEntry
from app.registers.models import Visit
from tests.conftest import FIRE_REPORT, GRID_1
from tests.intake.test_desk import ANSWER
from tests.registers.test_registers import ENTITY, RESIDENT

TOWNSHIP_1, VILLAGE_1, COUNTY = "360123001000", "360123001001", "360123000000"


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("username", "unit", "name"),
    [("township_dispatcher_1", TOWNSHIP_1, "东城街道"), ("hotline_operator", COUNTY, "青山县"),
     ("village_staff_1", VILLAGE_1, "桃源社区")],
)  # fmt: skip
def test_a_case_reported_at_a_unit_that_is_not_a_grid_names_org_unit(
    api: Any, username: str, unit: str, name: str
) -> None:
    before = count(Case)
    answer = api(username).post(
        "/cases", {"case_type": "hotline_matter", "org_unit": unit, "data": {"content": "路灯不亮"}}
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["fields"] == {"org_unit": f"{name}不是网格：案件应在事发网格上报。"}
    assert count(Case) == before


def test_a_case_missing_every_field_names_every_field(api: Any) -> None:
    answer = api("grid_worker_1").post("/cases?locale=en", {"data": []})
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {
        "case_type": "This field is required.",
        "org_unit": "This field is required.",
        "data": "Must be a JSON object.",
    }
    unknown = api("grid_worker_1").post("/cases?locale=en", {"case_type": "nope", "org_unit": "360123101201001"})
    assert unknown.json["error"]["fields"] == {
        "case_type": "No case type is called nope.",
        "org_unit": "No grid 360123101201001 in your area.",
    }


def test_a_cases_channel_must_be_text(api: Any) -> None:
    before = count(Case)
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT, "channel": {"a": 1}}
    answer = api("grid_worker_1").post("/cases", body)
    assert answer.status_code == 422 and set(answer.json["error"]["fields"]) == {"channel"}
    assert count(Case) == before
    started = api("grid_worker_1").post("/cases", {**body, "channel": " wechat "})
    assert started.status_code == 201
    assert db.session.get(Case, started.json["id"]).channel == "wechat"


def test_a_new_unit_missing_every_field_names_every_field(api: Any) -> None:
    answer = api("admin").post("/org-units", {})
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) >= {"code", "name", "parent"}


def test_a_register_record_filed_under_a_unit_that_is_not_a_grid_names_grid(api: Any) -> None:
    staff = api("village_staff_1")
    assert staff.post("/registers/entities", json=ENTITY).status_code == 201  # village staff keep registers
    answer = staff.post("/registers/entities?locale=en", json={**ENTITY, "grid": VILLAGE_1, "name": "别处"})
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {"grid": "Must be a grid's code."}


def test_a_visits_note_must_be_text_and_its_day_within_the_calendars_years(api: Any) -> None:
    worker = api("grid_worker_1")
    rid = worker.post("/registers/residents", json=RESIDENT).json["id"]
    for body, field in (({"note": ["a", "b"]}, "note"), ({"visited_on": "1999-01-01"}, "visited_on")):
        answer = worker.post(f"/registers/residents/{rid}/visits", json=body)
        assert answer.status_code == 422 and set(answer.json["error"]["fields"]) == {field}, body
    assert count(Visit) == 0


def test_a_knowledge_entrys_active_must_be_true_or_false(api: Any) -> None:
    before = count(KbEntry)
    answer = api("admin").post("/knowledge?locale=en", {**ANSWER, "active": "no"})
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {"active": "Must be true or false."}
    assert count(KbEntry) == before
    assert api("admin").post("/knowledge", {**ANSWER, "active": False}).json["active"] is False
