"""Text no column can hold (NUL, an unpaired surrogate) is refused where it comes in, naming where it is
(app/storable_text.py, app/spreadsheets.py, app/designer/service.py); before, each of these ended as a 500."""

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import SecurityEvent
from app.cases.models import Case
from app.extensions import db
from app.org.models import OrgUnit
from app.registers.models import Resident
from tests.conftest import FIRE_REPORT, GRID_1, login
from tests.designer.test_designer import FIRE, PRE_CHECK_FORM, upload, with_pre_check
from tests.registers.people import ID_A

CANNOT = "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
START = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1}
RESIDENTS = "grid,name,id_card,phone,address,household_number,registered_here,special_group,visit_every_days\n"


def cases() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Case)) or 0)


def raw_post(api: Any, path: str, text: str) -> Any:
    """A JSON body as written, escapes and all (a client's JSON writer may send `\\ud83d\\ude00` for an emoji)."""
    headers = {**api.headers, "Accept-Language": "en"}
    return api.client.post(f"/api/v1{path}", data=text, content_type="application/json", headers=headers)


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800", "\\udfff", "\\ude00\\ud83d"])
def test_a_report_with_nul_or_a_lone_surrogate_is_refused_and_nothing_is_saved(api: Any, escape: str) -> None:
    worker = api("grid_worker_1")
    before = cases()
    body = json.dumps({**START, "data": {**FIRE_REPORT, "description": "楼道内私拉电线@"}}).replace("@", escape)
    answer = raw_post(worker, "/cases", body)
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {"data.description": CANNOT}
    assert cases() == before


def test_a_surrogate_pair_is_one_character_and_is_kept(api: Any) -> None:
    worker = api("grid_worker_1")
    body = json.dumps({**START, "data": {**FIRE_REPORT, "description": "楼道内私拉电线🔥"}})
    assert "\\ud83d\\udd25" in body  # Python's json writes the emoji as two escapes
    started = raw_post(worker, "/cases", body)
    assert started.status_code == 201, started.json
    assert worker.get(f"/cases/{started.json['id']}").json["data"]["description"] == "楼道内私拉电线🔥"


def test_an_answer_with_a_lone_surrogate_leaves_the_task_open(api: Any) -> None:
    worker, dispatcher = api("grid_worker_1"), api("township_dispatcher_1")
    task = worker.post("/cases", {**START, "data": FIRE_REPORT}).json["open_tasks"][0]
    bad = '{"data": {"severity_decision": "minor", "assessment_opinion": "\\udfff\\u73b0\\u573a"}}'
    refused = raw_post(dispatcher, f"/tasks/{task['id']}/complete", bad)
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"data.assessment_opinion": CANNOT}
    assert dispatcher.get(f"/tasks/{task['id']}").json["status"] == "open"
    done = dispatcher.post(f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}})
    assert done.status_code == 200, done.json


def test_keys_and_list_items_are_named_by_their_path_and_the_name_shown_is_text(api: Any) -> None:
    worker = api("grid_worker_1")
    answer = raw_post(worker, "/cases", '{"data": {"a\\udfffb": 1, "photos": ["ok", "x\\u0000"]}, "org_unit": "1"}')
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"data.a\ufffdb", "data.photos.1"}


def test_a_search_with_nul_is_refused_as_a_field(api: Any, client: FlaskClient) -> None:
    operator = api("hotline_operator")
    for path in ("/knowledge?q=a%00b", "/categories?q=a%00b"):
        answer = operator.client.get(f"/api/v1{path}", headers={**operator.headers, "Accept-Language": "en"})
        assert answer.status_code == 422, path
        assert answer.json["error"]["fields"] == {"q": CANNOT}
    login(client, "hotline_operator")
    page = client.get("/intake/knowledge?q=%00")
    assert page.status_code == 422 and "q" in page.data.decode()


def test_a_sign_in_with_nul_is_refused_before_it_is_counted(client: FlaskClient) -> None:
    client.post("/locale", data={"locale": "en"})
    events = select(func.count()).select_from(SecurityEvent)
    before = db.session.scalar(events)
    page = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert page.status_code == 422 and "username" in page.data.decode()
    assert db.session.scalar(events) == before


def test_a_path_with_nul_names_nothing(api: Any) -> None:
    assert api("grid_worker_1").get("/tasks/a%00b").status_code == 404


def test_an_upload_whose_file_name_holds_nul_is_refused(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    data = {"kind": "residents", "file": (io.BytesIO(RESIDENTS.encode()), "people\x00.csv")}
    page = client.post("/registers/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "file" in page.data.decode()


def test_an_import_file_holding_nul_is_refused_naming_its_line(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    text = RESIDENTS + f"{GRID_1},王秀\x00英,{ID_A},13912345678,桃源路3号,H001,1,elderly_alone,7\n"
    data = {"kind": "residents", "file": (io.BytesIO(text.encode()), "people.csv")}
    page = client.post("/registers/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "Line 2 holds a NUL character" in page.data.decode()
    assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


def test_a_units_file_holding_nul_is_refused_naming_its_line(client: FlaskClient) -> None:
    login(client, "admin")
    client.post("/locale", data={"locale": "en"})
    units_before = db.session.scalar(select(func.count()).select_from(OrgUnit))
    text = "code,name,kind,parent_code\n360123001003,新村\x00社区,village,360123001000\n"
    page = client.post("/admin/import", data={"kind": "units", "file": (io.BytesIO(text.encode()), "units.csv")})
    assert page.status_code < 500 and "Line 2 holds a NUL character" in page.data.decode()
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == units_before


def test_a_form_file_holding_a_lone_surrogate_is_refused_naming_the_file(api: Any) -> None:
    form = PRE_CHECK_FORM.replace('"title": "', '"title": "\\udfff', 1)
    answer = api("designer").post("/designer/deploy", data=upload(with_pre_check(FIRE), {"pre.schema.json": form}))
    assert answer.status_code == 422
    assert "cannot be stored" in answer.json["error"]["fields"]["pre.schema.json"]
    assert "properties.ok.title" in answer.json["error"]["fields"]["pre.schema.json"]


@pytest.mark.parametrize("depth", [70, 1_100, 100_000])
def test_a_body_nested_too_deeply_is_a_bad_request(api: Any, depth: int) -> None:
    worker = api("grid_worker_1")
    before = cases()
    nested = "[" * depth + "]" * depth
    answer = raw_post(worker, "/cases", f'{{"case_type": "fire_hazard_rectification", "data": {nested}}}')
    assert answer.status_code == 400, answer.json
    assert cases() == before


def test_a_form_file_nested_too_deeply_is_refused(api: Any) -> None:
    designer = api("designer")
    for depth in (70, 5_000):
        form = json.dumps({"type": "object", "properties": {}, "examples": "@"}).replace(
            '"@"', "[" * depth + "]" * depth
        )
        answer = designer.post("/designer/deploy", data=upload(with_pre_check(FIRE), {"pre.schema.json": form}))
        assert answer.status_code == 422 and "nested" in answer.json["error"]["fields"]["pre.schema.json"], depth


def test_a_body_in_utf16_is_looked_into_as_well(api: Any) -> None:
    worker = api("grid_worker_1")
    body = json.dumps({**START, "data": {**FIRE_REPORT, "description": "楼道内私拉电线\x00"}}).encode("utf-16")
    answer = api("grid_worker_1").client.post("/api/v1/cases", data=body, content_type="application/json",
                                              headers=worker.headers)  # fmt: skip
    assert answer.status_code == 422 and "data.description" in answer.json["error"]["fields"]
