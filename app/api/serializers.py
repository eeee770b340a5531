"""Named serialisers: the shapes of ARCHITECTURE.md §6 (fields may be added, never changed)."""

from datetime import datetime
from typing import Any

from flask import url_for

from app.attachments.models import Attachment
from app.cases.models import Case, CaseEvent
from app.casetypes.models import ProcessVersion
from app.casetypes.names import case_type_name, event_step_name
from app.casetypes.registry import deployed_by_id, deployed_version
from app.engine import FormRef
from app.i18n import locale_code
from app.org.models import OrgUnit, User
from app.privacy import masked
from app.tasks.inbox import InboxRow, task_state
from app.tasks.models import Task


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def unit_json(unit: OrgUnit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind.value}


def roles_json(user: User) -> list[dict[str, Any]]:
    return [{"role": m.role, "org_unit": unit_json(m.org_unit)} for m in user.memberships]


def user_json(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "active": user.active,
            "roles": roles_json(user)}  # fmt: skip


def form_json(version: ProcessVersion, ref: FormRef | None) -> dict[str, Any] | None:
    form = deployed_version(version).localized_form(ref, locale_code())
    if form is None:
        return None
    schema, ui_schema = form
    return {"schema": schema, "ui_schema": ui_schema}


def case_type_json(version: ProcessVersion) -> dict[str, Any]:
    definition = deployed_version(version).definition
    return {
        "key": version.key,
        "name": case_type_name(version),
        "version": version.version,
        "start_role": definition.start_lane,
        "start_form": form_json(version, definition.start_form),
    }


def task_json(task: Task, *, now: datetime, locale: str | None = None) -> dict[str, Any]:
    name, form = deployed_version(task.case.process_version).task_texts(task.bpmn_id, locale or locale_code())
    return {
        "id": task.id,
        "case_id": task.case_id,
        "case_number": task.case.number,
        "name": name or task.name,
        "bpmn_id": task.bpmn_id,
        "role": task.role,
        "org_unit": unit_json(task.org_unit),
        "assignee": task.assignee.username if task.assignee else None,
        "status": task.status.value,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "state": task_state(task, now),
        "form": form,
        "completed_at": iso(task.completed_at),
        "completed_by": task.completed_by.username if task.completed_by_id and task.completed_by else None,
    }


def tasks_json(tasks: list[Task], *, now: datetime) -> list[dict[str, Any]]:
    locale = locale_code()  # once per list, not per row
    return [task_json(t, now=now, locale=locale) for t in tasks]


def inbox_rows_json(rows: list[InboxRow], *, now: datetime) -> list[dict[str, Any]]:
    """An inbox page in the task shape of ARCHITECTURE.md §6; name and form from the per-version cache."""
    locale = locale_code()
    answer = []
    for row in rows:
        name, form = deployed_by_id(row.version_id, row.version_sha).task_texts(row.bpmn_id, locale)
        answer.append({
            "id": row.id,
            "case_id": row.case_id,
            "case_number": row.case_number,
            "name": name or row.name,
            "bpmn_id": row.bpmn_id,
            "role": row.role,
            "org_unit": {"code": row.unit_code, "name": row.unit_name, "kind": row.unit_kind.value},
            "assignee": row.assignee,
            "status": row.status.value,
            "created_at": iso(row.created_at),
            "due_at": iso(row.due_at),
            "state": task_state(row, now),
            "form": form,
            "completed_at": iso(row.completed_at),
            "completed_by": row.completed_by,
        })  # fmt: skip
    return answer


def case_status_json(case: Case) -> dict[str, Any]:
    return {"id": case.id, "number": case.number, "status": case.status.value}


def event_json(event: CaseEvent, *, reveal: bool) -> dict[str, Any]:
    data = event.payload if reveal else masked(event.case.process_version, event.payload)
    return {
        "at": iso(event.at),
        "actor": event.actor.username if event.actor else None,
        "kind": event.kind,
        "task": {
            "id": event.task_id,
            "bpmn_id": event.task_bpmn_id,
            "name": event_step_name(event, event.case.process_version),
        }
        if event.task_id
        else None,
        "data": data,
    }


def case_json(
    case: Case, open_tasks: list[Task], history: list[CaseEvent], *, now: datetime, reveal: bool
) -> dict[str, Any]:
    return {
        **case_status_json(case),
        "case_type": case.case_type,
        "case_type_name": case_type_name(case.process_version),
        "title": case.title,
        "org_unit": unit_json(case.org_unit),
        "data": case.data if reveal else masked(case.process_version, case.data),
        "opened_at": iso(case.opened_at),
        "closed_at": iso(case.closed_at),
        "state_version": case.state_version,
        "open_tasks": tasks_json(open_tasks, now=now),
        "history": [event_json(e, reveal=reveal) for e in history],
    }


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    case_id, attachment_id = attachment.case_id, attachment.id
    return {
        "id": attachment_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "is_image": attachment.is_image,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "width": attachment.width,
        "height": attachment.height,
        "task_id": attachment.task_id,
        "uploaded_at": iso(attachment.uploaded_at),
        "uploaded_by": attachment.uploaded_by.username if attachment.uploaded_by else None,
        "url": url_for("api.attachment_file", case_id=case_id, attachment_id=attachment_id),
        "thumbnail_url": url_for("api.attachment_thumbnail", case_id=case_id, attachment_id=attachment_id)
        if attachment.is_image
        else None,
    }
