"""Time limits and timers out of range are refused at deploy, naming the task and the bound, instead of failing
every case of the type when the task opens or the timer starts; a limit still in range deploys and cases start."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from app.clock import utcnow
from app.extensions import db
from app.worker.models import Timer
from tests.casetypes.test_hotline_matter import CALL
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, GRID_1, ROOT
from tests.designer.test_designer import FIRE, KEY, upload, versions_of

HOTLINE = (ROOT / "processes" / "hotline_matter.bpmn").read_text("utf-8")
ACCEPT_DEADLINE = '<spiffworkflow:property name="deadline" value="2 working hours"/>'
TOWNSHIP_TIMER = '<bpmn:timeDuration>"P7D"</bpmn:timeDuration>'  # on township_handling (escalate_township)


def fire_with_deadline(value: str) -> str:
    assert ACCEPT_DEADLINE in FIRE
    return FIRE.replace(ACCEPT_DEADLINE, f'<spiffworkflow:property name="deadline" value="{value}"/>')


def hotline_with_timer(element: str, source: str) -> str:
    assert TOWNSHIP_TIMER in HOTLINE
    return HOTLINE.replace(TOWNSHIP_TIMER, f"<bpmn:{element}>{source}</bpmn:{element}>", 1)


def refused(api: Any, xml: str, name: str) -> tuple[dict[str, Any], str]:
    """The deploy's 422 error and its one problem as the designer reads it: "[element] reason"."""
    answer = api("designer").post("/designer/deploy", data=upload(xml, name=name))
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert error["code"] == "invalid_diagram"
    [problem] = error["problems"]
    assert problem["file"] == name and problem["line"], problem
    [(where, text)] = error["fields"].items()
    assert where == f"{name}:{problem['line']}"
    return problem, text


@pytest.mark.parametrize(
    ("value", "bound"),
    [
        ("99999999 days", "3660 days"),
        ("P99999999D", "3660 days"),
        ("PT99999999999H", "3660 days"),
        ("9" * 400 + " days", "3660 days"),  # reads as infinity
        ("3661 days", "3660 days"),
        ("99999999 working hours", "20880 working hours"),
        ("99999 working days", "2610 working days"),
    ],
)
def test_a_deadline_beyond_ten_years_is_refused_naming_the_task_and_the_bound(api: Any, value: str, bound: str) -> None:
    before = versions_of()
    problem, text = refused(api, fire_with_deadline(value), "fire.bpmn")
    assert problem["element"] == "accept_and_assess"
    assert problem["line"] == FIRE[: FIRE.index('<bpmn:userTask id="accept_and_assess"')].count("\n") + 1
    assert problem["reason"].startswith("deadline: '") and f"at most {bound}" in problem["reason"]
    assert text == f"[accept_and_assess] {problem['reason']}"
    assert versions_of() == before


@pytest.mark.parametrize(
    ("value", "minimum_days"),
    [("3 working days", 3), ("48 working hours", 6), ("P3D", 3), ("PT4H", 0), ("2610 working days", 3600),
     ("20880 working hours", 4000), ("3660 days", 3660)],
)  # fmt: skip
def test_a_deadline_in_range_deploys_and_cases_start_with_it(api: Any, value: str, minimum_days: int) -> None:
    before = versions_of()
    deployed = api("designer").post("/designer/deploy", data=upload(fire_with_deadline(value)))
    assert deployed.status_code == 201, deployed.json
    assert versions_of() == before + 1
    started = api("grid_worker_1").post("/cases", {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT})
    assert started.status_code == 201, started.json
    [task] = started.json["open_tasks"]
    assert task["bpmn_id"] == "accept_and_assess" and task["due_at"]
    wait = datetime.fromisoformat(task["due_at"]) - utcnow() + timedelta(minutes=1)  # the minute since it opened
    assert timedelta(days=minimum_days) <= wait <= timedelta(days=2 * minimum_days + 10)


