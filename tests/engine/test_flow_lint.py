"""The flow lint: no unreachable tasks, and every path reaches an end; each problem names id, label and line."""

from pathlib import Path

import pytest

from app.engine import InvalidDiagram, compile_definition
from app.org.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")
HOTLINE = (ROOT / "processes" / "hotline_matter.bpmn").read_text("utf-8")
FORMS = {p.name for p in (ROOT / "forms").glob("*.json")}


def problems_of(xml: str) -> list[str]:
    with pytest.raises(InvalidDiagram) as caught:
        compile_definition(xml.encode("utf-8"), "test.bpmn", roles=ROLES.keys(), forms=FORMS)
    return [str(p) for p in caught.value.problems]


def line_of(xml: str, needle: str) -> int:
    return xml[: xml.index(needle)].count("\n") + 1


@pytest.mark.parametrize("path", sorted((ROOT / "processes").glob("*.bpmn")), ids=lambda p: p.name)
def test_every_shipped_process_passes_the_flow_lint(path: Path) -> None:
    compile_definition(path.read_bytes(), path.name, roles=ROLES.keys(), forms=FORMS)


def test_an_unreachable_task_is_refused_with_its_id_label_and_line() -> None:
    xml = FIRE.replace('sourceRef="gw_severity" targetRef="enforce_rectification"',
                       'sourceRef="gw_severity" targetRef="gw_rectified"')  # fmt: skip
    [problem] = problems_of(xml)
    line = line_of(xml, '<bpmn:userTask id="enforce_rectification"')
    assert problem == (
        f"test.bpmn:{line} [enforce_rectification]: '执法整改' cannot be reached from a start event by sequence flows"
    )


def test_a_dead_end_task_is_refused() -> None:
    xml = FIRE.replace(
        '<bpmn:sequenceFlow id="flow_serious_done" sourceRef="enforce_rectification" targetRef="gw_rectified"/>', ""
    )
    [problem] = problems_of(xml)
    line = line_of(xml, '<bpmn:userTask id="enforce_rectification"')
    assert problem == (
        f"test.bpmn:{line} [enforce_rectification]: '执法整改' cannot reach an end event: "
        "add an outgoing flow or a way out of its loop"
    )


def test_a_loop_without_exit_is_refused_for_each_node_in_it() -> None:
    xml = FIRE.replace(
        'sourceRef="gw_reinspection" targetRef="archive"', 'sourceRef="gw_reinspection" targetRef="reinspect"'
    )
    problems = problems_of(xml)
    assert any("[archive]: '归档' cannot be reached from a start event" in p for p in problems)
    stuck = {p.split("[")[1].split("]")[0] for p in problems if "cannot reach an end event" in p}
    assert stuck == {"accept_and_assess", "gw_severity", "urge_rectification", "enforce_rectification",
                     "gw_rectified", "reinspect", "gw_reinspection"}  # fmt: skip


def test_a_boundary_event_is_reachable_from_its_activity_and_must_reach_an_end() -> None:
    xml = HOTLINE.replace('attachedToRef="township_handling"', 'attachedToRef="nowhere"')
    problems = problems_of(xml)
    assert any("[escalate_township]: '办理超期' cannot be reached" in p for p in problems)
    assert not any("[escalate_department]" in p for p in problems)
