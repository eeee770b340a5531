"""Reporting dates at the edges of the calendar: a 422 naming the parameter, never a 500 (app/date_range.py)."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import login
from tests.dashboard.test_stats import TOWNSHIP_1

EDGE_DATES = ["9999-12-31", "0001-01-01", "0001-01-03", "9999-12-25", "1999-12-31", "2101-01-01"]
EDGE_MONTHS = ["9999-12", "0001-01", "1999-12", "2101-01"]
PERIODS = ["day", "week", "month", "quarter", "year"]
API_PATHS = ["/stats", "/stats/map", "/assessment"]
PAGES = ["/dashboard", "/dashboard/map.geojson", "/dashboard/export.csv", "/dashboard/export.xlsx",
         "/dashboard/assessment"]  # fmt: skip
WORKER = "/assessment/workers/grid_worker_1"


def refused(response: Any, field: str) -> bool:
    return response.status_code == 422 and field in response.json["error"]["fields"]


@pytest.mark.parametrize("path", ["/stats", "/stats/map"])
def test_the_api_refuses_a_date_outside_the_accepted_years(api: Any, path: str) -> None:
    leader = api("leader")
    for day in EDGE_DATES:
        for period in PERIODS:
            response = leader.get(f"{path}?period={period}&date={day}")
            assert refused(response, "date"), (day, period, response.status_code)
    for first, last in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31"), ("2100-12-31", "2101-01-01")):
        response = leader.get(f"{path}?period=custom&from={first}&to={last}")
        assert response.status_code == 422, (first, last)
        assert set(response.json["error"]["fields"]) & {"from", "to"}


@pytest.mark.parametrize("path", ["/assessment", WORKER])
def test_the_assessment_api_reads_only_its_month(api: Any, path: str) -> None:
    leader = api("leader")
    for day in EDGE_DATES:
        assert leader.get(f"{path}?period=month&date={day}").status_code == 200, day
        assert leader.get(f"{path}?period=custom&from={day}&to={day}").status_code == 200, day


@pytest.mark.parametrize("path", ["/assessment", WORKER])
def test_the_api_refuses_a_month_outside_the_accepted_years(api: Any, path: str) -> None:
    leader = api("leader")
    for month in EDGE_MONTHS:
        response = leader.get(f"{path}?month={month}")
        assert refused(response, "month"), (month, response.status_code)
        assert "2000" in response.json["error"]["fields"]["month"]


def test_the_first_and_last_accepted_days_still_report(api: Any) -> None:
    leader = api("leader")
    for day in ("2000-01-01", "2100-12-31"):
        for period in PERIODS:
            for path in API_PATHS:
                assert leader.get(f"{path}?org_unit={TOWNSHIP_1}&period={period}&date={day}").status_code == 200
    for month in ("2000-01", "2100-12"):
        assert leader.get(f"/assessment?month={month}").json["month"] == month
        assert leader.get(f"{WORKER}?month={month}").status_code == 200
    custom = leader.get("/stats?period=custom&from=2100-12-01&to=2100-12-31").json
    assert (custom["from"], custom["to"]) == ("2100-12-01", "2100-12-31")


def test_the_pages_refuse_a_date_outside_the_accepted_years(client: FlaskClient) -> None:
    login(client, "leader")
    for path in PAGES:
        for day in EDGE_DATES:
            for period in PERIODS:
                response = client.get(f"{path}?period={period}&date={day}")
                assert response.status_code == 422, (path, day, period, response.status_code)
        response = client.get(f"{path}?period=custom&from=0001-01-01&to=0001-01-02")
        assert response.status_code == 422, path
    client.post("/locale", data={"locale": "en", "next": "/dashboard"})
    html = client.get("/dashboard?date=9999-12-31").data.decode()
    assert 'id="date-error">Containing the date: Must be within the years 2000 to 2100.' in html
    assert 'name="date" value="9999-12-31"' in html  # the page again, what was typed kept beside its error
    for day in ("2000-01-01", "2100-12-31"):
        for period in PERIODS:
            assert client.get(f"/dashboard?period={period}&date={day}").status_code == 200, (day, period)


def test_the_worker_page_refuses_a_month_outside_the_accepted_years(client: FlaskClient) -> None:
    login(client, "leader")
    for month in EDGE_MONTHS:
        response = client.get(f"/dashboard/assessment/workers/grid_worker_1?month={month}")
        assert response.status_code == 422, (month, response.status_code)
        assert "<strong>month</strong>" in response.data.decode()
    assert client.get("/dashboard/assessment/workers/grid_worker_1?month=2100-12").status_code == 200


def test_the_case_list_refuses_a_bound_outside_the_accepted_years(client: FlaskClient) -> None:
    login(client, "leader")
    for name in ("opened_from", "opened_to", "closed_from", "closed_to"):
        for day in EDGE_DATES:
            response = client.get(f"/cases?status=all&{name}={day}")
            assert response.status_code == 422, (name, day, response.status_code)
            assert f"<strong>{name}</strong>" in response.data.decode()
        assert client.get(f"/cases?status=all&{name}=2000-01-01").status_code == 200
        assert client.get(f"/cases?status=all&{name}=2100-12-31").status_code == 200
    assert client.get("/cases?status=all&opened_from=garbage").status_code == 200  # a bad bound is still ignored


def test_a_custom_period_the_dashboard_cannot_show_is_explained_on_the_dashboard(client: FlaskClient) -> None:
    login(client, "leader")
    client.post("/locale", data={"locale": "en", "next": "/dashboard"})
    page = client.get("/dashboard?period=custom&from=2026-11-20&to=2026-11-01")
    html = page.data.decode()
    assert page.status_code == 422 and 'id="to-error">to: ' in html and "Dashboard: " in html
    assert 'name="from" value="2026-11-20"' in html and 'name="to" value="2026-11-01"' in html
    assert '<option value="custom" selected>' in html
    empty = client.get("/dashboard?period=custom&from=&to=").data.decode()
    assert 'id="from-error"' in empty and "Dashboard: " in empty  # was a bare error page: "from: required"
