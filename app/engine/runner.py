"""Start and advance workflows: (definition, state, task, data) -> EngineResult."""

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app.engine.clock import running_at, timer_due_at
from app.engine.definitions import ProcessDefinition
from app.engine.errors import EngineError
from app.engine.sandbox import SCRIPT_ENGINE
from app.engine.state import STATE_FORMAT, dump_state, load_state


@dataclass(frozen=True)
class ReadyTask:
    """A human task waiting for someone; `id` is the engine's task id."""

    id: str
    bpmn_id: str
    name: str
    lane: str


@dataclass(frozen=True)
class EngineResult:
    state: str
    ready: list[ReadyTask]
    ended: bool
    data: dict[str, Any] = field(default_factory=dict)
    state_format: str = STATE_FORMAT
    next_timer_at: datetime | None = None  # the earliest waiting timer event, if any


class TaskNotReady(EngineError):
    """The task is not a ready human task of this workflow."""


def start(definition: ProcessDefinition, data: dict[str, Any], *, now: datetime) -> EngineResult:
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.task_tree.data.update(copy.deepcopy(data))
    with running_at(now):
        return _advance(workflow, last_data=data)


def fire_timers(definition: ProcessDefinition, state: str, *, now: datetime) -> EngineResult:
    """Fire every timer event due at `now` and run the engine on from there."""
    workflow = load_state(state, definition.spec, definition.subprocess_specs)
    with running_at(now):
        workflow.refresh_timers()
        return _advance(workflow, last_data={})


def complete(
    definition: ProcessDefinition, state: str, task_id: str, data: dict[str, Any], *, now: datetime
) -> EngineResult:
    with running_at(now):
        return _complete(definition, state, task_id, data)


def _complete(definition: ProcessDefinition, state: str, task_id: str, data: dict[str, Any]) -> EngineResult:
    workflow = load_state(state, definition.spec, definition.subprocess_specs)
    try:
        task = workflow.get_task_from_id(task_id)  # ids are text (app/engine/state.py)
    except SpiffWorkflowException as err:
        raise TaskNotReady(f"task {task_id} is not part of this case") from err
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(f"task {task_id} is not waiting for completion")
    task.data.update(copy.deepcopy(data))
    try:
        task.run()
    except SpiffWorkflowException as err:
        raise EngineError(str(err)) from err
    return _advance(workflow, last_data=task.data)


def _advance(workflow: BpmnWorkflow, *, last_data: dict[str, Any]) -> EngineResult:
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as err:
        raise EngineError(str(err)) from err
    except Exception as err:  # a designer's expression failed (NameError, TypeError, ...)
        raise EngineError(f"{type(err).__name__}: {err}") from err
    found = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)  # one walk of the tree for both
    ready = [
        ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id, t.task_spec.lane or "")
        for t in found
        if t.state == TaskState.READY and t.task_spec.manual
    ]
    last = workflow.last_task
    data = last.data if last is not None and last.data else last_data
    timers = [due for t in found if t.state == TaskState.WAITING and (due := timer_due_at(t)) is not None]
    return EngineResult(
        state=dump_state(workflow),
        ready=ready,
        ended=workflow.completed,
        data=dict(data),
        next_timer_at=min(timers, default=None),
    )
