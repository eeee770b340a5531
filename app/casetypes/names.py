"""Names of case types and their tasks in the reader's language."""

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from app.casetypes.models import ProcessVersion
from app.casetypes.registry import Deployed, deployed_by_id, deployed_version
from app.i18n import locale_code, localized
from app.jsonforms.localize import localize, option_key
from app.privacy import masked

if TYPE_CHECKING:
    from app.cases.models import CaseEvent


def case_type_name(version: ProcessVersion) -> str:
    return deployed_name(deployed_version(version))


def deployed_name(deployed: Deployed) -> str:
    """The case type's name in the reader's language."""
    return localized(deployed.definition.names, deployed.definition.name)


def task_name(version: ProcessVersion, bpmn_id: str, default: str) -> str:
    spec = deployed_version(version).definition.user_tasks.get(bpmn_id)
    return localized(spec.names, spec.name) if spec else default


def event_step_name(event: "CaseEvent", version: ProcessVersion) -> str | None:
    """The name of the step a case event concerns, in the reader's language: the version's, else the name stored with
    the event (the diagram's own, at the time)."""
    if event.task_bpmn_id is None:
        return event.task_name
    return task_name(version, event.task_bpmn_id, event.task_name or "") or event.task_name


def listed_task_name(row: Any, locale: str | None = None) -> str:
    """`task_name` for an inbox row (app.tasks.inbox.InboxRow): from the per-version cache, no query."""
    name, _form = deployed_by_id(row.version_id, row.version_sha).task_texts(row.bpmn_id, locale or locale_code())
    return name or str(row.name)


def data_rows(version: ProcessVersion, data: dict[str, Any], *, reveal: bool = False) -> list[tuple[str, str]]:
    """Case data as (field title, shown value), in the reader's language, using every form of the version (the
    process's own data form too); personal data masked unless `reveal`. A value no form declares, such as a variable a
    script keeps for a gateway, is left out rather than shown under its variable name."""
    if not reveal:
        data = masked(version, data)
    titles, options = _labels(deployed_version(version))
    rows = []
    for field, value in data.items():
        if value is None or field not in titles:  # what no form declares is the scripts' own (README of processes/)
            continue
        shown = options.get(field, {}).get(option_key(value)) or _shown(value)
        rows.append((titles[field], shown))
    return rows


def value_label(version: ProcessVersion, field: str, value: Any) -> str:
    """One value as `data_rows` shows it: its choice's label in the reader's language, if a form offers it."""
    return _labels(deployed_version(version))[1].get(field, {}).get(option_key(value)) or _shown(value)


def _labels(deployed: Deployed) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Every form's field titles and choice labels, in the reader's language (the first form naming a field wins)."""
    titles: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    for name, schema in deployed.forms.items():
        if not name.endswith(".schema.json"):
            continue
        ui_schema = deployed.forms.get(name.replace(".schema.json", ".uischema.json"), {})
        for field, spec in localize(schema, ui_schema, locale_code()).get("properties", {}).items():
            titles.setdefault(field, str(spec.get("title", field)))
            for option in spec.get("oneOf", []):
                options.setdefault(field, {})[option_key(option.get("const"))] = str(option.get("title"))
    return titles, options


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)
