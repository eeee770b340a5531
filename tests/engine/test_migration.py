"""Re-binding a running case's engine state to another version of its diagram (app/engine/migration.py)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.engine import ProcessDefinition, compile_definition, complete, start
from app.engine.migration import KIND_CHANGED, LANE_CHANGED, TIMER_RESTARTS, MigrationRefused, migrate, plan_migration
from app.org.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")
HOTLINE = (ROOT / "processes" / "hotline_matter.bpmn").read_text("utf-8")
FORMS = {p.name for p in (ROOT / "forms").glob("*.json")}
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def compiled(xml: str) -> ProcessDefinition:
    return compile_definition(xml.encode("utf-8"), "t.bpmn", roles=ROLES.keys(), forms=FORMS)


def fire_at_acceptance() -> tuple[ProcessDefinition, Any]:
    definition = compiled(FIRE)
    return definition, start(definition, {"fixed_on_spot": False}, now=NOW)


def test_a_task_moved_to_another_lane_keeps_the_case_where_it_is() -> None:
    old, state = fire_at_acceptance()
    moved = FIRE.replace("<bpmn:flowNodeRef>accept_and_assess</bpmn:flowNodeRef>", "").replace(
        "<bpmn:flowNodeRef>enforce_rectification</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>enforce_rectification</bpmn:flowNodeRef><bpmn:flowNodeRef>accept_and_assess</bpmn:flowNodeRef>",
    )
    new = compiled(moved)
    [obstacle] = plan_migration(old, new, state.state).obstacles
    assert (obstacle.code, obstacle.bpmn_id, obstacle.detail) == (
        LANE_CHANGED, "accept_and_assess", {"old": "township_dispatcher", "new": "fire_safety_inspector"})  # fmt: skip
    with pytest.raises(MigrationRefused):
        migrate(old, new, state.state, now=NOW)


def test_a_task_that_became_another_kind_of_element_is_refused() -> None:
    old, state = fire_at_acceptance()
    manual = FIRE.replace(
        '<bpmn:userTask id="accept_and_assess" name="受理并研判">',
        '<bpmn:manualTask id="accept_and_assess" name="受理并研判">',
        1,
    )
    manual = manual.replace("</bpmn:userTask>", "</bpmn:manualTask>", 1)
    [obstacle] = plan_migration(old, compiled(manual), state.state).obstacles
    assert (obstacle.code, obstacle.detail["new"]) == (KIND_CHANGED, "ManualTask")


def test_a_waiting_escalation_timer_restarts_with_the_new_duration() -> None:
    old = compiled(HOTLINE)
    result = start(old, {}, now=NOW)
    result = complete(old, result.state, result.ready[0].id, {"direct_answer": False}, now=NOW)
    result = complete(old, result.state, result.ready[0].id, {"dispatch_to": "township"}, now=NOW)
    assert [r.bpmn_id for r in result.ready] == ["township_handling"]
    new = compiled(HOTLINE.replace('"P7D"', '"P3D"'))
    plan = plan_migration(old, new, result.state)
    assert plan.possible and [n.code for n in plan.notes] == [TIMER_RESTARTS]
    later = NOW + timedelta(days=1)
    moved = migrate(old, new, result.state, now=later)
    assert [r.id for r in moved.ready] == [r.id for r in result.ready]  # the same task, so the same inbox row
    assert moved.next_timer_at == later + timedelta(days=3)
