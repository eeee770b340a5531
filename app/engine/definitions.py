"""Compile a BPMN file into a ProcessDefinition: parse, validate, lint.

Everything a designer can get wrong is reported as a Problem with its line, so the
designer's guide and the upload page can say exactly what to fix.
"""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine.clock import engine_now
from app.engine.durations import Duration, check_timer_value, parse_duration, parse_ratio
from app.engine.errors import InvalidDiagram, Problem
from app.engine.flow_lint import lint_flow
from app.engine.sandbox import UnsafeExpression, check_source
from app.engine.xml import parse_xml

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FORM_SCHEMA_PROPERTY = "formJsonSchemaFilename"
FORM_UI_PROPERTY = "formUiSchemaFilename"
DEADLINE_PROPERTY = "deadline"
WARN_PROPERTY = "warnAt"
DEFAULT_WARN_RATIO = 0.75
HUMAN_TASK_TAGS = ("userTask", "manualTask")


@dataclass(frozen=True)
class FormRef:
    schema: str
    ui_schema: str | None = None


@dataclass(frozen=True)
class UserTaskSpec:
    bpmn_id: str
    name: str
    lane: str
    form: FormRef | None
    names: dict[str, str] = field(default_factory=dict)  # locale -> name, from "name:<locale>" properties
    properties: dict[str, str] = field(default_factory=dict)
    deadline: Duration | None = None
    warn_ratio: float = DEFAULT_WARN_RATIO


@dataclass(frozen=True)
class ProcessDefinition:
    key: str
    name: str
    sha256: str
    start_form: FormRef | None
    user_tasks: dict[str, UserTaskSpec]
    start_lane: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    spec: Any = field(default=None, repr=False, compare=False)
    subprocess_specs: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The process's own form properties: a schema no one fills in, which titles what scripts set (`outcome`) and
    # its values for the case page, as a task's form titles its fields.
    data_form: FormRef | None = None

    def forms(self) -> set[str]:
        refs = [self.start_form, self.data_form, *(t.form for t in self.user_tasks.values())]
        return {name for ref in refs if ref for name in (ref.schema, ref.ui_schema) if name}


def compile_definition(
    xml: bytes, filename: str, *, roles: Collection[str], forms: Collection[str], stored: bool = False
) -> ProcessDefinition:
    """Parse and validate one diagram; raise InvalidDiagram listing every problem. `stored`: a version deployed
    earlier, compiled again to run its cases: the bounds on time limits and timer constants, which came after some
    versions were deployed, are not applied to it (a timer of "P11Y" ran; its cases must still load)."""
    root = parse_xml(xml, filename)
    _validate_schema(root, filename)
    process = _executable_process(root, filename)
    problems = _lint(process, filename, roles=roles, forms=forms, bounded=not stored)
    if problems:
        raise InvalidDiagram(problems)
    spec, subprocess_specs = _parse_spec(root, process, filename)
    key = process.get("id", "")  # _executable_process refused a process without one
    return ProcessDefinition(
        key=key,
        name=process.get("name") or key,
        sha256=hashlib.sha256(xml).hexdigest(),
        start_form=_start_form(process),
        user_tasks={t.bpmn_id: t for t in _user_tasks(process, bounded=not stored)},
        start_lane=_start_lane(process),
        names=_localized_names(properties_of(process)),
        properties=properties_of(process),
        spec=spec,
        subprocess_specs=subprocess_specs,
        data_form=_form_ref(properties_of(process)),
    )


def properties_of(element: etree._Element) -> dict[str, str]:
    props = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in props if p.get("name")}


def _validate_schema(root: etree._Element, filename: str) -> None:
    try:
        VALIDATOR.validator.assertValid(root)
    except etree.DocumentInvalid:
        error = VALIDATOR.validator.error_log.last_error
        raise InvalidDiagram([Problem(f"not valid BPMN: {error.message}", line=error.line, file=filename)]) from None


KEY_MAX, NAME_MAX = 64, 200  # a case type's key and name, as stored with each version


