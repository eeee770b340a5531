"""Odd input a sweep found ending as a 500, or stored as nonsense: each answers 4xx naming what is wrong now."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.jsonforms.html import coerce_posted
from app.jsonforms.validate import form_errors
from app.org.models import OrgUnit, User
from tests.conftest import FIRE_REPORT, GRID_1, ROOT, login
from tests.designer.test_designer import FIRE, upload, with_pre_check
from tests.intake.test_desk import ANSWER, CALL
from tests.registers.test_import import HEADER
from tests.registers.test_registers import ENTITY

START = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1}
TAXONOMY_HEADER = "code,parent,name,name_en,case_type,unit_kind,time_limit,admitted\n"


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_coordinate_beyond_any_float_is_a_field_error(api: Any) -> None:
    answer = api("grid_worker_1").post("/cases", {**START, "data": FIRE_REPORT, "latitude": 10**400, "longitude": 120})
    assert answer.status_code == 422 and "latitude" in answer.json["error"]["fields"]


def test_a_knowledge_entry_given_as_a_superscript_digit_is_refused(api: Any) -> None:
    api("admin").post("/knowledge", ANSWER)
    for value in ("²", 10**20):
        answered = api("hotline_operator").post("/desk/calls", {**CALL, "action": "answer", "kb_entry": value})
        assert 400 <= answered.status_code < 500, (value, answered.json)


def test_a_csv_field_past_the_csv_modules_limit_names_its_line(client: FlaskClient, api: Any) -> None:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    data = {"kind": "residents", "file": (io.BytesIO((HEADER + "x" * 200_000 + "\n").encode()), "x.csv")}
    page = client.post("/registers/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "Line 2 could not be read as CSV" in page.data.decode()  # not line 1
    admin = api("admin")
    text = (TAXONOMY_HEADER + "97," + "x" * 200_000 + "\n").encode()
    answer = admin.client.post("/api/v1/categories/import?dry_run=1", headers=admin.headers, data=text,
                               content_type="text/csv")  # fmt: skip
    assert answer.status_code == 422 and "Line 2 could not be read as CSV" in json.dumps(
        answer.json, ensure_ascii=False
    )


def test_a_units_file_past_the_csv_modules_limit_names_its_line(client: FlaskClient) -> None:
    login(client, "admin")
    client.post("/locale", data={"locale": "en"})
    text = "code,name,kind,parent_code\n360123001003," + "x" * 200_000 + ",village,360123001000\n"
    page = client.post("/admin/import", data={"kind": "units", "file": (io.BytesIO(text.encode()), "units.csv")})
    assert page.status_code < 500 and "Line 2 could not be read as CSV" in page.data.decode()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_workbook_with_a_broken_part_is_not_a_readable_workbook(client: FlaskClient, part: str) -> None:
    book, buffer = Workbook(), io.BytesIO()
    book.active.append(["grid", "name"])
    book.save(buffer)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as good, zipfile.ZipFile(broken, "w") as bad:
        for item in good.infolist():
            bad.writestr(item, b"<not xml" if item.filename == part else good.read(item))
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    data = {"kind": "residents", "file": (io.BytesIO(broken.getvalue()), "x.xlsx")}
    page = client.post("/registers/import", data=data, content_type="multipart/form-data")
    assert page.status_code == 422 and "not a readable XLSX workbook" in page.data.decode()


def test_an_org_unit_kind_or_user_field_that_is_not_text_is_refused(api: Any) -> None:
    admin = api("admin")
    for kind in ([], ["grid"], {}):
        unit = admin.post(
            "/org-units", {"code": "360123001001005", "name": "x", "kind": kind, "parent": "360123001001"}
        )
        assert 400 <= unit.status_code < 500, kind
    users = count(User)
    made = admin.post("/users", {"username": "li_si", "display_name": ["李", "四"], "password": ["river-7-stone"],
                                 "role": "grid_worker", "org_unit": GRID_1})  # fmt: skip
    assert made.status_code == 422 and set(made.json["error"]["fields"]) == {"display_name"}
    assert count(User) == users


def test_a_register_field_that_is_not_text_is_refused(api: Any) -> None:
    worker = api("grid_worker_1")
    for field, value in (("name", {"x": 1}), ("contact_person", True), ("name", ["老李面馆"])):
        answer = worker.post("/registers/entities", {**ENTITY, field: value})
        assert answer.status_code == 422 and field in answer.json["error"]["fields"], (field, value)


def test_a_multipart_report_reads_its_data_as_a_json_body_is_read(api: Any) -> None:
    worker, before = api("grid_worker_1"), count(Case)
    for data, status in (("[" * 100_000 + "]" * 100_000, 422), ('{"description": NaN}', 422),
                         ("[" * 70 + "]" * 70, 400), ('{"address": "x\\u0000"}', 422)):  # fmt: skip
        answer = worker.client.post("/api/v1/cases", headers=worker.headers, content_type="multipart/form-data",
                                    data={**START, "data": data})  # fmt: skip
        assert answer.status_code == status, (data[:40], answer.json)
    assert count(Case) == before


def test_a_trailing_newline_or_a_full_width_digit_is_not_part_of_a_name_or_code(api: Any) -> None:
    admin = api("admin")
    made = admin.post("/users", {"username": "zhang_san\n", "display_name": "张三", "password": "river-7-stone",
                                 "role": "grid_worker", "org_unit": GRID_1})  # fmt: skip
    assert made.status_code == 422 and "username" in made.json["error"]["fields"]
    units = count(OrgUnit)
    unit = admin.post(
        "/org-units", {"code": "３６０１２３００１００１００５", "name": "x", "kind": "grid", "parent": "360123001001"}
    )
    assert unit.status_code == 422 and count(OrgUnit) == units


def test_searches_of_any_length_answer(client: FlaskClient, api: Any) -> None:
    q = "x" * 60_000
    login(client, "grid_worker_1")
    assert client.get(f"/registers/residents?q={q}").status_code == 200
    assert client.get(f"/intake/taxonomy?q={q}").status_code == 200
    assert api("grid_worker_1").get(f"/registers/residents?q={q}").status_code == 200


def test_taxonomy_names_and_time_limits_longer_than_their_columns_are_line_errors(api: Any) -> None:
    admin = api("admin")
    rows = ["97,,测试大类,,,,,", "9701,97,测试中类,,,,,", f"970101,9701,井盖缺失,{'m' * 201},hotline_matter,township,3 days,yes",
            f"970102,9701,井盖破损,,hotline_matter,township,{'1' * 40} days,yes"]  # fmt: skip
    answer = admin.client.post("/api/v1/categories/import?dry_run=1", headers=admin.headers,
                               data=(TAXONOMY_HEADER + "\n".join(rows) + "\n").encode(), content_type="text/csv")  # fmt: skip
    assert answer.status_code == 422
    assert {(4, "name_en"), (5, "time_limit")} <= {(e["line"], e["field"]) for e in answer.json["error"]["lines"]}


def test_nan_in_a_number_field_of_a_page_form_is_a_field_error() -> None:
    schema = json.loads(Path(ROOT, "forms", "enforcement_township_handling.schema.json").read_text("utf-8"))
    for text in ("nan", "inf", "-Infinity"):
        assert "fine_amount" in form_errors(schema, coerce_posted(schema, {"fine_amount": text}))
    assert coerce_posted(schema, {"fine_amount": "2000.5"})["fine_amount"] == 2000.5


# A second sweep (forms, path ids, races, cross-area access) found these.


def test_a_form_field_whose_type_is_a_list_is_refused_at_deploy(api: Any) -> None:
    form = json.dumps({"type": "object", "properties": {"a": {"type": ["string", "null"]}}})
    answer = api("designer").post("/designer/deploy", data=upload(with_pre_check(FIRE), {"pre.schema.json": form}))
    assert (
        answer.status_code == 422 and "field 'a' must have a type" in answer.json["error"]["fields"]["pre.schema.json"]
    )


def test_the_form_editors_sample_may_be_any_text(client: FlaskClient) -> None:
    login(client, "designer")
    url = "/designer/fire_hazard_rectification/1/forms/fire_hazard_report.schema.json"
    schema = json.dumps({"type": "object", "properties": {"a": {"type": "string"}}})
    for sample in ("[" * 200_000, '{"a": ' + "9" * 5_000 + "}"):  # past the stack; past Python's 4,300 digits
        page = client.post(url, data={"schema": schema, "sample": sample, "action": "validate"})
        assert page.status_code == 200 and 'data-sample-error="data"' in page.data.decode(), sample[:20]


def test_an_id_in_a_path_beyond_an_integer_column_names_nothing(client: FlaskClient, api: Any) -> None:
    big = "9" * 30
    login(client, "grid_worker_1")
    assert client.get(f"/registers/residents/{big}").status_code == 404
    assert api("grid_worker_1").get(f"/registers/residents/{big}").status_code == 404
    assert client.get("/registers/residents/2147483648").status_code == 404  # INT_MAX + 1
    client.post("/logout")
    login(client, "designer")
    assert client.get(f"/designer/fire_hazard_rectification/{big}.bpmn").status_code == 404


def test_a_knowledge_entry_names_at_most_a_hundred_categories(api: Any) -> None:
    answer = api("admin").post(
        "/knowledge", {"title": "t", "body": "b", "categories": [f"c{i}" for i in range(70_000)]}
    )
    assert answer.status_code == 422 and "categories" in answer.json["error"]["fields"]


def test_the_calendar_page_keeps_to_the_years_it_shows(client: FlaskClient, run: Any) -> None:
    from app.calendars.models import CalendarDay

    login(client, "admin")
    page = client.post("/admin/calendar", data={"day": "0001-01-01", "kind": "holiday", "name": "x"})
    assert page.status_code == 422
    assert (
        run(lambda: db.session.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.name == "x")))
        == 0
    )


def test_a_unit_name_too_long_says_so(client: FlaskClient) -> None:
    login(client, "admin")
    client.post("/locale", data={"locale": "en"})
    page = client.post(f"/admin/units/{GRID_1}", data={"name": "网" * 121})
    assert page.status_code == 422 and "at most 120 characters" in page.data.decode()


def test_a_task_form_sent_twice_answers_409_the_second_time(client: FlaskClient, api: Any) -> None:
    task = api("grid_worker_1").post("/cases", {**START, "data": FIRE_REPORT}).json["open_tasks"][0]
    login(client, "township_dispatcher_1")
    form = {"severity_decision": "minor", "assessment_opinion": "现场可整改"}
    assert client.post(f"/tasks/{task['id']}/complete", data=form).status_code == 302
    again = client.post(f"/tasks/{task['id']}/complete", data=form)
    assert again.status_code == 409  # was 403 "You may not do this": the permission was asked of a closed task
