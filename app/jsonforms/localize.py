"""Apply a UI schema's translations ("ui:i18n") to a form schema for one locale.

Designers write the form in one language (titles in the JSON Schema) and add other
languages in the UI schema, keyed by field: "address", "address.description",
"severity.high" (an option), "$title" (the form's title).
"""

import copy
from typing import Any

I18N_KEY = "ui:i18n"


def option_key(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def localize(schema: dict[str, Any], ui_schema: dict[str, Any], locale: str) -> dict[str, Any]:
    texts = _texts_for(ui_schema.get(I18N_KEY) or {}, locale)
    if not texts:
        return schema
    out = copy.deepcopy(schema)
    out["title"] = texts.get("$title", out.get("title"))
    for name, field in out.get("properties", {}).items():
        field["title"] = texts.get(name, field.get("title", name))
        if f"{name}.description" in texts:
            field["description"] = texts[f"{name}.description"]
        for option in field.get("oneOf", []):
            option["title"] = texts.get(f"{name}.{option_key(option.get('const'))}", option.get("title"))
    return out


def _texts_for(i18n: dict[str, Any], locale: str) -> dict[str, str]:
    # "en_US" falls back to "en"; "zh_Hans_CN" to "zh_Hans" and "zh".
    parts = locale.split("_")
    for n in range(len(parts), 0, -1):
        texts = i18n.get("_".join(parts[:n]))
        if isinstance(texts, dict):
            return texts
    return {}
