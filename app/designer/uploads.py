"""Read a designer's multipart upload (shared by the page and the API) and describe refusals."""

from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _

from app.engine import Problem
from app.errors import ValidationError


@dataclass(frozen=True)
class Upload:
    xml: bytes
    filename: str
    forms: dict[str, bytes] = field(default_factory=dict)


def read_upload() -> Upload:
    """The `bpmn` file and any `forms` files of this request; 422 when no diagram was sent."""
    diagram = request.files.get("bpmn")
    if diagram is None or not diagram.filename:
        raise ValidationError(_("Choose a .bpmn file to upload."), {"bpmn": _("This field is required.")})
    forms = {}
    for upload in request.files.getlist("forms"):
        if upload.filename:
            forms[upload.filename.replace("\\", "/").rsplit("/", 1)[-1]] = upload.read()
        upload.close()
    xml = diagram.read()
    diagram.close()  # large parts are spooled to temporary files: release them now
    return Upload(xml, diagram.filename, forms)


def problem_fields(problems: list[Problem]) -> dict[str, str]:
    """{"<file>:<line>": reason}, element ids in brackets; problems at one place joined."""
    fields: dict[str, str] = {}
    for p in problems:
        where = ":".join(str(part) for part in (p.file or "", p.line) if part) or "diagram"
        reason = f"[{p.element}] {p.reason}" if p.element else p.reason
        fields[where] = f"{fields[where]}; {reason}" if where in fields else reason
    return fields


def problem_json(p: Problem) -> dict[str, str | int | None]:
    return {"file": p.file, "line": p.line, "element": p.element, "reason": p.reason}
