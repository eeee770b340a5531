"""Read form files and check they are forms we can render and validate."""

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

SUPPORTED_TYPES = frozenset({"string", "integer", "number", "boolean"})


class FormFileError(ValueError):
    """A form file that cannot be used; the message names the file and why."""


def available_forms(forms_dir: str) -> set[str]:
    return {p.name for p in Path(forms_dir).glob("*.json")}


def load_form_file(forms_dir: str, name: str) -> dict[str, Any]:
    path = Path(forms_dir) / name
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise FormFileError(f"{name}: cannot be read ({err})") from err
    except json.JSONDecodeError as err:
        raise FormFileError(f"{name}:{err.lineno}: not valid JSON: {err.msg}") from err
    if not isinstance(data, dict):
        raise FormFileError(f"{name}: must hold a JSON object")
    if name.endswith(".schema.json"):
        check_form_schema(name, data)
    return data


def check_form_schema(name: str, schema: dict[str, Any]) -> None:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        raise FormFileError(f"{name}: not a valid JSON Schema: {err.message}") from err
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormFileError(f"{name}: a form schema must be an object with 'properties'")
    for field, spec in schema["properties"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str) or spec["type"] not in SUPPORTED_TYPES:
            kinds = ", ".join(sorted(SUPPORTED_TYPES))
            raise FormFileError(f"{name}: field '{field}' must have a type among {kinds}")
