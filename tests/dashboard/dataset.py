"""A small fixed set of cases walked through the real diagrams by the services, each step at a chosen time.

Times are UTC; the reporting time zone is Asia/Shanghai (UTC+8), so every step is at 10:00 local or later.
See test_stats.py for the numbers this set must give, computed by hand.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.cases.models import Case
from app.cases.service import start_case
from app.casetypes.registry import latest_version
from app.extensions import db
from app.org.service import unit_by_code, user_by_username
from app.tasks.models import Task, TaskStatus
from app.tasks.service import complete_task
from tests.casetypes.test_dispute_mediation import DISPUTE
from tests.casetypes.test_hotline_matter import CALL
from tests.conftest import FIRE_REPORT, GRID_1, GRID_5

LIUWAN_GRID = "360123001002001"  # 柳湾社区第1网格, 东城街道


def at(month: int, day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class Flow:
    def __init__(self, case_type: str, reporter: str, data: dict[str, Any], grid: str, when: datetime) -> None:
        version = latest_version(case_type)
        assert version is not None
        unit, actor = unit_by_code(grid), user_by_username(reporter)
        assert unit is not None and actor is not None
        self.case: Case = start_case(version, unit, data, actor=actor, now=when).case

    def step(self, username: str, bpmn_id: str, data: dict[str, Any], when: datetime) -> "Flow":
        task = db.session.scalars(
            select(Task).where(Task.case_id == self.case.id, Task.bpmn_id == bpmn_id, Task.status == TaskStatus.OPEN)
        ).one()
        actor = user_by_username(username)
        assert actor is not None
        complete_task(task, data, actor=actor, now=when)
        return self


def _hotline_to_review(grid: str, day: tuple[int, int], *, via_return: bool = False) -> Flow:
    month, d = day
    flow = Flow("hotline_matter", "hotline_operator", CALL, grid, at(month, d))
    flow.step("hotline_operator", "triage", {"direct_answer": False}, at(month, d, 2, 5))
    if via_return:
        flow.step("county_dispatcher", "dispatch", {"dispatch_to": "township"}, at(month, d, 2, 30))
        flow.step("township_dispatcher_1", "township_handling", {"unit_action": "return", "return_reason": "非本级职责"},
                  at(month, d, 3))  # fmt: skip
        flow.step("county_dispatcher", "dispatch", {"dispatch_to": "department", "department_name": "县城管局"},
                  at(month, d, 3, 30))  # fmt: skip
    else:
        flow.step("county_dispatcher", "dispatch", {"dispatch_to": "department", "department_name": "县城管局"},
                  at(month, d, 2, 30))  # fmt: skip
    flow.step("department_staff", "department_handling", {"unit_action": "reply", "reply": "已处理"},
              at(month, d + 1 if via_return else d, 2 if via_return else 3))  # fmt: skip
    return flow


def build() -> dict[str, int]:
    """A: direct answer (March, on time). B: returned once, opened March, visited and closed April, late.
    C: fire hazard in 西河镇, left open (overdue). D: dispute settled on the spot, honoured (March).
    E: opened April, reply awaiting review (overdue). F: 柳湾社区, unsatisfied visit in March reopens handling."""
    a = Flow("hotline_matter", "hotline_operator", CALL, GRID_1, at(3, 2))
    a.step("hotline_operator", "triage", {"direct_answer": True, "answer": "已告知"}, at(3, 2, 2, 10))
    b = _hotline_to_review(GRID_1, (3, 10), via_return=True)
    b.step("county_dispatcher", "review", {"reply_adequate": True}, at(3, 11, 3))
    b.step("hotline_operator", "return_visit", {"satisfaction": "basically_satisfied"}, at(4, 1, 2))
    c = Flow("fire_hazard_rectification", "grid_worker_5", FIRE_REPORT, GRID_5, at(3, 5))
    d = Flow("dispute_mediation", "grid_worker_1", {**DISPUTE, "settled_on_spot": True, "spot_agreement": "移走鞋柜"},
             GRID_1, at(3, 16))  # fmt: skip
    d.step("grid_worker_1", "return_visit", {"agreement_honoured": True}, at(3, 16, 3))
    e = Flow("hotline_matter", "hotline_operator", CALL, GRID_1, at(4, 3))
    e.step("hotline_operator", "triage", {"direct_answer": False}, at(4, 3, 2, 5))
    e.step("county_dispatcher", "dispatch", {"dispatch_to": "township"}, at(4, 3, 2, 30))
    e.step("township_dispatcher_1", "township_handling", {"unit_action": "reply", "reply": "已处理"}, at(4, 3, 3))
    f = _hotline_to_review(LIUWAN_GRID, (3, 20))
    f.step("county_dispatcher", "review", {"reply_adequate": True}, at(3, 20, 3, 30))
    f.step("hotline_operator", "return_visit", {"satisfaction": "unsatisfied"}, at(3, 20, 4))
    db.session.commit()
    return {name: flow.case.id for name, flow in zip("ABCDEF", (a, b, c, d, e, f), strict=True)}
