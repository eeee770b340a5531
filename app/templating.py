"""Values and filters every template may use; templates get values, not rules."""

import functools
from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import DateTimePattern, match_skeleton, parse_pattern
from flask import Flask
from flask_babel import format_decimal, format_percent, get_locale, to_user_timezone
from flask_login import current_user

from app.casetypes.names import case_type_name, data_rows, listed_task_name, task_name
from app.clock import utcnow
from app.i18n import SUPPORTED_LOCALES, locale_code
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


@functools.cache
def _when_pattern(locale: Locale) -> DateTimePattern:
    """The locale's "date, then hour:minute" pattern, parsed once (format_skeleton matches and parses per call)."""
    skeletons = locale.datetime_skeletons
    parts = [skeletons[s if s in skeletons else match_skeleton(s, skeletons)] for s in ("yMMMd", "Hm")]
    return parse_pattern(" ".join(str(p) for p in parts))


def _when(value: datetime | None) -> str:
    """A moment as the reader's language writes it, in the county's time zone: 2026年11月26日 14:05 / Nov 26, 2026 14:05."""
    if value is None:
        return ""
    locale = get_locale() or Locale.parse("zh_Hans_CN")
    return str(_when_pattern(locale).apply(to_user_timezone(value), locale))


def _number(value: float) -> str:
    """A count or amount with the reader's grouping: 40,840."""
    return str(format_decimal(value))


def _percent(rate: float) -> str:
    """A rate from 0 to 1 as a percentage with one decimal: 0.9812 → 98.1%."""
    return str(format_percent(rate, "#,##0.0%"))


def _personal(kind: str, value: str, reveal: bool) -> str:
    return value if reveal else str(mask_value(kind, value))


def _changed_fields(change: Any) -> list[str]:
    before, after = change.before or {}, change.after or {}
    return sorted(k for k in after if before.get(k) != after[k])


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["percent"] = _percent
    app.jinja_env.globals.update(
        role_label=role_label,
        role_labels=role_labels,
        case_type_name=case_type_name,
        task_name=task_name,
        listed_task_name=listed_task_name,
        data_rows=data_rows,
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
            }
        }
