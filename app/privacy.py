"""Personal data in case data: which fields hold it, and how they are masked.

A form marks a field with the JSON Schema annotation "x-personal": "phone",
"id_card" or "name". Such values are masked wherever case data is shown, unless the
viewer's role needs them (app/org/permissions.py: sees_personal_data) or the viewer
reveals them, which the security log records.
"""

from typing import Any

from app.casetypes.models import ProcessVersion
from app.casetypes.registry import deployed_version

PERSONAL_KEY = "x-personal"


def personal_fields(version: ProcessVersion) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, form in deployed_version(version).forms.items():
        if name.endswith(".schema.json"):
            for field, spec in form.get("properties", {}).items():
                if isinstance(spec, dict) and isinstance(spec.get(PERSONAL_KEY), str):
                    fields[field] = spec[PERSONAL_KEY]
    return fields


def mask_value(kind: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if kind == "id_card" and len(value) > 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]  # 3201**********1234
    if kind == "phone" and len(value) > 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]  # 138****8000
    if kind == "name":
        return value[0] + "*" * max(len(value) - 1, 1)
    return "*" * len(value)


def masked(version: ProcessVersion, data: dict[str, Any]) -> dict[str, Any]:
    fields = personal_fields(version)
    if not fields:
        return data
    return {k: mask_value(fields[k], v) if k in fields else v for k, v in data.items()}
