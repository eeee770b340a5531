"""GeoReport v2 bodies in JSON or XML (built with lxml; nothing is ever parsed from XML)."""

import json
from typing import Any

from flask import Response
from lxml import etree

from app.xml_text import xml_text

FORMATS = ("json", "xml")
# A list's XML children are named by its singular.
ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: Any, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(etree.SubElement(element, key), item, key)
    elif isinstance(value, list):
        for item in value:
            _fill(etree.SubElement(element, ITEMS.get(name, "item")), item, ITEMS.get(name, "item"))
    else:
        element.text = xml_text(_text(value))  # stored text, and text a request echoes in an error


def render(fmt: str, body: Any, *, root: str, item: str | None = None, status: int = 200) -> Response:
    """`body` as JSON, or as XML under `<root>` (a list: one `<item>` per element)."""
    if fmt == "json":
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")  # fmt: skip
    element = etree.Element(root)
    if isinstance(body, list):
        for entry in body:
            _fill(etree.SubElement(element, item or "item"), entry, item or "item")
    else:
        _fill(element, body, root)
    xml = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
    return Response(xml, status=status, content_type="text/xml; charset=utf-8")


def render_errors(fmt: str, status: int, description: str) -> Response:
    body = [{"code": status, "description": description}]
    return render(fmt if fmt in FORMATS else "xml", body, root="errors", item="error", status=status)
