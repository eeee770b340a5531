"""Serialize a running workflow without its spec.

The parsed spec is the same for every case of a process version, and it is the
bulk of SpiffWorkflow's default serialization. We keep it once in memory (the
registry caches parsed definitions) and store only the task tree per case, which
makes each step's load and save proportional to the case's own state.
"""

from copy import copy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from app.engine import json_text
from app.engine.sandbox import SCRIPT_ENGINE

_MUTABLE = (dict, list, set)  # what DeepMerge.merge copies (shallow) from a parent's data
STATE_FORMAT = "gridcase-1"  # bump when the layout below changes; stored per case


class _TextIds:
    """Task ids kept as the text they are stored as, not parsed into `UUID`s.

    SpiffWorkflow finds a task's parent and children by id in a dict (`workflow.tasks`) on every move through
    the tree, and a `UUID` hashes and compares in Python; a `str` does it in C, its hash kept. Tasks created during
    a step get `UUID`s as usual; each task is the key of its own id, so lookups never mix the two, and both are
    written back as text. An engine step (fire hazard, in process) and a timer fired on a hotline case cost about a
    tenth less CPU.
    """

    def set_default_attributes(self, workflow: Any, dct: dict[str, Any]) -> None:
        last = dct.get("last_task")
        super().set_default_attributes(workflow, {**dct, "last_task": None})  # type: ignore[misc]
        workflow.last_task = workflow.tasks.get(last) if isinstance(last, str) else None


class _TaskConverter(TaskConverter):  # type: ignore[misc]
    """SpiffWorkflow 3.2's `TaskConverter` (data stored as the change from the parent's), ids as text.

    Written out rather than inherited: empty internal data and empty changes (most tasks') skip the registry's
    walk, and each task's parent is looked up once. Reading and writing a state is half of an engine step; this
    took a fired timer's engine step from 531 to 466 µs (in process, alternated).
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent = task.workflow.tasks.get(task._parent)
        data = task.data
        if parent is None:
            stored, delta = data, {}
        else:
            before = parent.data
            stored = {}
            delta = {
                "updates": {key: value for key, value in data.items() if key not in before or value != before[key]},
                "deletions": [key for key in before if key not in data],
            }
        internal = task.internal_data
        return {
            "id": str(task.id),
            "parent": None if parent is None else str(task._parent),
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": stored,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=dct["id"])
        task._parent, task._children = dct["parent"], list(dct["children"])
        task.last_state_change, task.triggered = dct["last_state_change"], dct["triggered"]
        if internal := dct["internal_data"]:
            task.internal_data = self.registry.restore(internal)
        if isinstance(task_spec, CatchingEvent) and task._state == TaskState.WAITING:
            task.workflow.top_workflow.event_manager.add_task(task)
        delta, parent = dct.get("delta"), workflow.tasks.get(task._parent)
        if delta and parent is not None:
            data = {key: copy(value) if isinstance(value, _MUTABLE) else value for key, value in parent.data.items()}
            if updates := delta.get("updates"):
                data.update(self.registry.restore(updates))
            for key in delta.get("deletions", ()):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class _SubWorkflowConverter(_TextIds, BpmnSubWorkflowConverter):  # type: ignore[misc]
    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = self.mapping_from_dict(dct["tasks"], workflow=subprocess)
        subprocess.task_tree = subprocess.tasks.get(dct["root"])
        self.set_default_attributes(subprocess, dct)
        return subprocess


class _SpeclessWorkflowConverter(_TextIds, BpmnWorkflowConverter):  # type: ignore[misc]
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], workflow=workflow)
        workflow.task_tree = workflow.tasks.get(dct["root"])
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _SpeclessWorkflowConverter
_CONFIG[BpmnSubWorkflow] = _SubWorkflowConverter
_CONFIG[Task] = _TaskConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
_ENCODE_OTHER = _SERIALIZER._encoder_cls().default  # what SpiffWorkflow's own JSON encoder does with other types


def prune_history(workflow: BpmnWorkflow) -> None:
    """Drop finished tasks above the deepest common ancestor of the unfinished ones.

    SpiffWorkflow keeps every task ever run in one tree, so each loop makes the state
    (and the cost of every later step) larger and deeper. The case's history lives in
    our audit trail, so the engine only needs the part of the tree that can still
    change: the subtree holding every unfinished task, plus one finished ancestor
    that the running tasks may inherit from.
    """
    tasks = workflow.tasks
    unfinished = [t for t in tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return
    chain = _ancestor_ids(tasks, unfinished[0])
    new_root = tasks[chain[min(_common_height(tasks, chain, unfinished[1:]) + 1, len(chain) - 1)]]
    if new_root is workflow.task_tree:
        return
    keep = {t.id: t for t in _descendants(tasks, new_root)}
    new_root.parent = None
    workflow.task_tree = new_root
    workflow.tasks = keep
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = None
    for task_id in [k for k in workflow.subprocesses if k not in keep]:
        del workflow.subprocesses[task_id]


def _ancestor_ids(tasks: dict[Any, Any], task: Any) -> list[Any]:
    """The task's id, its parent's, and so on up to the root's (ids, not the `parent` property: a dict lookup each)."""
    chain, task_id = [], task.id
    while task_id is not None:
        chain.append(task_id)
        task_id = tasks[task_id]._parent
    return chain


def _common_height(tasks: dict[Any, Any], chain: list[Any], others: list[Any]) -> int:
    """How far up `chain` (0: its first task) the deepest ancestor common to it and every one of `others` is: each
    other task climbs only until it meets the chain, a step or two for tasks of the same branch."""
    height = {task_id: h for h, task_id in enumerate(chain)}
    common = 0
    for task in others:
        task_id = task.id
        while task_id not in height:
            task_id = tasks[task_id]._parent
        common = max(common, height[task_id])
    return common


def _descendants(tasks: dict[Any, Any], root: Any) -> list[Any]:
    found, stack = [], [root]
    while stack:
        task = stack.pop()
        found.append(task)
        stack.extend(tasks[child] for child in task._children)
    return found


def dump_state(workflow: BpmnWorkflow) -> str:
    prune_history(workflow)
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # the fast path SpiffWorkflow's own serialize_json uses
    try:
        dct = registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return json_text.dumps(dct, _ENCODE_OTHER)
    finally:
        registry._encoder_mode = False


def load_state(state: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    dct = json_text.loads(state)
    if dct.pop("format", None) != STATE_FORMAT:
        raise ValueError("unknown engine state format")
    workflow: BpmnWorkflow = _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow
