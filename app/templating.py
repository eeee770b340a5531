"""Values and filters every template may use; templates get values, not rules."""

from typing import Any

from flask import Flask
from flask_login import current_user

from app.cases.events import event_label
from app.cases.service import reports_some_type
from app.casetypes.names import case_type_name, data_rows, listed_task_name, task_name
from app.clock import utcnow
from app.i18n import SUPPORTED_LOCALES, locale_code, time_limit_text
from app.intake.catalog import category_name
from app.notifications.service import unread_count
from app.org.permissions import (
    can_design,
    can_edit_calendar,
    can_manage_taxonomy,
    can_view_dashboard,
    is_admin,
    keeps_registers,
    reads_knowledge,
    sees_registers,
    triage_paths,
    works_desk,
)
from app.org.roles import role_label, role_labels
from app.privacy import mask_value
from app.registers.labels import BUILDING_KINDS, ENTITY_KINDS, RISK_LEVELS, SPECIAL_GROUPS
from app.tasks.inbox import task_state
from app.template_i18n import init_template_i18n


def _personal(kind: str, value: str, reveal: bool) -> str:
    return value if reveal else str(mask_value(kind, value))


def _changed_fields(change: Any) -> list[str]:
    before, after = change.before or {}, change.after or {}
    return sorted(k for k in after if before.get(k) != after[k])


def init_templating(app: Flask) -> None:
    init_template_i18n(app)  # gettext, ngettext; the filters when, number, percent
    app.jinja_env.globals.update(
        role_label=role_label,
        role_labels=role_labels,
        case_type_name=case_type_name,
        task_name=task_name,
        listed_task_name=listed_task_name,
        data_rows=data_rows,
        event_label=event_label,
        category_name=category_name,
        time_limit_text=time_limit_text,
        task_state=lambda task: task_state(task, utcnow()),
        supported_locales=SUPPORTED_LOCALES,
        locale_code=locale_code,
        personal=_personal,
        changed_fields=_changed_fields,
        entity_kinds=ENTITY_KINDS,
        building_kinds=BUILDING_KINDS,
        risk_levels=RISK_LEVELS,
        special_groups=SPECIAL_GROUPS,
    )

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not current_user or not current_user.is_authenticated:
            return {"nav": {}}
        user = current_user
        return {
            "nav": {
                "unread": unread_count(user),
                "calendar": can_edit_calendar(user),
                "admin": is_admin(user),
                "designer": can_design(user),
                "dashboard": can_view_dashboard(user),
                "registers": sees_registers(user),
                "visits": keeps_registers(user),
                "desk": works_desk(user),
                "taxonomy": can_manage_taxonomy(user),
                "knowledge": reads_knowledge(user),
                "triage": bool(triage_paths(user)),
                "report": reports_some_type(user),
            }
        }
