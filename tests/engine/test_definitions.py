"""Diagrams are checked before they run: each problem names its file, line and reason."""

from pathlib import Path

import pytest

from app.engine import InvalidDiagram, compile_definition
from app.engine.sandbox import SandboxEnvironment, UnsafeExpression
from app.org.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")
FORMS = {p.name for p in (ROOT / "forms").glob("*.json")}


def compile_text(xml: str) -> object:
    return compile_definition(xml.encode("utf-8"), "test.bpmn", roles=ROLES.keys(), forms=FORMS)


def problems_of(xml: str) -> list[str]:
    with pytest.raises(InvalidDiagram) as caught:
        compile_text(xml)
    return [str(p) for p in caught.value.problems]


def line_of(xml: str, needle: str) -> int:
    return xml[: xml.index(needle)].count("\n") + 1


def test_the_fire_diagram_compiles() -> None:
    definition = compile_text(FIRE)
    assert definition.key == "fire_hazard_rectification"  # type: ignore[attr-defined]
    assert definition.start_lane == "grid_worker"  # type: ignore[attr-defined]
    assert set(definition.user_tasks) == {
        "accept_and_assess",
        "urge_rectification",
        "enforce_rectification",
        "reinspect",
    }  # type: ignore[attr-defined]


def test_a_syntax_error_names_the_line() -> None:
    broken = FIRE.replace("</bpmn:userTask>", "</bpmn:usertask>", 1)
    [problem] = problems_of(broken)
    assert problem.startswith("test.bpmn:")
    assert "XML syntax error" in problem
    assert int(problem.split(":")[1]) >= line_of(broken, "</bpmn:usertask>")


def test_an_unknown_lane_role_is_refused_with_its_task_and_line() -> None:
    xml = FIRE.replace('name="fire_safety_inspector"', 'name="fire_brigade"')
    [problem] = problems_of(xml)
    assert "unknown lane role 'fire_brigade'" in problem
    assert "[enforce_rectification]" in problem
    line = line_of(xml, '<bpmn:userTask id="enforce_rectification"')
    assert problem.startswith(f"test.bpmn:{line} ")


def test_a_missing_form_file_is_refused() -> None:
    xml = FIRE.replace("fire_hazard_reinspection.schema.json", "nowhere.schema.json")
    [problem] = problems_of(xml)
    assert "form file 'nowhere.schema.json' does not exist" in problem


def test_invalid_bpmn_is_refused_by_the_schema() -> None:
    xml = FIRE.replace("<bpmn:endEvent ", "<bpmn:endEvnt ").replace("</bpmn:endEvent>", "</bpmn:endEvnt>")
    [problem] = problems_of(xml)
    assert "not valid BPMN" in problem
    assert f":{line_of(xml, '<bpmn:endEvnt')}" in problem


@pytest.mark.parametrize(
    "payload",
    [
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    ],
)
def test_entities_are_refused_before_parsing(payload: str) -> None:
    xml = FIRE.replace('<?xml version="1.0" encoding="UTF-8"?>', f'<?xml version="1.0" encoding="UTF-8"?>\n{payload}')
    [problem] = problems_of(xml)
    assert "DOCTYPE and ENTITY declarations are not allowed" in problem
    assert problem.startswith("test.bpmn:2")


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("__import__('os').system('id')", "not allowed"),
        ("__import__('os')", "calling '__import__'"),
        ("x = __builtins__", "the name '__builtins__'"),
        ("x = ().__class__.__bases__", "the attribute '.__"),
        ("import os", "'Import' is not allowed"),
        ("open('/etc/passwd')", "calling 'open'"),
        ("x = [y for y in range(10)]", "'ListComp' is not allowed"),
        ("x = 10 ** 100", "'Pow' is not allowed"),
    ],
)
def test_unsafe_scripts_are_refused_at_upload(script: str, reason: str) -> None:
    xml = FIRE.replace('<bpmn:script>outcome = "rectified"</bpmn:script>', f"<bpmn:script>{script}</bpmn:script>")
    [problem] = problems_of(xml)
    assert "[archive]" in problem and reason in problem


def test_unsafe_conditions_are_refused_at_upload() -> None:
    xml = FIRE.replace('severity_decision == "minor"', "__import__('os')")
    [problem] = problems_of(xml)
    assert "[flow_minor]" in problem and "expression rejected" in problem


def test_an_unsafe_expression_that_reaches_run_time_fails_safely() -> None:
    sandbox = SandboxEnvironment()
    with pytest.raises(UnsafeExpression):
        sandbox.evaluate("__import__('os').getcwd()", {})
    with pytest.raises(UnsafeExpression):
        sandbox.execute("eval('1')", {})
    data = {"x": 2}
    sandbox.execute("y = not_answered_yet\nz = x + 1", data)
    assert data == {"x": 2, "y": None, "z": 3}
    assert sandbox.evaluate("fixed_on_spot == True", {}) is False
    with pytest.raises(TypeError):
        sandbox.evaluate("len(5)", {})
    assert sandbox.evaluate("severity == 'high' and len(items) > 1", {"severity": "high", "items": [1, 2]}) is True


def test_every_problem_is_listed_at_once() -> None:
    xml = FIRE.replace('name="fire_safety_inspector"', 'name="fire_brigade"').replace(
        "fire_hazard_reinspection.schema.json", "nowhere.schema.json"
    )
    assert len(problems_of(xml)) == 2


def test_a_file_with_two_executable_processes_is_refused() -> None:
    second = (
        '<bpmn:process id="other" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>\n  <bpmndi:BPMNDiagram'
    )
    [problem] = problems_of(FIRE.replace("<bpmndi:BPMNDiagram", second, 1))
    assert "exactly one executable process (found 2)" in problem


def test_an_executable_process_without_an_id_is_refused() -> None:
    xml = FIRE.replace('<bpmn:process id="fire_hazard_rectification" ', "<bpmn:process ", 1)
    [problem] = problems_of(xml)
    assert problem == f"test.bpmn:{line_of(xml, '<bpmn:process ')}: the executable process needs an id"


def test_a_missing_data_form_of_the_process_is_refused_at_the_process() -> None:
    xml = FIRE.replace("fire_hazard_rectification.data.schema.json", "nowhere.data.schema.json")
    [problem] = problems_of(xml)
    assert "form file 'nowhere.data.schema.json' does not exist" in problem
    assert problem.startswith(f"test.bpmn:{line_of(xml, '<bpmn:process id=')} ")
