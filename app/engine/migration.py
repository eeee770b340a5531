"""Move a running case's engine state from one version of its diagram to another.

A case's stored state names its tasks' specs by BPMN id and holds no spec itself (see
state.py), so migrating means loading it with the old version's spec, re-binding every
task that stays in the tree to the spec of the same id in the new version, and
re-predicting what follows the current tasks from the new diagram. The current human
tasks keep their engine ids, so the inbox rows stay the same rows. A case can move only
when each task it still holds exists in the new version as the same kind of element in
the same lane; otherwise it is refused with the reasons and left as it was.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app.engine.clock import running_at
from app.engine.definitions import ProcessDefinition
from app.engine.errors import EngineError
from app.engine.runner import EngineResult, _advance
from app.engine.state import load_state

TASK_MISSING = "task_missing"  # a current human task has no element of its id in the target
EVENT_MISSING = "event_missing"  # a waiting event (timer, message, gateway join) has none
STEP_MISSING = "step_missing"  # a finished step the state still holds has none
KIND_CHANGED = "kind_changed"  # the element of that id is another kind of element
LANE_CHANGED = "lane_changed"  # a current human task moves to another lane (so other candidates)
SUBPROCESS = "subprocess"  # the case is inside a sub-process or call activity
TIMER_RESTARTS = "timer_restarts"  # a note, not an obstacle: a waiting timer starts again from the migration
_RESET = TaskState.READY | TaskState.WAITING
_KEPT = TaskState.FINISHED_MASK | _RESET | TaskState.STARTED


@dataclass(frozen=True)
class Finding:
    """Why a case cannot move (an obstacle) or what moving it changes (a note)."""

    code: str
    bpmn_id: str
    label: str
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationPlan:
    obstacles: list[Finding]
    notes: list[Finding]

    @property
    def possible(self) -> bool:
        return not self.obstacles


class MigrationRefused(Exception):
    def __init__(self, obstacles: list[Finding]) -> None:
        super().__init__(", ".join(f"{o.code}:{o.bpmn_id}" for o in obstacles))
        self.obstacles = obstacles


def plan_migration(source: ProcessDefinition, target: ProcessDefinition, state: str) -> MigrationPlan:
    """What moving this state from `source` to `target` would meet, without changing anything."""
    return _plan(load_state(state, source.spec, source.subprocess_specs), source, target)


def migrate(source: ProcessDefinition, target: ProcessDefinition, state: str, *, now: datetime) -> EngineResult:
    """The state re-bound to `target` and run on; raise MigrationRefused when the plan has obstacles."""
    workflow = load_state(state, source.spec, source.subprocess_specs)
    plan = _plan(workflow, source, target)
    if not plan.possible:
        raise MigrationRefused(plan.obstacles)
    with running_at(now):
        diff = WorkflowDiff(workflow, _NameAlignment(workflow, target))
        try:
            migrate_workflow(diff, workflow, target.spec)
        except SpiffWorkflowException as err:
            raise EngineError(str(err)) from err
        workflow.subprocess_specs = target.subprocess_specs
        stale = [
            t.task_spec.name
            for t in workflow.tasks.values()
            if t.task_spec is not target.spec.task_specs.get(t.task_spec.name)
        ]
        if stale:
            raise MigrationRefused([Finding(STEP_MISSING, name, name) for name in sorted(set(stale))])
        return _advance(workflow, last_data={})


class _NameAlignment:
    """The part of SpiffWorkflow's SpecDiff that WorkflowDiff reads, aligning specs strictly by BPMN id.

    SpecDiff would also pair a renamed element with its old one by its neighbours; a designer
    who renames a task means a different task, so we do not.
    """

    def __init__(self, workflow: BpmnWorkflow, target: ProcessDefinition) -> None:
        specs = {t.task_spec for t in workflow.get_tasks(skip_subprocesses=True)}
        self.alignment = {spec: target.spec.task_specs.get(spec.name) for spec in specs}
        self.removed = [spec for spec, new in self.alignment.items() if new is None]
        self.changed: dict[Any, list[str]] = {}


def _plan(workflow: BpmnWorkflow, source: ProcessDefinition, target: ProcessDefinition) -> MigrationPlan:
    obstacles: list[Finding] = []
    notes: list[Finding] = []
    if workflow.subprocesses:
        obstacles.append(Finding(SUBPROCESS, "", ""))
    for task in workflow.get_tasks(state=_KEPT, skip_subprocesses=True):
        spec = task.task_spec
        bpmn_id = spec.bpmn_id or spec.name  # the engine's glue (boundary splits, joins) has a name only
        label = spec.bpmn_name or bpmn_id
        new = target.spec.task_specs.get(spec.name)
        if new is None:
            code = STEP_MISSING if task.has_state(TaskState.FINISHED_MASK) else _missing_code(spec)
            obstacles.append(Finding(code, bpmn_id, label))
        elif type(new) is not type(spec):
            detail = {"old": type(spec).__name__, "new": type(new).__name__}
            obstacles.append(Finding(KIND_CHANGED, bpmn_id, label, detail))
        elif task.has_state(TaskState.READY) and spec.manual and (spec.lane or "") != (new.lane or ""):
            obstacles.append(Finding(LANE_CHANGED, bpmn_id, label, {"old": spec.lane or "", "new": new.lane or ""}))
        elif task.has_state(TaskState.WAITING) and _is_timer(spec):
            notes.append(Finding(TIMER_RESTARTS, bpmn_id, label))
    return MigrationPlan(obstacles, notes)


def _missing_code(spec: Any) -> str:
    return TASK_MISSING if spec.manual else EVENT_MISSING


def _is_timer(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    return type(definition).__name__.endswith("TimerEventDefinition")
