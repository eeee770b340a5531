"""Lint a diagram's sequence-flow graph: every node reachable from a start, and an end reachable from every node.

Each process and each sub-process is its own graph: a sub-process is one node of its parent
and has its own start and end events. A boundary event counts as reachable from the activity
it is attached to, and a link throw event leads to the link catch event of the same name.
Event sub-processes and compensation handlers are entered without sequence flows, so they
count as reachable and need no outgoing flow.
"""

from collections.abc import Callable, Iterable

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_FLOW_NODES = frozenset(
    {
        "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
        "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
        "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
    }
)  # fmt: skip
_CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess"})

Report = Callable[[etree._Element, str], None]


def lint_flow(process: etree._Element, report: Report) -> None:
    """Call `report(node, reason)` for each unreachable node and each node that cannot reach an end."""
    for container in [process, *_sub_processes(process)]:
        _lint_container(container, report)


def _sub_processes(process: etree._Element) -> list[etree._Element]:
    return [n for n in process.iter() if isinstance(n.tag, str) and _local(n) in _CONTAINERS]


def _local(node: etree._Element) -> str:
    return str(node.tag).removeprefix(_BPMN)


def label_of(node: etree._Element) -> str:
    return (node.get("name") or "").strip() or node.get("id", "")


def _lint_container(container: etree._Element, report: Report) -> None:
    nodes = {n.get("id", ""): n for n in container if isinstance(n.tag, str) and _local(n) in _FLOW_NODES}
    if not any(_local(n) == "startEvent" for n in nodes.values()):
        return  # the missing start event is reported by the lane lint (or the engine's parser)
    forward = _edges(container, nodes)
    backward: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    for source, targets in forward.items():
        for target in targets:
            backward[target].add(source)
    free = {i for i, n in nodes.items() if _entered_without_flow(n)}
    reachable = _closure([i for i, n in nodes.items() if _local(n) == "startEvent" or i in free], forward)
    for node_id, node in nodes.items():
        if node_id not in reachable:
            report(node, f"'{label_of(node)}' cannot be reached from a start event by sequence flows")
    finishing = _closure([i for i, n in nodes.items() if _local(n) == "endEvent" or i in free], backward)
    for node_id in reachable - finishing:
        node = nodes[node_id]
        report(node, f"'{label_of(node)}' cannot reach an end event: add an outgoing flow or a way out of its loop")


def _entered_without_flow(node: etree._Element) -> bool:
    return node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true"


def _edges(container: etree._Element, nodes: dict[str, etree._Element]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {node_id: set() for node_id in nodes}

    def link(source: str | None, target: str | None) -> None:
        if source in nodes and target in nodes:
            edges[source].add(target)

    for flow in container.findall(f"{_BPMN}sequenceFlow"):
        link(flow.get("sourceRef"), flow.get("targetRef"))
    for node_id, node in nodes.items():
        if _local(node) == "boundaryEvent":
            link(node.get("attachedToRef"), node_id)
    catches = _link_names(n for n in nodes.values() if _local(n) == "intermediateCatchEvent")
    for throw in (n for n in nodes.values() if _local(n) == "intermediateThrowEvent"):
        for name in _link_names([throw]):
            for catch in catches.get(name, []):
                link(throw.get("id"), catch)
    return edges


def _link_names(events: Iterable[etree._Element]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for event in events:
        for definition in event.findall(f"{_BPMN}linkEventDefinition"):
            names.setdefault(definition.get("name") or "", []).append(event.get("id", ""))
    return names


def _closure(roots: list[str], edges: dict[str, set[str]]) -> set[str]:
    seen, stack = set(roots), list(roots)
    while stack:
        for nxt in edges[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
