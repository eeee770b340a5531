"""The runner keeps a case's engine state to what can still change."""

from pathlib import Path

from app.engine import compile_definition, complete, start
from app.org.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]


def test_state_stays_small_however_often_a_loop_runs() -> None:
    definition = compile_definition(
        (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_bytes(),
        "fire.bpmn",
        roles=ROLES.keys(),
        forms={p.name for p in (ROOT / "forms").glob("*.json")},
    )
    result = start(definition, {"address": "x"})
    result = complete(definition, result.state, result.ready[0].id, {"severity_decision": "minor"})
    sizes = []
    for _ in range(60):
        result = complete(definition, result.state, result.ready[0].id, {"rectification_measures": "again"})
        result = complete(definition, result.state, result.ready[0].id, {"reinspection_passed": False})
        sizes.append(len(result.state))
    assert max(sizes) - min(sizes) < 200, sizes
    assert [t.bpmn_id for t in result.ready] == ["urge_rectification"]
    result = complete(definition, result.state, result.ready[0].id, {"rectification_measures": "done"})
    result = complete(definition, result.state, result.ready[0].id, {"reinspection_passed": True})
    assert result.ended and result.data["outcome"] == "rectified"
