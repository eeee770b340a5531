"""Validate submitted data against a form schema; errors keyed by field."""

from collections.abc import Callable
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
    describe = _MESSAGES.get(str(error.validator))
    return [(name, describe(error.validator_value) if describe else error.message)]


# Keyword -> message for the keyword's value; translated when called, in the request's language.
_MESSAGES: dict[str, Callable[[Any], str]] = {
    "type": lambda value: _("Must be of type %(type)s.", type=value),
    "minLength": lambda value: _("Must be at least %(n)d characters long.", n=value),
    "maxLength": lambda value: _("Must be at most %(n)d characters long.", n=value),
    "minimum": lambda value: _("Must be at least %(n)s.", n=value),
    "maximum": lambda value: _("Must be at most %(n)s.", n=value),
    "pattern": lambda value: _("The format is not valid."),
    "format": lambda value: _("Must be a valid %(format)s.", format=value),
    **dict.fromkeys(("oneOf", "anyOf", "enum", "const"), lambda value: _("Choose one of the options.")),
}
