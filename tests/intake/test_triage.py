"""The triage queue: who sees it, and a dispatcher sending a case to its grid with its tasks."""

from typing import Any

from flask.testing import FlaskClient

from app.cases.service import Whereabouts, start_case
from app.casetypes.registry import latest_version
from app.clock import utcnow
from app.extensions import db
from app.intake.routing import route
from app.org.service import unit_by_code, user_by_username
from tests.conftest import FIRE_REPORT, GRID_1, TOWNSHIP_1, login, make_user

COUNTY = "360123000000"


def triage_case(run: Any, *, address: str | None = "火星基地") -> int:
    """A fire-hazard report from an intake channel that routing could not place."""
    make_user("channel", "intake_channel", COUNTY)

    def start() -> int:
        where = route(latitude=None, longitude=None, address=address, within=unit_by_code(COUNTY))
        change = start_case(latest_version("fire_hazard_rectification"), where.unit, dict(FIRE_REPORT),
                            actor=user_by_username("channel"), now=utcnow(), channel="open311",
                            where=Whereabouts(address=address, route=where))  # fmt: skip
        db.session.commit()
        return change.case.id

    return int(run(start))


def test_a_triage_case_waits_at_the_county_in_the_dispatchers_queue(api: Any, run: Any) -> None:
    case_id = triage_case(run)
    items = api("county_dispatcher").get("/triage").json["items"]
    assert [(i["id"], i["org_unit"]["code"], i["routing"], i["routing_reason"]) for i in items] == [
        (case_id, COUNTY, "triage", "unknown_address")
    ]
    # Its first task waits at the county too: no township dispatcher there, a supervisor sees it.
    case = api("county_dispatcher").get(f"/cases/{case_id}").json
    assert [t["org_unit"]["code"] for t in case["open_tasks"]] == [COUNTY]
    # Township dispatchers work the queue of their own area only; the county's is not theirs.
    assert api("township_dispatcher_1").get("/triage").json["items"] == []


def test_grid_workers_and_leaders_have_no_triage_queue(api: Any, client: FlaskClient, run: Any) -> None:
    case_id = triage_case(run)
    assert api("grid_worker_1").get("/triage").status_code == 403
    assert api("leader").post(f"/triage/{case_id}", {"org_unit": GRID_1}).status_code == 403
    # A township dispatcher does not see a case waiting at the county at all.
    assert api("township_dispatcher_1").post(f"/triage/{case_id}", {"org_unit": GRID_1}).status_code == 404
    login(client, "grid_worker_1")
    assert client.get("/triage").status_code == 403
    assert client.post(f"/triage/{case_id}", data={"org_unit": GRID_1}).status_code == 403


def test_the_dispatcher_sends_the_case_and_its_unclaimed_tasks_to_the_grid(api: Any, run: Any) -> None:
    case_id = triage_case(run)
    dispatcher = api("county_dispatcher")
    refused = dispatcher.post(f"/triage/{case_id}?locale=en", {"org_unit": TOWNSHIP_1})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"org_unit": "Choose a grid of your area."}
    assert dispatcher.post(f"/triage/{case_id}", {}).status_code == 422
    answer = dispatcher.post(f"/triage/{case_id}", {"org_unit": GRID_1})
    assert answer.status_code == 200, answer.json
    assert (answer.json["org_unit"]["code"], answer.json["routing"]) == (GRID_1, "dispatcher")
    case = dispatcher.get(f"/cases/{case_id}").json
    assert case["org_unit"]["code"] == GRID_1
    assert [t["org_unit"]["code"] for t in case["open_tasks"]] == [TOWNSHIP_1]
    routed = [e for e in case["history"] if e["kind"] == "routed"]
    assert len(routed) == 1 and routed[0]["actor"] == "county_dispatcher"
    assert routed[0]["data"]["from"] == COUNTY and routed[0]["data"]["to"] == GRID_1
    # The township dispatcher now finds the task; the queue is empty; routing again is refused.
    tasks = api("township_dispatcher_1").get("/tasks?scope=candidate").json["items"]
    assert case_id in {t["case_id"] for t in tasks}
    assert dispatcher.get("/triage").json["items"] == []
    assert dispatcher.post(f"/triage/{case_id}", {"org_unit": GRID_1}).status_code == 409
    missing = dispatcher.post("/triage/999999", {"org_unit": GRID_1})
    assert missing.status_code == 404 and missing.json["error"]["message"] == "案件不存在。"  # was English


def test_the_triage_page_lists_and_moves(client: FlaskClient, run: Any) -> None:
    case_id = triage_case(run, address=None)
    login(client, "county_dispatcher")
    page = client.get("/triage").get_data(as_text=True)
    assert f'action="/triage/{case_id}"' in page
    assert f'<option value="{GRID_1}">' in page
    response = client.post(f"/triage/{case_id}", data={"org_unit": GRID_1})
    assert response.status_code == 302
    assert f'action="/triage/{case_id}"' not in client.get("/triage").get_data(as_text=True)
