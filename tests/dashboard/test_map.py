"""The dashboard map: grids as GeoJSON with open and overdue counts, scoped and linked one level down."""

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import utcnow
from app.dashboard.geo import link_maker
from app.extensions import db
from app.tasks.models import Task, TaskStatus
from tests.casetypes.test_hotline_matter import CALL
from tests.conftest import GRID_1, GRID_5, login
from tests.dashboard.dataset import LIUWAN_GRID, Flow
from tests.dashboard.test_overdue_counts import overdue_reads
from tests.dashboard.test_stats import COUNTY, TAOYUAN, TOWNSHIP_1, TOWNSHIP_2
from tests.perf.statements import statements

TAOYUAN_GRID_2 = "360123001001002"


def _fresh_calls(*grids: str) -> None:
    """Hotline calls received now: open, their first task not yet due."""
    for grid in grids:
        Flow("hotline_matter", "hotline_operator", CALL, grid, utcnow())
    db.session.commit()


def _by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["org_unit"]: f for f in body["features"]}


def test_grids_are_coloured_by_open_and_overdue_cases(api: Any, run: Any, cases: dict[str, int]) -> None:
    # Open before: C (GRID_5), E (GRID_1), F (柳湾 grid), all with an overdue task. Now GRID_1 gets two fresh
    # calls (3 open, 1 overdue) and 桃源 grid 2 one (1 open, none overdue).
    run(_fresh_calls, GRID_1, GRID_1, TAOYUAN_GRID_2)
    response = api("county_dispatcher").get(f"/stats/map?org_unit={TOWNSHIP_1}&period=month&date=2026-03-09")
    assert response.status_code == 200
    body = response.json
    assert body["type"] == "FeatureCollection" and body["org_unit"] == TOWNSHIP_1
    grids = _by_code(body)
    assert set(grids) == {GRID_1, TAOYUAN_GRID_2, LIUWAN_GRID, "360123001002002"}  # 东城街道's grids only
    counts = {code: (f["properties"]["open"], f["properties"]["overdue"], f["properties"]["level"])
              for code, f in grids.items()}  # fmt: skip
    assert counts == {GRID_1: (3, 1, "overdue"), TAOYUAN_GRID_2: (1, 0, "open"),
                      LIUWAN_GRID: (1, 1, "mostly_overdue"), "360123001002002": (0, 0, "none")}  # fmt: skip
    grid_1 = grids[GRID_1]
    assert grid_1["geometry"]["type"] == "Polygon" and len(grid_1["geometry"]["coordinates"][0]) == 5
    props = grid_1["properties"]
    assert props["name"] == "桃源社区第1网格" and "3" in props["label"] and props["level_label"]
    # A township's grid drills down to its community's dashboard, keeping the period.
    assert (props["drill_unit"], props["href"]) == (
        TAOYUAN,
        f"/dashboard?org_unit={TAOYUAN}&period=month&date=2026-03-01",
    )
    assert set(body["levels"]) == {"none", "open", "overdue", "mostly_overdue"}


def test_a_communitys_grids_open_their_case_lists(api: Any, cases: dict[str, int]) -> None:
    body = api("leader").get(f"/stats/map?org_unit={TAOYUAN}").json
    grid_1 = _by_code(body)[GRID_1]["properties"]
    assert (grid_1["drill_unit"], grid_1["href"]) == (GRID_1, f"/cases?org_unit={GRID_1}&status=open")
    own = api("leader").get(f"/stats/map?org_unit={GRID_1}").json  # a grid's own map: itself
    assert [f["properties"]["href"] for f in own["features"]] == [f"/cases?org_unit={GRID_1}&status=open"]


def test_the_map_is_scoped_to_the_viewers_area(api: Any, cases: dict[str, int]) -> None:
    county = _by_code(api("leader").get(f"/stats/map?org_unit={COUNTY}").json)
    assert len(county) == 8 and county[GRID_5]["properties"]["overdue"] == 1
    assert county[GRID_5]["properties"]["href"].startswith(f"/dashboard?org_unit={TOWNSHIP_2}&")
    township = _by_code(api("township_dispatcher_1").get("/stats/map").json)  # defaults to their township
    assert GRID_5 not in township and GRID_1 in township
    assert api("township_dispatcher_1").get(f"/stats/map?org_unit={TOWNSHIP_2}").status_code == 404
    assert api("township_dispatcher_1").get(f"/stats/map?org_unit={COUNTY}").status_code == 404
    assert api("township_dispatcher_1").get("/stats/map?org_unit=nowhere").status_code == 404
    assert api("grid_worker_1").get("/stats/map").status_code == 403
    assert api("leader").get("/stats/map?period=fortnight").status_code == 422


