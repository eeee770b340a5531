"""List a diagram's flow elements by BPMN id, to compare two versions of a case type."""

from dataclasses import dataclass, field

from lxml import etree

from app.engine.definitions import NS, _lanes_by_node, properties_of
from app.engine.xml import parse_xml

# What a designer draws inside a process; diagram layout (bpmndi) and lanes themselves are left out.
_SKIPPED = frozenset({"laneSet", "lane", "flowNodeRef", "extensionElements", "incoming", "outgoing"})


@dataclass(frozen=True)
class Element:
    """One element of the executable process, as far as a designer would call it changed."""

    bpmn_id: str
    kind: str  # the BPMN tag without its namespace: userTask, exclusiveGateway, sequenceFlow …
    name: str
    lane: str
    properties: dict[str, str] = field(default_factory=dict)
    body: str = ""  # a script, condition or timer expression, and a flow's source → target


@dataclass(frozen=True)
class ElementChange:
    bpmn_id: str
    kind: str
    what: tuple[str, ...]  # the attributes that differ: name, lane, kind, properties, body


def diagram_elements(xml: bytes, filename: str) -> dict[str, Element]:
    """The elements with an id in the diagram's processes; raises InvalidDiagram on unsafe or broken XML."""
    root = parse_xml(xml, filename)
    elements: dict[str, Element] = {}
    for process in root.xpath("./bpmn:process", namespaces=NS):
        lanes = _lanes_by_node(process)
        for node in process.iter():
            if not isinstance(node.tag, str) or not node.get("id") or node is process:
                continue
            kind = etree.QName(node).localname
            if kind in _SKIPPED or etree.QName(node).namespace != NS["bpmn"]:
                continue
            bpmn_id = node.get("id", "")
            elements[bpmn_id] = Element(
                bpmn_id=bpmn_id,
                kind=kind,
                name=node.get("name") or "",
                lane=lanes.get(bpmn_id, ""),
                properties=properties_of(node),
                body=_body(node),
            )
    return elements


def executable_process_id(xml: bytes, filename: str) -> str | None:
    """The case type key a diagram would deploy as, if it names one executable process."""
    ids = parse_xml(xml, filename).xpath("./bpmn:process[@isExecutable='true']/@id", namespaces=NS)
    return str(ids[0]) if len(ids) == 1 else None


def _body(node: etree._Element) -> str:
    parts = [(node.get("sourceRef") or "") + " → " + (node.get("targetRef") or "")] if node.get("sourceRef") else []
    for child in node.iter():
        if child is node or not isinstance(child.tag, str):
            continue
        if etree.QName(child).localname in ("script", "conditionExpression", "timeDuration", "timeDate"):
            parts.append((child.text or "").strip())
    return "\n".join(parts)


def compare_elements(
    old: dict[str, Element], new: dict[str, Element]
) -> tuple[list[Element], list[Element], list[ElementChange]]:
    """(added, removed, changed) between two versions, each sorted by BPMN id."""
    added = [new[i] for i in sorted(new.keys() - old.keys())]
    removed = [old[i] for i in sorted(old.keys() - new.keys())]
    changed = []
    for bpmn_id in sorted(old.keys() & new.keys()):
        before, after = old[bpmn_id], new[bpmn_id]
        what = tuple(
            a for a in ("kind", "name", "lane", "properties", "body") if getattr(before, a) != getattr(after, a)
        )
        if what:
            changed.append(ElementChange(bpmn_id, after.kind, what))
    return added, removed, changed
