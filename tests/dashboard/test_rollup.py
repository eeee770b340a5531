"""The rollup (case_day_stat) against a direct recount: random hotline walks through the real diagram, each step at
a random time (across local midnight, across month ends, some cases left open, some reworked after a failed review
or an unsatisfied visit), then every figure for units at every level and several periods recounted from the cases
and events themselves; and `flask stats rebuild` giving the very rows the services wrote."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case, CaseEvent, CaseStatus
from app.dashboard.models import STAT_FIELDS, CaseDayStat
from app.dashboard.periods import Period
from app.dashboard.rollup import RETURN_VISIT, SATISFIED
from app.dashboard.service import Counts, counts_for, trend, unit_report
from app.extensions import db
from app.org.models import OrgUnit
from app.tasks.models import Task, TaskStatus
from tests.casetypes.test_hotline_matter import CALL
from tests.conftest import GRID_1, GRID_5, login
from tests.dashboard.dataset import LIUWAN_GRID, Flow
from tests.intake.test_triage import triage_case
from tests.security.test_admin import TOWNSHIP_2, VILLAGE_1

TZ = ZoneInfo("Asia/Shanghai")
TOWNSHIP_DISPATCHER = {GRID_1: "township_dispatcher_1", LIUWAN_GRID: "township_dispatcher_1",
                       GRID_5: "township_dispatcher_2"}  # fmt: skip
GAPS = (timedelta(minutes=20), timedelta(hours=7), timedelta(days=1), timedelta(days=9), timedelta(days=27))


def _answer(rng: random.Random, bpmn_id: str, grid: str) -> tuple[str, dict[str, Any]]:
    choices: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "triage": [("hotline_operator", {"direct_answer": True, "answer": "已告知"}),
                   *[("hotline_operator", {"direct_answer": False})] * 3],
        "dispatch": [("county_dispatcher", {"dispatch_to": "township"}),
                     ("county_dispatcher", {"dispatch_to": "department", "department_name": "县城管局"})],
        "township_handling": [(TOWNSHIP_DISPATCHER[grid], {"unit_action": "return", "return_reason": "非本级职责"}),
                              (TOWNSHIP_DISPATCHER[grid], {"unit_action": "reply", "reply": "已处理"})],
        "department_handling": [("department_staff", {"unit_action": "reply", "reply": "已处理"})],
        "review": [("county_dispatcher", {"reply_adequate": True}),
                   ("county_dispatcher", {"reply_adequate": False, "review_note": "请补充"})],
        "return_visit": [("hotline_operator", {"satisfaction": s}) for s in
                         ("satisfied", "basically_satisfied", "unsatisfied", "satisfied")],
    }  # fmt: skip
    return rng.choice(choices[bpmn_id])


def _walk(rng: random.Random, grid: str, when: datetime) -> None:
    flow = Flow("hotline_matter", "hotline_operator", CALL, grid, when)
    for _step in range(rng.randint(0, 9)):
        task = db.session.scalars(
            select(Task).where(Task.case_id == flow.case.id, Task.status == TaskStatus.OPEN)
        ).first()
        if task is None:
            return
        when += rng.choice(GAPS)
        username, data = _answer(rng, task.bpmn_id, grid)
        flow.step(username, task.bpmn_id, data, when)


def _walks(seed: int, count: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible walk, not a secret
    for _n in range(count):
        start = datetime(2026, 2, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 110), hours=rng.randint(0, 23))
        _walk(rng, rng.choice((GRID_1, LIUWAN_GRID, GRID_5)), start)
    db.session.commit()


def _recount(unit: OrgUnit, start: datetime, end: datetime) -> Counts:
    """The definitions (README "Statistics") applied case by case, in Python."""
    counts = Counts()
    cases = db.session.scalars(select(Case).join(OrgUnit).where(OrgUnit.path.startswith(unit.path))).all()
    for case in cases:
        late = any(t.due_at and t.completed_at and t.completed_at > t.due_at for t in case.tasks)
        closed = case.status is CaseStatus.CLOSED and case.closed_at is not None
        if start <= case.opened_at < end:
            counts.received += 1
            counts.accepted += case.status is not CaseStatus.CANCELLED
            counts.accepted_closed += closed and case.closed_at < end  # type: ignore[operator]
        if closed and start <= case.closed_at < end:  # type: ignore[operator]
            counts.closed += 1
            counts.closed_on_time += not late
        for event in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
            if not start <= event.at < end:
                continue
            payload = event.payload or {}
            counts.returned += event.kind == "returned" or (
                event.kind == "completed" and payload.get("unit_action") == "return"
            )
            if event.kind == "completed" and event.task_bpmn_id == RETURN_VISIT:
                counts.visits += 1
                counts.satisfied += (
                    payload.get("satisfaction") in SATISFIED or payload.get("agreement_honoured") is True
                )
    return counts


COUNTED = ("received", "accepted", "accepted_closed", "closed", "closed_on_time", "returned", "visits", "satisfied")
PERIODS = [Period(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1)) for m in range(2, 8)] + [
    Period(date(2026, 3, 15), date(2026, 4, 14)), Period(date(2026, 2, 1), date(2026, 12, 31)),
    Period(date(2026, 3, 3), date(2026, 3, 3))]  # fmt: skip


def _figures(counts: Counts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in COUNTED}


def _units() -> list[OrgUnit]:
    grid = db.session.scalars(select(OrgUnit).where(OrgUnit.code == GRID_1)).one()
    ancestors = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(grid.ancestor_ids()))).all()
    return [*ancestors, db.session.scalars(select(OrgUnit).where(OrgUnit.code == GRID_5)).one()]


def _check_everything() -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for unit in _units():
        spans = [p.instants(TZ) for p in PERIODS]
        trended = trend(unit, spans[:6], now=now)  # the months (a trend's spans do not overlap)
        for i, (start, end) in enumerate(spans):
            expected = _recount(unit, start, end)
            assert _figures(counts_for(unit, start, end, now=now)) == _figures(expected), (unit.code, start)
            for name in ("received", "closed", "closed_on_time", "visits", "satisfied")[: 5 if i < 6 else 0]:
                assert getattr(trended[i], name) == getattr(expected, name), (unit.code, start, name)
        start, end = PERIODS[-2].instants(TZ)
        report = unit_report(unit, start, end, now=now)
        assert _figures(report.total) == _figures(_recount(unit, start, end)), unit.code
        for child, counts in report.by_child_unit:
            assert _figures(counts) == _figures(_recount(child, start, end)), child.code


def _rows() -> list[tuple[Any, ...]]:
    rows = db.session.scalars(select(CaseDayStat)).all()
    found = [(r.org_unit_id, r.day, r.case_type, *(getattr(r, n) for n in STAT_FIELDS)) for r in rows]
    return sorted(row for row in found if any(row[3:]))


def test_the_rollup_matches_a_direct_recount_of_random_walks(app: Flask, run: Any) -> None:
    run(_walks, seed=8, count=40)
    with app.app_context():
        spread = db.session.scalars(select(Case)).all()
        assert any(c.closed_at and c.closed_at.month > c.opened_at.month for c in spread)  # closed a month later
        assert any(c.status is CaseStatus.OPEN for c in spread) and any(c.closed_at for c in spread)
        assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.payload["unit_action"].as_string() == "return"))
        _check_everything()


def test_flask_stats_rebuild_writes_the_rows_the_services_wrote(app: Flask, run: Any) -> None:
    run(_walks, seed=11, count=25)
    with app.app_context():
        incremental = _rows()
        assert incremental
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0 and "case_day_stat rebuilt" in result.output, result.output
    with app.app_context():
        assert _rows() == incremental
        _check_everything()


def test_a_triaged_case_and_a_moved_village_take_their_counts_along(
    app: Flask, run: Any, api: Any, client: FlaskClient
) -> None:
    run(_walks, seed=3, count=12)
    case_id = triage_case(run)  # waits at the county: counted there, in no township
    assert api("county_dispatcher").post(f"/triage/{case_id}", {"org_unit": GRID_1}).status_code == 200
    login(client, "admin")  # 桃源社区 (with GRID_1 and its cases) moves from 东城街道 to 西河镇
    assert client.post(f"/admin/units/{VILLAGE_1}", data={"parent": TOWNSHIP_2}).status_code == 302
    with app.app_context():
        grid = db.session.scalars(select(OrgUnit).where(OrgUnit.code == GRID_1)).one()
        township = db.session.scalars(select(OrgUnit).where(OrgUnit.code == TOWNSHIP_2)).one()
        assert township.id in grid.ancestor_ids()
        _check_everything()
        moved = _rows()
    assert app.test_cli_runner().invoke(args=["stats", "rebuild"]).exit_code == 0
    with app.app_context():
        assert _rows() == moved
