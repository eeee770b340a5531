"""The taxonomy pages and API: search, import with a dry run and line-precise errors, export, permissions."""

import io
from typing import Any

from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import select

from app.audit.models import SecurityEvent
from app.extensions import db
from app.intake.models import Category
from tests.conftest import login

HEADER = "code,parent,name,name_en,case_type,unit_kind,time_limit,admitted\n"
GOOD = (
    HEADER
    + "97,,测试大类,,,,,\n9701,97,测试中类,,,,,\n970101,9701,井盖缺失,Missing manhole cover,hotline_matter,township,3 working days,yes\n"
)
BAD = HEADER + "\n".join(
    [
        "97,,测试大类,,,,,",  # 2: fine
        "9701,97,测试中类,,,,,",  # 3: fine
        "970101,9701,缺字段,,,,,",  # 4: leaf without how it is handled
        "970102,9701,未知类型,,no_such_type,grid,2 working days,yes",  # 5
        "970103,9701,坏期限,,hotline_matter,grid,soon,yes",  # 6
    ]
)


def _upload(client: FlaskClient, data: bytes, *, dry_run: bool, name: str = "t.csv") -> Any:
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/intake/taxonomy/import", data=form, content_type="multipart/form-data")


def _exists(run: Any, code: str) -> bool:
    return bool(run(lambda: db.session.scalar(select(Category).where(Category.code == code))))


def test_tree_page_lists_and_searches_by_initials(client: FlaskClient) -> None:
    login(client, "hotline_operator")
    page = client.get("/intake/taxonomy").get_data(as_text=True)
    assert 'data-code="010101"' in page and 'data-code="01"' in page
    found = client.get("/intake/taxonomy?q=xftdds").get_data(as_text=True)
    assert 'data-code="010101"' in found and 'data-code="020101"' not in found
    assert "公共安全 / 消防安全 / 消防通道堵塞" in found
    assert "/intake/taxonomy/import" not in page  # operators read the tree; the centre imports it


def test_dry_run_then_import_and_the_security_log(client: FlaskClient, run: Any) -> None:
    login(client, "county_dispatcher")
    checked = _upload(client, GOOD.encode(), dry_run=True)
    assert checked.status_code == 200 and 'data-result="checked"' in checked.get_data(as_text=True)
    assert not _exists(run, "970101")
    imported = _upload(client, GOOD.encode(), dry_run=False)
    assert imported.status_code == 200 and 'data-result="imported"' in imported.get_data(as_text=True)
    leaf = run(lambda: db.session.scalar(select(Category).where(Category.code == "970101")))
    assert (leaf.level, leaf.initials, leaf.admitted) == (3, "jgqs", True)
    events = run(lambda: list(db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "import"))))
    assert [e.detail["saved"] for e in events if e.detail.get("what") == "taxonomy"] == [False, True]


def test_bad_lines_are_all_shown_and_nothing_is_saved(client: FlaskClient, run: Any) -> None:
    login(client, "admin")
    response = _upload(client, BAD.encode(), dry_run=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for line, field in ((4, "case_type"), (5, "case_type"), (6, "time_limit")):
        assert f'data-line="{line}" data-field="{field}"' in page
    assert "no_such_type" in page
    assert not _exists(run, "97")  # the good lines were not saved either


def test_xlsx_reads_into_the_same_lines(client: FlaskClient, run: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in BAD.splitlines():
        sheet.append(row.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "admin")
    page = _upload(client, buffer.getvalue(), dry_run=True, name="t.xlsx").get_data(as_text=True)
    assert 'data-line="6" data-field="time_limit"' in page and 'data-line="4"' in page
    assert 'data-line="3"' not in page


def test_unreadable_files_and_missing_columns_are_refused(client: FlaskClient) -> None:
    login(client, "admin")
    for data, expected in ((b"PK\x03\x04broken", "XLSX"), (b"\xff\xfe\x00bad", "UTF-8"), (b"foo,bar\n1,2\n", "code")):
        response = _upload(client, data, dry_run=True)
        assert response.status_code == 422 and expected in response.get_data(as_text=True)
    assert _upload(client, b"", dry_run=True).status_code == 422


def test_export_round_trips_through_import(client: FlaskClient) -> None:
    login(client, "admin")
    exported = client.get("/intake/taxonomy/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    body = exported.data
    assert body.decode("utf-8-sig").startswith(HEADER.strip())
    assert "010101,0101,消防通道堵塞" in body.decode("utf-8-sig")
    assert _upload(client, body, dry_run=True).status_code == 200


def test_a_formula_like_name_is_exported_as_text_and_imported_back_as_it_was(client: FlaskClient, run: Any) -> None:
    def rename() -> None:
        category = db.session.scalars(select(Category).where(Category.code == "010101")).one()
        category.name = "=2+5*cmd|' /C calc'!A0"
        db.session.commit()

    run(rename)
    login(client, "admin")
    body = client.get("/intake/taxonomy/export.csv").data
    assert body.startswith("\ufeff".encode()) and "010101,0101,'=2+5" in body.decode("utf-8-sig")  # shown, not run
    assert _upload(client, body, dry_run=False).status_code == 200
    name = run(lambda: db.session.scalars(select(Category.name).where(Category.code == "010101")).one())
    assert name == "=2+5*cmd|' /C calc'!A0"  # the quote the export added is not part of the name


def test_only_taxonomy_managers_import_and_export(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert _upload(client, GOOD.encode(), dry_run=True).status_code == 403
    assert client.get("/intake/taxonomy/export.csv").status_code == 403
    assert client.get("/intake/taxonomy").status_code == 200


def test_api_search_by_keyword_initials_and_leaves(api: Any) -> None:
    operator = api("hotline_operator")
    items = operator.get("/categories?q=xf").json["items"]
    assert items[0]["code"] in ("0101",) or items[0]["initials"].startswith("xf")
    assert any(i["code"] == "010101" for i in items)
    by_name = operator.get("/categories?q=通道&leaves=1").json["items"]
    assert [i["code"] for i in by_name] == ["010101"]
    assert by_name[0]["path"] == "公共安全 / 消防安全 / 消防通道堵塞" and by_name[0]["leaf"] is True
    leaves = operator.get("/categories?leaves=1").json["items"]
    assert leaves and all(i["level"] == 3 for i in leaves)
    assert operator.get("/categories?q=%25").json["items"] == []  # a wildcard is a literal
    assert operator.get("/categories?q=zzzzqq").json["items"] == []


def test_api_import_with_dry_run_errors_and_permission(api: Any, run: Any) -> None:
    admin = api("admin")
    bad = admin.client.post("/api/v1/categories/import?dry_run=1", headers=admin.headers, data=BAD.encode(),
                            content_type="text/csv")  # fmt: skip
    assert bad.status_code == 422
    lines = {(e["line"], e["field"]) for e in bad.json["error"]["lines"]}
    assert {(4, "case_type"), (5, "case_type"), (6, "time_limit")} <= lines
    dry = admin.client.post("/api/v1/categories/import?dry_run=1", headers=admin.headers, data=GOOD.encode())
    assert dry.json == {"dry_run": True, "count": 3, "saved": False} and not _exists(run, "97")
    done = admin.client.post("/api/v1/categories/import", headers=admin.headers,
                             data={"file": (io.BytesIO(GOOD.encode()), "t.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert done.json["saved"] is True and _exists(run, "970101")
    worker = api("grid_worker_1")
    refused = worker.client.post("/api/v1/categories/import", headers=worker.headers, data=GOOD.encode())
    assert refused.status_code == 403
