"""The engine floor: the fire-hazard diagram stepped in process, no HTTP, no database.

Two engines walk the same diagram with the same data:

- `plain`: SpiffWorkflow alone, as its documentation shows it: SpiffBpmnParser, and
  each human step is BpmnWorkflowSerializer.deserialize_json (full spec), complete,
  do_engine_steps, serialize_json.
- `gridcase`: app.engine (spec kept in memory, pruned task tree, sandboxed scripts).

Every figure of the HTTP run is divided by the plain floor's single-thread throughput.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from app import engine
from app.clock import utcnow
from app.org.roles import ROLES

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM = ROOT / "processes" / "fire_hazard_rectification.bpmn"
PROCESS_ID = "fire_hazard_rectification"

REPORT = {"address": "桃源路12号", "hazard_kind": "electrical", "description": "楼道内私拉电线给电动车充电",
          "severity": "high", "responsible_party": "张三", "fixed_on_spot": False}  # fmt: skip
# One whole case on the minor branch: the human steps after the start, in order.
WALK = [
    {"severity_decision": "minor", "assessment_opinion": "现场可整改"},
    {"rectification_measures": "拆除私拉电线", "rectified_on": "2026-11-26"},
    {"reinspection_passed": True, "reinspection_notes": "已消除"},
]
RECTIFY = {"rectification_measures": "再次整改", "rectified_on": "2026-11-26"}
FAIL = {"reinspection_passed": False, "reinspection_notes": "仍有隐患"}


class Stalled(Exception):
    """The engine found no ready human task where the diagram has one."""


@dataclass
class Engine:
    """start(data) -> case; step(case, data) -> (case, ended). A case is whatever the engine keeps between steps."""

    name: str
    start: Callable[[dict[str, Any]], Any]
    step: Callable[[Any, dict[str, Any]], tuple[Any, bool]]


def plain_engine() -> Engine:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec, subprocess_specs = parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def start(data: dict[str, Any]) -> str:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.task_tree.data.update(data)
        workflow.do_engine_steps()
        return str(serializer.serialize_json(workflow))

    def step(state: str, data: dict[str, Any]) -> tuple[str, bool]:
        workflow = serializer.deserialize_json(state)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            # SpiffWorkflow's task iterator stops at depth 1000 (max_depth), so after ~200
            # loops the whole-history tree hides its own next task and the case stalls.
            raise Stalled(f"no ready human task among {len(workflow.tasks)} tasks")
        task = ready[0]
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return str(serializer.serialize_json(workflow)), workflow.completed

    return Engine("plain", start, step)


def gridcase_engine() -> Engine:
    forms = {p.name for p in (ROOT / "forms").glob("*.json")}
    definition = engine.compile_definition(DIAGRAM.read_bytes(), DIAGRAM.name, roles=ROLES.keys(), forms=forms)

    # As in the app, the ready task's id comes from the inbox row, not from the state.
    def start(data: dict[str, Any]) -> engine.EngineResult:
        return engine.start(definition, data, now=utcnow())

    def step(case: engine.EngineResult, data: dict[str, Any]) -> tuple[engine.EngineResult, bool]:
        result = engine.complete(definition, case.state, case.ready[0].id, data, now=utcnow())
        return result, result.ended

    return Engine("gridcase", start, step)


def floor(eng: Engine, *, cases: int, seconds: float) -> dict[str, Any]:
    """Whole fire-hazard cases, one after another on one thread: human steps per second."""
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    done = 0
    while done < cases and time.perf_counter() < deadline:
        case = eng.start(dict(REPORT))
        for data in WALK:
            t0 = time.perf_counter()
            case, ended = eng.step(case, dict(data))
            timings.append(time.perf_counter() - t0)
        if not ended:
            raise Stalled("the walk did not close the case")
        done += 1
    return {"engine": eng.name, "cases": done, "steps": len(timings), **summary(timings)}


def history_growth(eng: Engine, *, loops: int, checkpoints: list[int], repeat: int = 9) -> dict[str, Any]:
    """One case looped through failed re-inspection: the cost of a step at given iterations.

    At a checkpoint the same two steps (rectify, fail re-inspection) are timed `repeat` times from the same
    state and the fastest kept: neighbours on a shared machine only ever add to a step's time, and the median
    of five still moved by ±40 % between checkpoints of one run while the state stayed the same size.
    """
    case = eng.start(dict(REPORT))
    case, _ended = eng.step(case, dict(WALK[0]))
    points: list[dict[str, Any]] = []
    try:
        for iteration in range(1, loops + 1):
            if iteration in checkpoints:
                costs = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    probe, _e = eng.step(case, dict(RECTIFY))
                    eng.step(probe, dict(FAIL))
                    costs.append((time.perf_counter() - t0) / 2)
                points.append({"iteration": iteration, "step_ms": round(min(costs) * 1000, 3),
                               "state_bytes": _size(case)})  # fmt: skip
            case, _e = eng.step(case, dict(RECTIFY))
            case, _e = eng.step(case, dict(FAIL))
    except Stalled as err:
        points.append({"iteration": iteration, "step_ms": None, "error": f"stalled: {err}"})
    measured = [p for p in points if p["step_ms"] is not None]
    first, last = measured[0]["step_ms"], measured[-1]["step_ms"]
    return {"engine": eng.name, "points": points, "last_measured_iteration": measured[-1]["iteration"],
            "last_over_first": round(last / first, 2) if first else None}  # fmt: skip


def _size(case: Any) -> int:
    return len(case if isinstance(case, str) else case.state)


def summary(seconds: list[float], wall: float | None = None) -> dict[str, Any]:
    """Throughput and latency percentiles (ms) of a list of durations in seconds."""
    if not seconds:
        return {"count": 0, "per_second": None, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    ordered = sorted(seconds)
    total = wall if wall is not None else sum(ordered)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {"count": len(ordered), "per_second": round(len(ordered) / total, 1) if total else None,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}  # fmt: skip


def run(*, cases: int = 300, seconds: float = 20.0, loops: int = 200) -> dict[str, Any]:
    checkpoints = sorted({c for c in (1, 50, 100, 199, 200, loops) if c <= loops})
    plain, ours = plain_engine(), gridcase_engine()
    return {
        "floor": floor(plain, cases=cases, seconds=seconds),
        "gridcase_engine": floor(ours, cases=cases, seconds=seconds),
        "history": {e.name: history_growth(e, loops=loops, checkpoints=checkpoints) for e in (plain, ours)},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(cases=100, seconds=10, loops=200), indent=1))
