"""CSV import: line-precise errors, all or nothing, and a dry run that imports nothing."""

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import SecurityEvent
from app.extensions import db
from app.registers.models import MarketEntity, RegisterChange, Resident
from tests.conftest import GRID_1, GRID_5, login
from tests.registers.people import ID_A, ID_B, ID_C, bad_check, id_card

HEADER = "grid,name,id_card,phone,address,household_number,registered_here,special_group,visit_every_days\n"
GOOD = (HEADER + f"{GRID_1},王秀英,{ID_A},13912345678,桃源路3号,H001,1,elderly_alone,7\n"
        f"{GRID_1},张伟,{ID_B},,桃源路5号,H002,0,,\n")  # fmt: skip


def upload(client: FlaskClient, text: str, *, kind: str = "residents", dry_run: bool = False) -> Any:
    data: dict[str, Any] = {"kind": kind, "file": (io.BytesIO(text.encode()), "people.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/registers/import", data=data, content_type="multipart/form-data")


def residents() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Resident)) or 0)


@pytest.fixture
def worker(client: FlaskClient) -> FlaskClient:
    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en"})
    return client


def test_a_dry_run_checks_and_imports_nothing_then_the_real_run_imports_all(worker: FlaskClient) -> None:
    assert worker.get("/registers/import").status_code == 200
    checked = upload(worker, GOOD, dry_run=True)
    assert checked.status_code == 200 and 'data-result="checked"' in checked.data.decode()
    assert "2 lines checked" in checked.data.decode() and residents() == 0
    imported = upload(worker, GOOD)
    assert imported.status_code == 200 and "2 records imported" in imported.data.decode()
    assert residents() == 2
    assert db.session.scalar(select(func.count()).select_from(RegisterChange)) == 2
    event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "import")).one()
    assert event.detail == {"register": "residents", "count": 2}