@pytest.mark.parametrize(
    ("element", "source", "reason"),
    [
        ("timeDuration", "'x'", "timeDuration: 'x' is not an ISO 8601 duration in quotes"),
        ("timeDuration", "'-P1D'", "timeDuration: '-P1D' is not an ISO 8601 duration in quotes"),
        ("timeDuration", "1", "timeDuration: 1 is not an ISO 8601 duration in quotes"),
        ("timeDuration", "None", "timeDuration: None is not an ISO 8601 duration in quotes"),
        ("timeDuration", "'P99999999D'", "timeDuration: 'P99999999D' is too long: a timer may wait at most 3660 days"),
        ("timeDuration", '"P11Y"', "timeDuration: 'P11Y' is too long: a timer may wait at most 3660 days"),
        ("timeDuration", '"PT0S"', "timeDuration: 'PT0S': a timer's duration must be more than zero"),
        ("timeDate", '"P1D"', "timeDate: 'P1D' is not an ISO 8601 date-time in quotes"),
        ("timeDate", "'x'", "timeDate: 'x' is not an ISO 8601 date-time in quotes"),
        ("timeDate", '"9999-12-31T00:00:00+08:00"', "is too far ahead: a timer may wait at most 3660 days"),
    ],
)
def test_a_timer_constant_spiffworkflow_cannot_run_is_refused_at_deploy(
    api: Any, element: str, source: str, reason: str
) -> None:
    xml = hotline_with_timer(element, source)
    before = versions_of("hotline_matter")
    problem, text = refused(api, xml, "hotline.bpmn")
    assert problem["element"] == "escalate_township"
    assert problem["line"] == xml[: xml.index(f"<bpmn:{element}>{source}")].count("\n") + 1
    assert reason in problem["reason"], problem
    assert text == f"[escalate_township] {problem['reason']}"
    assert versions_of("hotline_matter") == before


@pytest.mark.parametrize(
    ("element", "source", "wait"),
    [
        ("timeDuration", '"PT4H"', timedelta(hours=4)),
        ("timeDuration", '"P10Y"', timedelta(days=3650)),
        ("timeDuration", "'P' + '3D'", timedelta(days=3)),  # an expression: evaluated when the timer starts
        ("timeDate", f'"{(utcnow() + timedelta(days=400)).isoformat()}"', timedelta(days=400)),
    ],
)
def test_a_timer_in_range_deploys_and_the_step_that_starts_it_runs(
    api: Any, element: str, source: str, wait: timedelta
) -> None:
    deployed = api("designer").post("/designer/deploy", data=upload(hotline_with_timer(element, source), name="h.bpmn"))
    assert deployed.status_code == 201, deployed.json
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"})  # opens township_handling: its timer
    assert walk.open_tasks() == ["township_handling"]
    timer = db.session.get(Timer, walk.id)
    assert timer is not None
    assert abs(timer.fire_at - utcnow() - wait) < timedelta(days=3)  # months and years vary a little


@pytest.mark.parametrize("value", ["99999 working days", "99999999 days"])
def test_a_stored_limit_the_calendar_cannot_place_refuses_the_step_not_500(
    api: Any, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: a limit that got past the lint (here by lifting the bounds) answers 422, not 500."""
    monkeypatch.setattr("app.engine.durations.MAX_DAYS", 10**12)
    monkeypatch.setattr("app.engine.durations.MAX_WORKING_DAYS", 10**12)
    deployed = api("designer").post("/designer/deploy", data=upload(fire_with_deadline(value)))
    assert deployed.status_code == 201, deployed.json
    started = api("grid_worker_1").post("/cases?locale=en", {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT})
    assert started.status_code == 422, started.json
    error = started.json["error"]
    assert error["code"] == "process_error" and "time limit" in error["message"]


def test_a_version_deployed_before_the_bounds_still_runs_its_cases(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored version is compiled again without the bounds: "3661 days" ran before they came, and still does."""
    with monkeypatch.context() as lifted:
        lifted.setattr("app.engine.durations.MAX_DAYS", 10**6)
        deployed = api("designer").post("/designer/deploy", data=upload(fire_with_deadline("3661 days")))
        assert deployed.status_code == 201, deployed.json
    monkeypatch.setattr("app.casetypes.registry._CACHE", {})  # as a freshly started process: compiled from the row
    started = api("grid_worker_1").post("/cases", {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT})
    assert started.status_code == 201, started.json
    again = api("designer").post("/designer/deploy", data=upload(fire_with_deadline("3662 days")))
    assert again.status_code == 422  # a new version is held to the bounds
