"""Case points on the dashboard map: open cases with a place, newest first, scoped to the viewed unit's subtree."""

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from app.cases.models import Case
from app.cases.service import Whereabouts, start_case
from app.casetypes.registry import latest_version
from app.clock import utcnow
from app.dashboard.case_points import case_points
from app.extensions import db
from app.org.service import unit_by_code, user_by_username
from tests.casetypes.test_hotline_matter import CALL
from tests.conftest import GRID_1, GRID_5, login
from tests.dashboard.dataset import Flow
from tests.dashboard.test_stats import COUNTY, TOWNSHIP_1


def _call(grid: str, when: datetime, point: tuple[float, float] | None) -> int:
    version, unit, actor = latest_version("hotline_matter"), unit_by_code(grid), user_by_username("hotline_operator")
    assert version is not None and unit is not None and actor is not None
    where = Whereabouts(latitude=point[0], longitude=point[1]) if point else Whereabouts()
    case = start_case(version, unit, dict(CALL), actor=actor, now=when, where=where).case
    db.session.commit()
    return case.id


def _points(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["number"]: f for f in body["features"] if f["properties"].get("kind") == "case"}


def _setup() -> dict[str, int]:
    now = utcnow()
    closed = Flow("hotline_matter", "hotline_operator", CALL, GRID_1, now - timedelta(hours=1))
    closed.case.latitude, closed.case.longitude = 28.71, 115.91
    closed.step("hotline_operator", "triage", {"direct_answer": True, "answer": "已告知"}, now)  # closed: not drawn
    db.session.commit()
    return {
        "fresh": _call(GRID_1, now - timedelta(minutes=5), (28.7012, 115.9034)),
        "old": _call(GRID_5, datetime(2026, 3, 2, 2, tzinfo=UTC), (28.6501, 115.8702)),  # its task long overdue
        "nowhere": _call(GRID_1, now - timedelta(minutes=1), None),
        "closed": closed.case.id,
    }


def test_open_cases_with_a_point_are_drawn_with_number_title_and_overdue_state(api: Any, run: Any) -> None:
    ids = run(_setup)
    numbers = run(lambda: {k: db.session.get(Case, v).number for k, v in ids.items()})
    county = _points(api("leader").get(f"/stats/map?org_unit={COUNTY}").json)
    assert set(county) == {numbers["fresh"], numbers["old"]}
    fresh, old = county[numbers["fresh"]], county[numbers["old"]]
    assert fresh["geometry"] == {"type": "Point", "coordinates": [115.9034, 28.7012]}  # longitude first
    assert fresh["properties"]["href"] == f"/cases/{ids['fresh']}" and fresh["properties"]["title"]
    assert fresh["properties"]["overdue"] is False and old["properties"]["overdue"] is True
    assert (
        numbers["old"] in old["properties"]["label"]
        and old["properties"]["overdue_label"] in old["properties"]["label"]
    )
    grids = [
        f for f in api("leader").get(f"/stats/map?org_unit={COUNTY}").json["features"] if "level" in f["properties"]
    ]
    assert len(grids) == 8  # the grids are still all there, before the points


def test_case_points_follow_the_viewers_jurisdiction_and_the_limit(client: FlaskClient, api: Any, run: Any) -> None:
    ids = run(_setup)
    numbers = run(lambda: {k: db.session.get(Case, v).number for k, v in ids.items()})
    township = _points(api("township_dispatcher_1").get("/stats/map").json)  # their township: GRID_1 only
    assert set(township) == {numbers["fresh"]}
    assert api("township_dispatcher_1").get(f"/stats/map?org_unit={COUNTY}").status_code == 404
    login(client, "leader")
    page = client.get(f"/dashboard/map.geojson?org_unit={TOWNSHIP_1}").json
    assert page == api("leader").get(f"/stats/map?org_unit={TOWNSHIP_1}").json
    assert set(_points(page)) == {numbers["fresh"]}
    html = client.get(f"/dashboard?org_unit={TOWNSHIP_1}").data.decode()
    assert 'class="dot map-case"' in html and 'class="dot map-case-overdue"' in html  # the legend says what dots mean

    def newest(limit: int) -> list[int]:
        county = unit_by_code(COUNTY)
        assert county is not None
        return [f["properties"]["id"] for f in case_points(county, now=utcnow(), link=str, limit=limit)]

    assert run(newest, 1) == [ids["fresh"]] and run(newest, 5) == [ids["fresh"], ids["old"]]
