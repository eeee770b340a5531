"""Validate submitted data against a form schema; errors keyed by field."""

from typing import Any, cast

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

_FORMATS = FormatChecker(formats=["date", "email"])


def form_errors(schema: dict[str, Any], data: Any) -> dict[str, str]:
    """{} when `data` is valid; otherwise one message per offending field."""
    if not isinstance(data, dict):
        return {"data": _("Must be a JSON object.")}
    errors: dict[str, str] = {}
    known = schema.get("properties", {})
    for name in data:
        if name not in known:
            errors[name] = _("This field is not part of the form.")
    validator = Draft202012Validator(schema, format_checker=_FORMATS)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        for name, message in _describe(error, data):
            errors.setdefault(name, message)
    return errors


def _describe(error: ValidationError, data: dict[str, Any]) -> list[tuple[str, str]]:
    if error.validator == "required":
        required = cast(list[str], error.validator_value)  # the schema's "required" list
        return [(name, _("This field is required.")) for name in required if name not in data]
    name = str(error.path[0]) if error.path else "data"
    kind = error.validator
    if kind == "type":
        return [(name, _("Must be of type %(type)s.", type=error.validator_value))]
    if kind == "minLength":
        return [(name, _("Must be at least %(n)d characters long.", n=error.validator_value))]
    if kind == "maxLength":
        return [(name, _("Must be at most %(n)d characters long.", n=error.validator_value))]
    if kind == "minimum":
        return [(name, _("Must be at least %(n)s.", n=error.validator_value))]
    if kind == "maximum":
        return [(name, _("Must be at most %(n)s.", n=error.validator_value))]
    if kind == "pattern":
        return [(name, _("The format is not valid."))]
    if kind == "format":
        return [(name, _("Must be a valid %(format)s.", format=error.validator_value))]
    if kind in ("oneOf", "anyOf", "enum", "const"):
        return [(name, _("Choose one of the options."))]
    return [(name, error.message)]