def test_every_bad_line_is_named_and_nothing_is_imported(worker: FlaskClient) -> None:
    existing = {"grid": GRID_1, "name": "旧", "id_card": ID_C, "address": "x", "special_group": "none"}
    assert worker.post("/registers/residents/new", data=existing).status_code == 302
    before = residents()
    text = (HEADER + f"{GRID_1},好人,{ID_A},13912345678,路1号,,1,,\n"  # line 2: good
            f"{GRID_1},坏校验,{bad_check(ID_B)},,路2号,,1,,\n"  # 3: checksum
            f"{GRID_1},重复,{ID_A},,路3号,,1,,\n"  # 4: same as line 2
            f"999999999999999,无网格,{id_card('36012319700101004')},,路4号,,1,,\n"  # 5: unknown grid
            f"{GRID_1},坏电话,{id_card('36012319700101005')},2345,路5号,,1,,\n"  # 6: phone
            f"{GRID_1},已有,{ID_C},,路6号,,1,,\n"  # 7: in the database
            f"{GRID_5},别人的,{id_card('36012319700101007')},,路7号,,1,,\n")  # 8: not my grid  # fmt: skip
    response = upload(worker, text)
    page = response.data.decode()
    assert response.status_code == 422 and 'data-result="errors"' in page
    for line, message in ((3, "GB 11643"), (4, "Same as line 2"), (5, "Unknown grid code"), (6, "11 digits"),
                          (7, "Already registered"), (8, "may not register")):  # fmt: skip
        row = page.split(f'data-line="{line}"')[1].split("</tr>")[0]
        assert message in row, (line, row)
    assert 'data-line="2"' not in page
    assert residents() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [("name,address\nx,y\n", "lacks required columns"), (HEADER, "no data lines"),
     (b"\xff\xfe".decode("latin-1"), "not UTF-8")],
)  # fmt: skip
def test_malformed_files(worker: FlaskClient, text: str, message: str) -> None:
    data = text.encode("latin-1") if message == "not UTF-8" else text.encode()
    response = worker.post("/registers/import", data={"kind": "residents", "file": (io.BytesIO(data), "x.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422 and message in response.data.decode()


def test_no_file_is_an_error(worker: FlaskClient) -> None:
    assert worker.post("/registers/import", data={"kind": "residents"}).status_code == 422


def test_market_entities_import(worker: FlaskClient) -> None:
    text = ("grid,name,credit_code,kind,address,risk_level,contact_person,contact_phone\n"
            f"{GRID_1},老李面馆,91360123MA35ABCD1X,restaurant,桃源路8号,high,李四,0791-88886666\n"
            f"{GRID_1},小卖部,91360123MA35ABCD1X,food_shop,桃源路9号,,,\n")  # fmt: skip
    bad = upload(worker, text, kind="entities").data.decode()
    assert "Same as line 2" in bad.split('data-line="3"')[1]
    assert upload(worker, text.rsplit("\n", 2)[0] + "\n", kind="entities").status_code == 200
    assert db.session.scalars(select(MarketEntity)).one().risk_level.value == "high"


def workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload_bytes(client: FlaskClient, data: bytes, *, dry_run: bool = False) -> Any:
    form: dict[str, Any] = {"kind": "residents", "file": (io.BytesIO(data), "people.xlsx")}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/registers/import", data=form, content_type="multipart/form-data")


def test_xlsx_import_with_line_numbers(worker: FlaskClient) -> None:
    header = HEADER.strip().split(",")
    good = [header, [GRID_1, "王秀英", ID_A, 13912345678, "桃源路3号", "H001", 1, "elderly_alone", 7],
            [GRID_1, "张伟", ID_B, None, "桃源路5号"]]  # fmt: skip
    assert "2 lines checked" in upload_bytes(worker, workbook(good), dry_run=True).data.decode()
    assert residents() == 0
    bad = upload_bytes(worker, workbook([*good, [GRID_1, "坏", bad_check(ID_C), "2345", "路"]]))
    page = bad.data.decode()
    assert bad.status_code == 422 and "GB 11643" in page.split('data-line="4"')[1] and residents() == 0
    assert upload_bytes(worker, workbook(good)).status_code == 200
    assert db.session.scalars(select(Resident).where(Resident.id_card == ID_A)).one().phone == "13912345678"


def test_a_broken_or_empty_workbook(worker: FlaskClient) -> None:
    broken = upload_bytes(worker, b"PK\x03\x04 not really a zip")
    assert broken.status_code == 422 and "not a readable XLSX" in broken.data.decode()
    assert "no data lines" in upload_bytes(worker, workbook([])).data.decode()


def test_the_user_may_import_the_good_lines_and_skip_the_bad(worker: FlaskClient) -> None:
    text = (HEADER + f"{GRID_1},好人,{ID_A},13912345678,路1号,,1,,\n"  # line 2: good
            f"{GRID_1},坏校验,{bad_check(ID_B)},,路2号,,1,,\n"  # 3: checksum
            f"{GRID_1},也好,{ID_C},,路3号,,1,,\n")  # 4: good  # fmt: skip
    form: dict[str, Any] = {
        "kind": "residents",
        "file": (io.BytesIO(text.encode()), "people.csv"),
        "skip_bad_lines": "y",
    }
    dry = dict(form, file=(io.BytesIO(text.encode()), "people.csv"), dry_run="y")
    checked = worker.post("/registers/import", data=dry, content_type="multipart/form-data")
    assert (
        'data-result="skipped"' in checked.data.decode() and "2 good lines would be imported" in checked.data.decode()
    )
    assert residents() == 0
    done = worker.post("/registers/import", data=form, content_type="multipart/form-data")
    page = done.data.decode()
    assert done.status_code == 200 and "2 records imported; these lines were skipped" in page
    assert 'data-line="3"' in page and residents() == 2
    event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "import")).one()
    assert event.detail == {"register": "residents", "count": 2, "skipped_lines": [3]}
    header_only = worker.post("/registers/import", data={"kind": "residents", "skip_bad_lines": "y",
                                                          "file": (io.BytesIO(b"name\nx\n"), "x.csv")},
                              content_type="multipart/form-data")  # fmt: skip
    assert header_only.status_code == 422 and residents() == 2  # a file-level problem stops everything
