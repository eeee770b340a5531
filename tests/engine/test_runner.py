"""The runner keeps a case's engine state to what can still change."""

from datetime import UTC, datetime
from pathlib import Path

from app.engine import compile_definition, complete, start
from app.org.roles import ROLES

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

ROOT = Path(__file__).resolve().parents[2]


def test_state_stays_small_however_often_a_loop_runs() -> None:
    definition = compile_definition(
        (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_bytes(),
        "fire.bpmn",
        roles=ROLES.keys(),
        forms={p.name for p in (ROOT / "forms").glob("*.json")},
    )
    result = start(definition, {"address": "x"}, now=NOW)
    result = complete(definition, result.state, result.ready[0].id, {"severity_decision": "minor"}, now=NOW)
    sizes = []
    for _ in range(60):
        result = complete(definition, result.state, result.ready[0].id, {"rectification_measures": "again"}, now=NOW)
        result = complete(definition, result.state, result.ready[0].id, {"reinspection_passed": False}, now=NOW)
        sizes.append(len(result.state))
    assert max(sizes) - min(sizes) < 200, sizes
    assert [t.bpmn_id for t in result.ready] == ["urge_rectification"]
    result = complete(definition, result.state, result.ready[0].id, {"rectification_measures": "done"}, now=NOW)
    result = complete(definition, result.state, result.ready[0].id, {"reinspection_passed": True}, now=NOW)
    assert result.ended and result.data["outcome"] == "rectified"
