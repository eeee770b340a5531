"""Drafts edited in the browser modeler: save errors and all, validate like an upload, deploy like an upload."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.casetypes.models import ProcessVersion
from app.casetypes.registry import compile_with_forms, latest_version
from app.designer.models import ProcessDraft
from app.designer.service import deploy_upload, form_pool
from app.designer.uploads import problem_fields
from app.engine import InvalidDiagram, Problem
from app.engine.elements import diagram_elements, executable_process_id
from app.engine.xml import parse_xml
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.jsonforms.loader import available_forms
from app.org.models import User

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,63}")

# A new case type starts as one pool with one lane (the reporting role) and its start event.
_BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_{key}" targetNamespace="http://gridcase.org/bpmn">
  <bpmn:collaboration id="Collaboration_{key}">
    <bpmn:participant id="Participant_{key}" name="{key}" processRef="{key}"/>
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_{key}">
      <bpmn:lane id="Lane_grid_worker" name="grid_worker">
        <bpmn:flowNodeRef>start_report</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_closed</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start_report" name="上报">
      <bpmn:outgoing>flow_report_closed</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end_closed" name="办结">
      <bpmn:incoming>flow_report_closed</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_report_closed" sourceRef="start_report" targetRef="end_closed"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{key}">
    <bpmndi:BPMNPlane id="BPMNPlane_{key}" bpmnElement="Collaboration_{key}">
      <bpmndi:BPMNShape id="Participant_{key}_di" bpmnElement="Participant_{key}" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="800" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_grid_worker_di" bpmnElement="Lane_grid_worker" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="770" height="200"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_report_di" bpmnElement="start_report">
        <dc:Bounds x="212" y="162" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_closed_di" bpmnElement="end_closed">
        <dc:Bounds x="812" y="162" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_report_closed_di" bpmnElement="flow_report_closed">
        <di:waypoint x="248" y="180"/>
        <di:waypoint x="812" y="180"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class Opened:
    """What the modeler opens for a case type: its draft, else its latest version, else a blank diagram."""

    key: str
    xml: str
    source: str  # "draft", "version" or "blank"
    saved_at: datetime | None = None
    saved_by: str = ""
    version: int | None = None


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        message = _("A case type key is 2 to 64 lower-case letters, digits and underscores, starting with a letter.")
        raise ValidationError(message, {"key": message})
    return key


def get_draft(key: str) -> ProcessDraft | None:
    return db.session.scalars(select(ProcessDraft).where(ProcessDraft.key == key)).first()


def open_draft(key: str) -> Opened:
    draft = get_draft(check_key(key))
    latest: ProcessVersion | None = latest_version(key)
    number = latest.version if latest else None
    if draft is not None:
        by = db.session.get(User, draft.saved_by_id) if draft.saved_by_id else None
        return Opened(key, draft.bpmn_xml, "draft", draft.saved_at, by.username if by else "", number)
    if latest is not None:
        return Opened(key, latest.bpmn_xml, "version", latest.deployed_at, "", number)
    return Opened(key, _BLANK.format(key=key), "blank")


def save_draft(key: str, xml: bytes, *, actor: User, now: datetime) -> ProcessDraft:
    """Store the diagram as the case type's draft; only unreadable or unsafe XML is refused (InvalidDiagram)."""
    filename = f"{check_key(key)}.bpmn"
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidDiagram([Problem("the diagram must be encoded in UTF-8", file=filename)]) from None
    if not text.strip():
        raise ValidationError(_("The diagram is empty."), {"xml": _("This field is required.")})
    parse_xml(xml, filename)  # refuses DTDs, entities, oversize and malformed XML, with the line
    draft = get_draft(key)
    if draft is None:
        try:
            with db.session.begin_nested():  # two first saves at once: the second finds the first's row below
                draft = ProcessDraft(key=key, bpmn_xml=text, saved_at=now, saved_by_id=actor.id)
                db.session.add(draft)
            return draft
        except IntegrityError:
            draft = get_draft(key)
            if draft is None:
                raise
    draft.bpmn_xml, draft.saved_at, draft.saved_by_id = text, now, actor.id
    db.session.flush()
    return draft