def _executable_process(root: etree._Element, filename: str) -> etree._Element:
    processes = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NS)
    if len(processes) != 1:
        reason = f"a diagram must hold exactly one executable process (found {len(processes)})"
        raise InvalidDiagram([Problem(reason, line=root.sourceline, file=filename)])
    process: etree._Element = processes[0]
    if not process.get("id"):
        # The id is the case type's key; without it the version could not be stored.
        raise InvalidDiagram([Problem("the executable process needs an id", line=process.sourceline, file=filename)])
    for attribute, most in (("id", KEY_MAX), ("name", NAME_MAX)):  # as the version's columns hold them
        if len(process.get(attribute) or "") > most:
            reason = f"the executable process's {attribute} is longer than {most} characters"
            raise InvalidDiagram([Problem(reason, line=process.sourceline, file=filename)])
    return process


def _lanes_by_node(process: etree._Element) -> dict[str, str]:
    lanes = {}
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lanes[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    return lanes


class _Findings:
    """Problems found while linting one diagram."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, node: etree._Element, reason: str, *, at: etree._Element | None = None) -> None:
        line = (at if at is not None else node).sourceline
        self.problems.append(Problem(reason, line=line, element=node.get("id"), file=self.filename))


def _lint(
    process: etree._Element, filename: str, *, roles: Collection[str], forms: Collection[str], bounded: bool
) -> list[Problem]:
    findings = _Findings(filename)
    _lint_lanes(process, findings, roles)
    _lint_forms(process, findings, forms)
    _lint_expressions(process, findings)
    _lint_time_limits(process, findings, bounded)
    lint_flow(process, findings.add)
    return findings.problems


def _lint_time_limits(process: etree._Element, findings: _Findings, bounded: bool) -> None:
    for node in _human_task_nodes(process):
        props = properties_of(node)
        for prop, parse in (
            (DEADLINE_PROPERTY, partial(parse_duration, bounded=bounded)),
            (WARN_PROPERTY, parse_ratio),
        ):
            if prop in props:
                try:
                    parse(props[prop])
                except ValueError as err:
                    findings.add(node, f"{prop}: {err}")
    _lint_timers(process, findings, bounded)


def _lint_timers(process: etree._Element, findings: _Findings, bounded: bool) -> None:
    now = engine_now()
    for timer in process.xpath(".//bpmn:timerEventDefinition", namespaces=NS):
        event = timer.getparent()
        if timer.xpath("./bpmn:timeCycle", namespaces=NS):
            findings.add(event, "cycle timers are not supported; use timeDuration or timeDate", at=timer)
        for expression in timer.xpath("./bpmn:timeDuration | ./bpmn:timeDate", namespaces=NS):
            source, kind = (expression.text or "").strip(), etree.QName(expression).localname
            try:
                check_source(source, mode="eval")
                if bounded:  # a constant is checked now, not when every case fails
                    check_timer_value(source, kind, now=now)
            except UnsafeExpression as err:
                findings.add(event, f"timer expression rejected: {err}", at=expression)
            except ValueError as err:
                findings.add(event, f"{kind}: {err}", at=expression)


def _lint_lanes(process: etree._Element, findings: _Findings, roles: Collection[str]) -> None:
    lanes = _lanes_by_node(process)
    starts = process.xpath("./bpmn:startEvent", namespaces=NS)
    if len(starts) != 1:
        findings.add(process, f"a process needs exactly one top-level start event (found {len(starts)})")
    elif lanes and (lane := lanes.get(starts[0].get("id", ""), "")) not in roles:
        findings.add(starts[0], f"unknown lane role '{lane}'")
    for node in _human_task_nodes(process):
        task_lane = lanes.get(node.get("id", ""))
        if not task_lane:
            findings.add(node, "a user task must sit in a lane named after a role")
        elif task_lane not in roles:
            findings.add(node, f"unknown lane role '{task_lane}'")


def _lint_forms(process: etree._Element, findings: _Findings, forms: Collection[str]) -> None:
    for node in [process, *_human_task_nodes(process), *process.xpath(".//bpmn:startEvent", namespaces=NS)]:
        props = properties_of(node)
        for prop in (FORM_SCHEMA_PROPERTY, FORM_UI_PROPERTY):
            if props.get(prop) and props[prop] not in forms:
                findings.add(node, f"form file '{props[prop]}' does not exist")
        if node.tag == f"{{{NS['bpmn']}}}userTask" and not props.get(FORM_SCHEMA_PROPERTY):
            findings.add(node, f"a user task needs a '{FORM_SCHEMA_PROPERTY}' property")


def _lint_expressions(process: etree._Element, findings: _Findings) -> None:
    sources = [(e, "eval") for e in process.xpath(".//bpmn:conditionExpression", namespaces=NS)]
    sources += [(e, "exec") for e in process.xpath(".//bpmn:scriptTask/bpmn:script", namespaces=NS)]
    # spiff-arena's pre- and post-scripts on any task run in the same sandbox, so they are checked the same way.
    hooks = ".//spiffworkflow:preScript | .//spiffworkflow:postScript"
    sources += [(e, "exec") for e in process.xpath(hooks, namespaces=NS)]
    for element, mode in sources:
        owner = element.getparent()
        if etree.QName(owner).localname == "extensionElements":
            owner = owner.getparent()
        try:
            check_source((element.text or "").strip(), mode=mode)
        except UnsafeExpression as err:
            findings.add(owner, f"expression rejected: {err}", at=element)


def _human_task_nodes(process: etree._Element) -> list[etree._Element]:
    return [n for tag in HUMAN_TASK_TAGS for n in process.xpath(f".//bpmn:{tag}", namespaces=NS)]


def _form_ref(props: dict[str, str]) -> FormRef | None:
    schema = props.get(FORM_SCHEMA_PROPERTY)
    return FormRef(schema, props.get(FORM_UI_PROPERTY) or None) if schema else None


def _start_form(process: etree._Element) -> FormRef | None:
    starts = process.xpath("./bpmn:startEvent", namespaces=NS)
    return _form_ref(properties_of(starts[0])) if starts else None


def _start_lane(process: etree._Element) -> str | None:
    starts = process.xpath("./bpmn:startEvent", namespaces=NS)
    return _lanes_by_node(process).get(starts[0].get("id", "")) if starts else None


def _localized_names(props: dict[str, str]) -> dict[str, str]:
    return {key.split(":", 1)[1]: value for key, value in props.items() if key.startswith("name:")}


def _user_tasks(process: etree._Element, *, bounded: bool) -> list[UserTaskSpec]:
    lanes = _lanes_by_node(process)
    tasks = []
    for node in _human_task_nodes(process):
        props = properties_of(node)
        bpmn_id = node.get("id", "")  # the lint has placed every human task in a lane, by its id
        tasks.append(
            UserTaskSpec(
                bpmn_id=bpmn_id,
                name=node.get("name") or bpmn_id,
                lane=lanes.get(bpmn_id, ""),
                form=_form_ref(props),
                names=_localized_names(props),
                properties=props,
                deadline=parse_duration(props[DEADLINE_PROPERTY], bounded=bounded)
                if DEADLINE_PROPERTY in props
                else None,
                warn_ratio=parse_ratio(props[WARN_PROPERTY]) if WARN_PROPERTY in props else DEFAULT_WARN_RATIO,
            )
        )
    return tasks


def _parse_spec(root: etree._Element, process: etree._Element, filename: str) -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    key = process.get("id")
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename)
        return parser.get_spec(key), parser.get_subprocess_specs(key)
    except ValidationException as err:
        line = err.line_number if isinstance(err.line_number, int) else None
        raise InvalidDiagram([Problem(str(err), line=line, element=err.id or None, file=filename)]) from None
    except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError) as err:
        raise InvalidDiagram([Problem(f"cannot be parsed: {err}", file=filename)]) from None