def test_the_page_draws_the_map_from_its_own_geojson(client: FlaskClient, api: Any, cases: dict[str, int]) -> None:
    login(client, "leader")
    html = client.get(f"/dashboard?org_unit={TOWNSHIP_1}").data.decode()
    assert 'id="dashboard-map"' in html and "vendor/leaflet/leaflet.js" in html and "dashboard-map.js" in html
    assert html.count('class="swatch map-level-') == 4  # the text legend
    page = client.get(f"/dashboard/map.geojson?org_unit={TOWNSHIP_1}").json
    assert page == api("leader").get(f"/stats/map?org_unit={TOWNSHIP_1}").json
    client.post("/logout")
    assert client.get("/dashboard/map.geojson").status_code in (302, 401)


def test_the_trend_chart_reads_the_table_and_links_each_period(client: FlaskClient, cases: dict[str, int]) -> None:
    login(client, "leader")
    html = client.get(f"/dashboard?org_unit={TOWNSHIP_1}&period=month&date=2026-03-09").data.decode()
    assert 'id="trend-chart"' in html and "vendor/chart.js/chart.umd.min.js" in html and "dashboard-chart.js" in html
    assert html.count("<tr data-label=") == 12  # the table stays: the chart's alternative
    march = html[html.index('<tr data-label="2026-03-01 – 2026-03-31"') :]
    march = march[: march.index(">")]
    assert 'data-received="4"' in march and 'data-closed="2"' in march  # A, B, D, F received; A, D closed
    assert '<tr data-label="2026-02-01 – 2026-02-28" data-received="0" data-closed="0"' in html
    april = client.get(f"/dashboard?org_unit={TOWNSHIP_1}&period=month&date=2026-04-09").data.decode()
    for month, received, closed in (("2026-03-01 – 2026-03-31", 4, 2), ("2026-04-01 – 2026-04-30", 1, 1)):
        assert f'<tr data-label="{month}" data-received="{received}" data-closed="{closed}"' in april  # E; B closed
    received = f"/cases?opened_from=2026-03-01&amp;opened_to=2026-03-31&amp;org_unit={TOWNSHIP_1}&amp;status=all"
    assert f'data-received-href="{received}"' in march
    closed = client.get(march.split('data-closed-href="')[1].split('"')[0].replace("&amp;", "&")).data.decode()
    assert closed.count('class="badge closed"') == 2


def test_a_link_made_once_matches_url_for_for_any_value(app: Flask) -> None:
    """The map's links are built once with a stand-in (thousands per map); any value still gives url_for's address."""
    with app.test_request_context("/"):
        for value in (GRID_1, 42, "a b/c&d=1"):
            made = link_maker("cases.index", "org_unit", status="open")(value)
            expected = url_for("cases.index", org_unit=value, status="open")
            assert urlsplit(made).path == urlsplit(expected).path
            assert parse_qs(urlsplit(made).query) == parse_qs(urlsplit(expected).query)
        assert link_maker("cases.detail", "case_id")(42) == url_for("cases.detail", case_id=42)


def _second_overdue_task(case_id: int) -> None:
    """A second open task past its deadline in the same case (as parallel branches of a diagram make)."""
    first = db.session.scalars(select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)).one()
    db.session.add(Task(id=str(uuid.uuid4()), case_id=case_id, bpmn_id=first.bpmn_id, name=first.name, role=first.role,
                        org_unit_id=first.org_unit_id, created_at=first.created_at,
                        due_at=utcnow() - timedelta(days=1)))  # fmt: skip
    db.session.commit()


def test_a_case_counts_once_however_many_of_its_tasks_are_overdue(
    app: Flask, api: Any, run: Any, cases: dict[str, int]
) -> None:
    run(_second_overdue_task, cases["C"])
    with statements(app) as seen:
        grid_5 = _by_code(api("leader").get(f"/stats/map?org_unit={COUNTY}").json)[GRID_5]["properties"]
        page = api("leader").get(f"/stats?org_unit={COUNTY}").json
    assert (grid_5["open"], grid_5["overdue"]) == (1, 1)  # one case, two overdue tasks
    assert page["overdue_open"] >= 2
    assert overdue_reads(seen) == 1  # the map and the page share it
