"""Listing and comparing a diagram's elements, for the designer's version diff."""

from pathlib import Path

import pytest

from app.engine import InvalidDiagram
from app.engine.elements import compare_elements, diagram_elements, executable_process_id

ROOT = Path(__file__).resolve().parents[2]
FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")


def test_elements_carry_name_lane_properties_and_body() -> None:
    found = diagram_elements(FIRE.encode("utf-8"), "fire.bpmn")
    task = found["accept_and_assess"]
    assert (task.kind, task.name, task.lane) == ("userTask", "受理并研判", "township_dispatcher")
    assert task.properties["deadline"] == "2 working hours"
    assert found["flow_fixed"].body == "gw_fixed → archive_fixed\nfixed_on_spot == True"
    assert "Lane_grid_worker" not in found and "fire_hazard_rectification" not in found


def test_compare_names_added_removed_and_changed_elements() -> None:
    old = diagram_elements(FIRE.encode("utf-8"), "fire.bpmn")
    changed_xml = FIRE.replace("受理并研判", "受理研判").replace('outcome = "fixed_on_spot"', 'outcome = "fixed"')
    new = dict(diagram_elements(changed_xml.encode("utf-8"), "fire.bpmn"))
    removed = new.pop("archive")
    added, gone, changed = compare_elements(old, new)
    assert added == [] and [e.bpmn_id for e in gone] == [removed.bpmn_id]
    assert {(c.bpmn_id, c.what) for c in changed} == {("accept_and_assess", ("name",)), ("archive_fixed", ("body",))}
    assert compare_elements(new, old)[0] == [removed]


def test_the_key_and_hostile_xml() -> None:
    assert executable_process_id(FIRE.encode("utf-8"), "f.bpmn") == "fire_hazard_rectification"
    assert executable_process_id(FIRE.replace('isExecutable="true"', 'isExecutable="false"').encode(), "f.bpmn") is None
    with pytest.raises(InvalidDiagram, match="DOCTYPE"):
        diagram_elements(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "x.bpmn")
