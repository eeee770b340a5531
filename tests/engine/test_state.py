"""A case's engine state read back is the workflow that was saved: task ids kept as text (app/engine/state.py)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine import compile_definition, complete, fire_timers, start
from app.engine.sandbox import SCRIPT_ENGINE
from app.engine.state import dump_state, load_state
from app.org.roles import ROLES

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
FORMS = {p.name for p in (ROOT / "forms").glob("*.json")}


def _tasks(workflow: BpmnWorkflow) -> dict[str, Any]:
    return {
        str(t.id): (str(t._parent) if t._parent else None, [str(c) for c in t._children], t.state, t.data)
        for t in workflow.tasks.values()
    }


def test_a_loaded_state_is_the_workflow_that_was_saved() -> None:
    fire = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_bytes()
    definition = compile_definition(fire, "fire.bpmn", roles=ROLES.keys(), forms=FORMS)
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.task_tree.data.update({"address": "x", "severity": "high"})
    workflow.do_engine_steps()
    [accept] = workflow.get_tasks(state=TaskState.READY, manual=True)
    accept.data.update({"severity_decision": "minor", "assessment_opinion": "ok"})
    accept.run()
    workflow.do_engine_steps()
    state = dump_state(workflow)  # pruned: what remains is what was saved

    loaded = load_state(state, definition.spec, definition.subprocess_specs)

    assert all(type(task_id) is str for task_id in loaded.tasks)
    assert _tasks(loaded) == _tasks(workflow)  # parents, children, states and each task's data (stored as changes)
    assert loaded.last_task is not None and loaded.last_task.id == str(workflow.last_task.id)
    assert dump_state(loaded) == state
    [urge] = loaded.get_tasks(state=TaskState.READY, manual=True)
    assert urge.task_spec.bpmn_id == "urge_rectification" and urge.parent is not None


def test_a_task_inside_a_subprocess_completes_after_the_state_is_read_back() -> None:
    xml = (Path(__file__).parent / "nested_check.bpmn").read_bytes()
    definition = compile_definition(xml, "nested_check.bpmn", roles=ROLES.keys(), forms={"look.schema.json"})
    started = start(definition, {"address": "x"}, now=NOW)
    [look] = started.ready
    assert look.bpmn_id == "look" and not started.ended

    done = complete(definition, started.state, look.id, {"seen": True}, now=NOW)

    assert done.ended and done.ready == []
    assert done.data == {"address": "x", "seen": True}


def test_pruning_keeps_each_open_branch_below_their_common_ancestor() -> None:
    definition = compile_definition(
        (ROOT / "processes" / "dispute_mediation.bpmn").read_bytes(),
        "dispute.bpmn",
        roles=ROLES.keys(),
        forms=FORMS,
    )
    started = start(definition, {"risk_level": "high", "settled_on_spot": False}, now=NOW)
    assert sorted(t.bpmn_id for t in started.ready) == ["peoples_mediation", "risk_prevention"]
    workflow = load_state(started.state, definition.spec, definition.subprocess_specs)
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    lines = [_line(t) for t in unfinished]  # each task's ancestors, root first, computed the plain way
    common = next(n for n in range(min(map(len, lines)), 0, -1) if len({tuple(line[:n]) for line in lines}) == 1)

    assert workflow.task_tree is lines[0][max(common - 2, 0)]  # the common ancestor's parent: nothing above it kept
    assert set(workflow.tasks) == {t.id for t in _below(workflow.task_tree)}
    [risk] = [t for t in started.ready if t.bpmn_id == "risk_prevention"]
    done = complete(definition, started.state, risk.id, {"risk_measures": "上门稳控", "risk_controlled": True}, now=NOW)
    assert [t.bpmn_id for t in done.ready] == ["peoples_mediation"]


def _line(task: Any) -> list[Any]:
    line = []
    while task is not None:
        line.insert(0, task)
        task = task.parent
    return line


def _below(task: Any) -> list[Any]:
    return [task, *(t for child in task.children for t in _below(child))]


def test_task_data_spiffworkflow_converts_survives_the_round_trip() -> None:
    fire = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_bytes()
    definition = compile_definition(fire, "fire.bpmn", roles=ROLES.keys(), forms=FORMS)
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=SCRIPT_ENGINE)
    data = {"at": NOW, "wards": {"东", "西"}, "名称": "城关"}
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()

    loaded = load_state(dump_state(workflow), definition.spec, definition.subprocess_specs)

    [ready] = loaded.get_tasks(state=TaskState.READY, manual=True)
    assert ready.data["at"] == NOW  # a datetime, as SpiffWorkflow's own encoder stores it
    assert sorted(ready.data["wards"]) == ["东", "西"]  # a set is stored as a list
    assert ready.data["名称"] == "城关"


def test_a_waiting_timer_and_dropped_keys_read_back_to_the_same_text() -> None:
    """Internal data (a timer's due moment) and keys a task dropped from its parent's data are written out by hand
    (`_TaskConverter`): read back, they write the very same text, and the timer still fires."""
    hotline = (ROOT / "processes" / "hotline_matter.bpmn").read_bytes()
    definition = compile_definition(hotline, "hotline.bpmn", roles=ROLES.keys(), forms=FORMS)
    result = start(definition, {"caller_name": "赵女士", "content": "油烟扰民", "category": "complaint"}, now=NOW)
    for answer in ({"direct_answer": False}, {"dispatch_to": "township"}):
        result = complete(definition, result.state, result.ready[0].id, answer, now=NOW)
    workflow = load_state(result.state, definition.spec, definition.subprocess_specs)
    assert any(t.internal_data for t in workflow.tasks.values())
    assert '"deletions":["' in result.state

    assert dump_state(workflow) == result.state
    assert result.next_timer_at is not None
    fired = fire_timers(definition, result.state, now=result.next_timer_at)
    assert "escalated_supervision" in {t.bpmn_id for t in fired.ready}
