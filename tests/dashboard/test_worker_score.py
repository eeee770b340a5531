"""The assessment API, a worker's own score with the events behind each point, and the deductions."""

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.org.service import user_by_username
from app.tasks.models import Task, TaskStatus
from app.tasks.service import claim_task
from app.tasks.supervision import return_task
from tests.casetypes.test_dispute_mediation import DISPUTE
from tests.conftest import login
from tests.dashboard.dataset import Flow, at
from tests.dashboard.test_assessment import GRID_2, late_visit_by_grid_worker_2
from tests.dashboard.test_stats import COUNTY, TOWNSHIP_1, TOWNSHIP_2


def april_of_grid_worker_2() -> None:
    """2 April: reports a dispute settled on the spot (+2); claims its return visit and hands it back (-1); claims
    it again and lets it run past its due time (3 working days, in April): one overdue task held (-2)."""
    flow = Flow("dispute_mediation", "grid_worker_2", {**DISPUTE, "settled_on_spot": True, "spot_agreement": "和解"},
                GRID_2, at(4, 2))  # fmt: skip
    task = db.session.scalars(select(Task).where(Task.case_id == flow.case.id, Task.status == TaskStatus.OPEN)).one()
    worker = user_by_username("grid_worker_2")
    assert worker is not None
    claim_task(task, actor=worker, now=at(4, 2, 3))
    return_task(task, reason="不在本人网格", actor=worker, now=at(4, 2, 4))
    claim_task(task, actor=worker, now=at(4, 2, 5))
    db.session.commit()


def test_a_worker_score_lists_the_events_behind_each_point(api: Any, run: Any, cases: dict[str, int]) -> None:
    run(april_of_grid_worker_2)
    body = api("grid_worker_2").get("/assessment/workers/grid_worker_2?month=2026-04").json
    assert (body["username"], body["grid"], body["month"], body["from"], body["to"]) == (
        "grid_worker_2", GRID_2, "2026-04", "2026-04-01", "2026-04-30")  # fmt: skip
    assert body["counts"] == {"reported": 1, "completed": 0, "on_time": 0, "late": 0, "overdue": 1, "returned": 1}
    assert body["score"] == 2 - 2 - 1  # reported +2, overdue -2, handed back -1
    items = {i["item"]: i for i in body["items"]}
    assert (items["overdue"]["points_each"], items["overdue"]["points"]) == (-2.0, -2.0)
    [returned] = items["returned"]["events"]
    assert returned["at"].startswith("2026-04-02T04:00") and returned["points"] == -1.0 and returned["task"]
    assert items["reported"]["events"][0]["case_id"] == items["overdue"]["events"][0]["case_id"]
    assert items["completed"]["events"] == []


def test_march_score_with_a_late_completion(api: Any, run: Any, cases: dict[str, int]) -> None:
    run(late_visit_by_grid_worker_2)
    body = api("leader").get("/assessment/workers/grid_worker_2?month=2026-03").json
    assert body["counts"] == {"reported": 1, "completed": 1, "on_time": 0, "late": 1, "overdue": 0, "returned": 0}
    assert body["score"] == 2 + 1 - 2
    [late] = next(i for i in body["items"] if i["item"] == "late")["events"]
    assert late["at"].startswith("2026-03-25")


def test_the_ranking_api_matches_the_page(api: Any, run: Any, cases: dict[str, int]) -> None:
    run(april_of_grid_worker_2)
    body = api("county_dispatcher").get(f"/assessment?org_unit={COUNTY}&month=2026-04").json
    assert (body["org_unit"], body["month"], body["scheme"]["top"]) == (COUNTY, "2026-04", 10)
    township_1, township_2 = body["townships"]
    assert (township_1["org_unit"], township_2["org_unit"]) == (TOWNSHIP_1, TOWNSHIP_2)
    scores = [(r["rank"], r["username"], r["score"]) for r in township_1["ranking"]]
    assert scores == [(1, "grid_worker_1", 0.0), (2, "grid_worker_3", 0.0), (3, "grid_worker_4", 0.0),
                      (4, "grid_worker_2", -1.0)]  # fmt: skip
    march = api("county_dispatcher").get(f"/assessment?org_unit={TOWNSHIP_1}&month=2026-03").json
    assert [t["org_unit"] for t in march["townships"]] == [TOWNSHIP_1]
    first = march["townships"][0]["ranking"][0]
    assert (first["username"], first["grid"], first["score"]) == ("grid_worker_1", "360123001001001", 4.0)
    assert first["counts"] == {"reported": 1, "completed": 1, "on_time": 1, "late": 0, "overdue": 0, "returned": 0}


def test_who_may_see_scores(api: Any, cases: dict[str, int]) -> None:
    assert api("grid_worker_1").get("/assessment/workers/grid_worker_1").status_code == 200  # their own
    assert api("grid_worker_1").get("/assessment/workers/grid_worker_2").status_code == 403
    assert api("grid_worker_1").get("/assessment").status_code == 403
    assert api("township_dispatcher_1").get("/assessment/workers/grid_worker_2").status_code == 200
    assert api("township_dispatcher_1").get("/assessment/workers/grid_worker_5").status_code == 404  # 西河镇
    assert api("township_dispatcher_1").get(f"/assessment?org_unit={TOWNSHIP_2}").status_code == 404
    assert api("leader").get("/assessment/workers/nobody").status_code == 404
    assert api("leader").get("/assessment/workers/leader").status_code == 404  # not a grid worker
    for outsider in ("village_staff_1", "grid_leader_1", "peoples_mediator_1"):  # neither the worker nor over them
        assert api(outsider).get("/assessment/workers/grid_worker_1").status_code == 404, outsider
    bad = api("leader").get("/assessment/workers/grid_worker_1?month=2026-13")
    assert bad.status_code == 422 and "month" in bad.json["error"]["fields"]
    assert api("leader").get("/assessment?month=March").status_code == 422


def test_the_worker_page(client: FlaskClient, run: Any, cases: dict[str, int]) -> None:
    run(april_of_grid_worker_2)
    login(client, "grid_worker_2")
    html = client.get("/dashboard/assessment/workers/grid_worker_2?month=2026-04").data.decode()
    assert '<strong id="score">-1</strong>' in html
    assert html.count('<tr data-evidence="') == 3 and 'data-evidence="returned"' in html
    assert "/dashboard/assessment?" not in html  # no ranking link for a grid worker
    assert client.get("/dashboard/assessment/workers/grid_worker_1").status_code == 403
    client.post("/logout")
    login(client, "leader")
    ranking = client.get(f"/dashboard/assessment?org_unit={TOWNSHIP_1}&date=2026-04-01").data.decode()
    assert 'href="/dashboard/assessment/workers/grid_worker_2?month=2026-04"' in ranking
    empty = client.get("/dashboard/assessment/workers/grid_worker_1?month=2026-04").data.decode()
    assert '<strong id="score">0</strong>' in empty and "/dashboard/assessment?" in empty