def _saved_draft(key: str) -> ProcessDraft:
    draft = get_draft(check_key(key))
    if draft is None:
        raise NotFoundError(_("This case type has no saved draft."))
    return draft


def validate_draft(key: str, forms_dir: str) -> list[Problem]:
    """Every problem of the saved draft, found by the checks an upload goes through."""
    draft = _saved_draft(key)
    xml, filename = draft.bpmn_xml.encode("utf-8"), f"{key}.bpmn"
    problems: list[Problem] = []
    try:
        problems.extend(_key_problems(key, executable_process_id(xml, filename), filename))
        compile_with_forms(xml, filename, form_pool(xml, filename, forms_dir))
    except InvalidDiagram as err:
        problems.extend(err.problems)
    return problems


def form_names(key: str, forms_dir: str) -> list[str]:
    """The form files a diagram of this case type may name: forms/ and those of its latest version."""
    latest = latest_version(key)
    return sorted(available_forms(forms_dir) | set(latest.forms if latest else ()))


def _key_problems(key: str, found: str | None, filename: str) -> list[Problem]:
    if found is None or found == key:
        return []
    return [Problem(f"the executable process's id must be the case type's key '{key}'", element=found, file=filename)]


def deploy_draft(key: str, forms_dir: str, *, actor: User, now: datetime, ip: str = "") -> tuple[ProcessVersion, bool]:
    """Deploy the saved draft through the upload's own path; the draft is gone once it is a version."""
    draft = _saved_draft(key)
    xml, filename = draft.bpmn_xml.encode("utf-8"), f"{key}.bpmn"
    problems = _key_problems(key, executable_process_id(xml, filename), filename)
    if problems:
        raise InvalidDiagram(problems)
    version, created = deploy_upload(xml, filename, {}, forms_dir, actor=actor, now=now, ip=ip)
    db.session.delete(draft)
    db.session.flush()
    return version, created


def problems_json(problems: list[Problem], xml: str) -> list[dict[str, str | int | None]]:
    """Each problem with its element's label (the name drawn in the diagram) when the element has one."""
    try:
        labels = {e.bpmn_id: e.name for e in diagram_elements(xml.encode("utf-8"), "draft.bpmn").values()}
    except InvalidDiagram:
        labels = {}
    return [{"file": p.file, "line": p.line, "element": p.element, "label": labels.get(p.element or "") or None,
             "reason": p.reason} for p in problems]  # fmt: skip


def opened_json(opened: Opened) -> dict[str, object]:
    return {"key": opened.key, "source": opened.source, "xml": opened.xml, "version": opened.version,
            "saved_at": opened.saved_at.isoformat() if opened.saved_at else None,
            "saved_by": opened.saved_by or None}  # fmt: skip


def refused(problems: list[Problem], xml: str, message: str) -> dict[str, object]:
    """The JSON error of a refused draft (page and API): every problem with its element's label."""
    error = {"code": "invalid_diagram", "message": message, "fields": problem_fields(problems),
             "problems": problems_json(problems, xml)}  # fmt: skip
    return {"error": error}


def validation_json(key: str, forms_dir: str) -> dict[str, object]:
    problems = validate_draft(key, forms_dir)
    draft = get_draft(key)
    return {"valid": not problems, "problems": problems_json(problems, draft.bpmn_xml if draft else "")}


def saved_json(draft: ProcessDraft, username: str) -> dict[str, object]:
    """A saved draft: when (also as the reader sees times, in the installation's time zone) and by whom."""
    return {"key": draft.key, "saved_at": draft.saved_at.isoformat(), "saved_by": username,
            "saved_at_text": format_datetime(draft.saved_at, "yyyy-MM-dd HH:mm:ss")}  # fmt: skip
