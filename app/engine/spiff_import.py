"""Read a spiff-arena model's diagram for import: its lanes, and the diagram rewritten for gridcase.

spiff-arena models use the same `spiffworkflow:properties` for forms as we do, but name
their form files `<form>-schema.json` / `<form>-uischema.json` and their lanes freely
("Reviewer", "Manager"). Importing renames the form files to our `<form>.schema.json`
convention and each lane to the role code the designer mapped it to; the result then goes
through the ordinary compile, lint and deploy.
"""

from dataclasses import dataclass

from lxml import etree

from app.engine.definitions import FORM_SCHEMA_PROPERTY, FORM_UI_PROPERTY, NS, _executable_process
from app.engine.xml import parse_xml

_FORM_SUFFIXES = (("-uischema.json", ".uischema.json"), ("-schema.json", ".schema.json"))


@dataclass(frozen=True)
class Lane:
    id: str
    name: str
    tasks: tuple[str, ...]  # the labels of the flow nodes in the lane


def form_file_name(name: str) -> str:
    """spiff-arena's `x-schema.json` / `x-uischema.json` as our `x.schema.json` / `x.uischema.json`."""
    for theirs, ours in _FORM_SUFFIXES:
        if name.endswith(theirs):
            return name.removesuffix(theirs) + ours
    return name


def diagram_lanes(xml: bytes, filename: str) -> list[Lane]:
    """The lanes of the diagram's executable process, in document order."""
    process = _executable_process(parse_xml(xml, filename), filename)
    labels = {n.get("id"): (n.get("name") or n.get("id") or "") for n in process.iter() if isinstance(n.tag, str)}
    lanes = []
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        refs = [(ref.text or "").strip() for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS)]
        lanes.append(Lane(lane.get("id", ""), (lane.get("name") or "").strip(), tuple(labels.get(r, r) for r in refs)))
    return lanes


def rewrite_for_import(xml: bytes, filename: str, lane_roles: dict[str, str]) -> bytes:
    """The diagram with each lane named by its role code and form file names in our convention."""
    root = parse_xml(xml, filename)
    process = _executable_process(root, filename)
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        if lane.get("id") in lane_roles:
            lane.set("name", lane_roles[lane.get("id", "")])
    for prop in process.xpath(".//spiffworkflow:property", namespaces=NS):
        if prop.get("name") in (FORM_SCHEMA_PROPERTY, FORM_UI_PROPERTY) and prop.get("value"):
            prop.set("value", form_file_name(prop.get("value", "")))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
