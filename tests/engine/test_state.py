"""A case's engine state read back is the workflow that was saved: task ids kept as text (app/engine/state.py)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from app.engine import compile_definition, complete, start
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
