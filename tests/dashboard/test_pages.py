"""The dashboard page, its drill-down links into the case list, and the exports."""

import csv
import io
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import SecurityEvent
from app.extensions import db
from tests.conftest import login
from tests.dashboard.test_stats import COUNTY, LIUWAN, MARCH, TAOYUAN, TOWNSHIP_1, TOWNSHIP_2, stats

MARCH_QUERY = f"org_unit={TOWNSHIP_1}&period=month&date=2026-03-09"


def test_leader_sees_headlines_league_table_and_trend(client: FlaskClient, cases: dict[str, int]) -> None:
    login(client, "leader")
    client.post("/locale", data={"locale": "en", "next": "/dashboard"})
    html = client.get(f"/dashboard?{MARCH_QUERY}").data.decode()
    assert "东城街道" in html and "From 2026-03-01 to 2026-03-31" in html
    assert 'href="/dashboard">Dashboard</a>' in html  # the nav link
    assert "50.0%" in html  # closure and satisfaction rates
    # The league table ranks 桃源社区 (closure 66.7 %) above 柳湾社区 (0 %), each linking to its own dashboard.
    assert html.index(f'data-unit="{TAOYUAN}"') < html.index(f'data-unit="{LIUWAN}"')
    assert f'href="/dashboard?org_unit={TAOYUAN}&amp;period=month&amp;date=2026-03-01"' in html
    assert f"/cases?org_unit={TAOYUAN}&amp;status=all&amp;opened_from=2026-03-01&amp;opened_to=2026-03-31" in html
    assert html.count("<meter") == 24  # twelve months of received and closed bars
    assert "How each figure is counted" in html and "out of all closed in the period" in html  # not "see the README"
    assert "README" not in html
    assert f'href="/dashboard?org_unit={COUNTY}&amp;period=month&amp;date=2026-03-01"' in html  # up to the county
    assert "/dashboard/export.xlsx?" in html


def test_a_number_opens_the_matching_cases(client: FlaskClient, cases: dict[str, int]) -> None:
    login(client, "leader")
    base = f"/cases?org_unit={TAOYUAN}"
    received = client.get(f"{base}&status=all&opened_from=2026-03-01&opened_to=2026-03-31").data.decode()
    assert received.count("/cases/") - received.count('href="/cases/new"') == 3  # A, B and D
    closed = client.get(f"{base}&status=closed&closed_from=2026-03-01&closed_to=2026-03-31").data.decode()
    assert closed.count('class="badge closed"') == 2
    overdue = client.get(f"/cases?org_unit={TOWNSHIP_1}&status=open&overdue=1&case_type=hotline_matter")
    assert overdue.data.decode().count('class="badge open"') == 2  # E and F
    assert 'class="badge' not in client.get("/cases?org_unit=nowhere&status=all").data.decode()
    assert client.get(f"{base}&status=all&opened_from=garbage").status_code == 200  # a bad bound is ignored


def test_who_may_open_the_dashboard(client: FlaskClient, cases: dict[str, int]) -> None:
    login(client, "grid_worker_1")
    assert client.get("/dashboard").status_code == 403
    assert 'href="/dashboard"' not in client.get("/inbox").data.decode()
    client.post("/logout")
    login(client, "township_dispatcher_1")
    assert client.get(f"/dashboard?org_unit={TOWNSHIP_2}").status_code == 404
    html = client.get("/dashboard?period=custom&from=2026-03-10&to=2026-04-05").data.decode()
    assert "东城街道" in html and f"org_unit={COUNTY}" not in html  # no way up out of their township
    assert client.get("/dashboard?period=fortnight").status_code == 422


def test_exports_match_the_api_and_are_logged(client: FlaskClient, api: Any, cases: dict[str, int]) -> None:
    expected = stats(api, "leader", org_unit=TOWNSHIP_1, **MARCH).json
    login(client, "leader")
    client.post("/locale", data={"locale": "en", "next": "/dashboard"})
    response = client.get(f"/dashboard/export.xlsx?{MARCH_QUERY}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    total = dict(zip(header, rows[1], strict=True))
    assert (total["Code"], total["From"], total["To"]) == (TOWNSHIP_1, "2026-03-01", "2026-03-31")
    assert (total["Received"], total["Closed on time"], total["Satisfied"]) == (4, 2, 1)
    assert (total["Closure rate"], total["Satisfaction rate"]) == (expected["closure_rate"], 0.5)
    units = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:4]}
    assert units[LIUWAN]["On-time rate"] is None and units[TAOYUAN]["Received"] == 3
    assert [row[1] for row in rows[4:]] == list(expected["by_case_type"])
    text = client.get(f"/dashboard/export.csv?{MARCH_QUERY}").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][:6] == ["Total", TOWNSHIP_1, "东城街道", "2026-03-01", "2026-03-31", "4"]
    assert [int(v) for v in table[1][5:15]] == [expected[k] for k in (
        "received", "accepted", "accepted_closed", "closed", "closed_on_time", "overdue_open", "returned", "visits",
        "satisfied", "dissatisfied")]  # fmt: skip
    assert client.get(f"/dashboard/export.pdf?{MARCH_QUERY}").status_code == 404
    logged = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "export")).all()
    assert [(e.username, e.detail["format"], e.detail["org_unit"]) for e in logged] == [
        ("leader", "xlsx", TOWNSHIP_1), ("leader", "csv", TOWNSHIP_1)]  # fmt: skip
