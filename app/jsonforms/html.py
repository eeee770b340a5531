"""Turn a (localized) form schema into fields for the template, and posted HTML
form values back into typed data."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.jsonforms.localize import option_key


@dataclass(frozen=True)
class FormField:
    name: str
    title: str
    widget: str  # text, textarea, select, radio, number, integer, date, checkbox
    required: bool
    description: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # (value as posted, label)
    value: str = ""  # as it goes back into the input
    error: str = ""


def form_fields(
    schema: dict[str, Any],
    ui_schema: dict[str, Any],
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    choices: Mapping[str, list[tuple[str, str]]] | None = None,
) -> list[FormField]:
    """`choices` supplies options computed elsewhere (register records for "x-register" fields)."""
    values, errors, choices = values or {}, errors or {}, choices or {}
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    order = [n for n in ui_schema.get("ui:order", []) if n in props] + [
        n for n in props if n not in ui_schema.get("ui:order", [])
    ]
    fields = []
    for name in order:
        spec, ui = props[name], ui_schema.get(name) or {}
        options = [(option_key(o.get("const")), str(o.get("title", o.get("const")))) for o in spec.get("oneOf", [])]
        options += [(option_key(v), str(v)) for v in spec.get("enum", [])]
        options += choices.get(name, [])
        fields.append(
            FormField(
                name=name,
                title=str(spec.get("title", name)),
                widget=_widget(spec, ui, options),
                required=name in required,
                description=str(spec.get("description", "")),
                options=options,
                value="" if values.get(name) is None else option_key(values[name]),
                error=errors.get(name, ""),
            )
        )
    return fields


def _widget(spec: dict[str, Any], ui: dict[str, Any], options: list[tuple[str, str]]) -> str:
    if options:
        return "radio" if ui.get("ui:widget") == "radio" else "select"
    if spec["type"] == "boolean":
        return "checkbox"
    if spec["type"] in ("integer", "number"):
        return str(spec["type"])
    if spec.get("format") == "date":
        return "date"
    return "textarea" if ui.get("ui:widget") == "textarea" else "text"


def coerce_posted(schema: dict[str, Any], posted: Mapping[str, str]) -> dict[str, Any]:
    """Typed data from form inputs; values that do not convert are kept as text so
    that validation names the field rather than dropping it."""
    data: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        raw = posted.get(name)
        if spec["type"] == "boolean" and not spec.get("oneOf"):
            data[name] = raw in ("on", "true", "1")
            continue
        if raw is None or raw.strip() == "":
            continue
        data[name] = _convert(spec["type"], raw.strip())
    return data


def _convert(kind: str, raw: str) -> Any:
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number" and math.isfinite(number := float(raw)):  # "nan" passed every bound, stored as null
            return number
    except ValueError:
        return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    return raw
