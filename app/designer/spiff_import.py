"""Import a model authored for spiff-arena: read its folder or zip, map its lanes to our roles, deploy.

The uploaded model is not stored between the two steps: the mapping page carries it back
in a hidden field, and the second step checks it again from scratch like any upload.
"""

import base64
import binascii
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from flask_babel import gettext as _

from app.casetypes.models import ProcessVersion
from app.designer.service import deploy_upload
from app.engine import InvalidDiagram, Problem
from app.engine.spiff_import import Lane, diagram_lanes, form_file_name, rewrite_for_import
from app.errors import ValidationError
from app.org.models import User
from app.org.roles import ROLES

MAX_FILES = 200
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # unpacked: a zip bomb stops here


@dataclass(frozen=True)
class SpiffModel:
    filename: str  # the primary .bpmn file
    xml: bytes
    forms: dict[str, bytes]  # by our file names (x.schema.json)
    lanes: list[Lane]


def read_model(files: list[tuple[str, bytes]]) -> SpiffModel:
    """A model from uploaded files (a zip, or the files of its folder); raise InvalidDiagram."""
    found = _unpack(files)
    diagrams = sorted(name for name in found if name.endswith(".bpmn"))
    primary = _primary(found, diagrams)
    forms = {form_file_name(n): raw for n, raw in found.items() if n.endswith(("-schema.json", "-uischema.json"))}
    forms.update({n: raw for n, raw in found.items() if n.endswith((".schema.json", ".uischema.json"))})
    xml = found[primary]
    return SpiffModel(primary, xml, forms, diagram_lanes(xml, primary))


def _unpack(files: list[tuple[str, bytes]]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for name, raw in files:
        if name.lower().endswith(".zip"):
            found.update(_unzip(name, raw))
        else:
            found[PurePosixPath(name.replace("\\", "/")).name] = raw
    if len(found) > MAX_FILES or sum(len(raw) for raw in found.values()) > MAX_TOTAL_BYTES:
        raise InvalidDiagram([Problem(f"a model may hold at most {MAX_FILES} files and 4 MiB")])
    return found


def _unzip(name: str, raw: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
        if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise InvalidDiagram([Problem(f"a model may hold at most {MAX_FILES} files and 4 MiB", file=name)])
        return {PurePosixPath(m.filename).name: archive.read(m) for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError) as err:
        raise InvalidDiagram([Problem(f"not a readable zip file: {err}", file=name)]) from None


def _primary(found: dict[str, bytes], diagrams: list[str]) -> str:
    """The diagram process_model.json names as primary, else the only .bpmn file."""
    try:
        meta = json.loads(found.get("process_model.json", b"{}"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        meta = {}
    named = meta.get("primary_file_name") if isinstance(meta, dict) else None
    if isinstance(named, str) and named in found:
        return named
    if len(diagrams) != 1:
        reason = f"the model must hold one .bpmn file or name its primary file in process_model.json ({len(diagrams)})"
        raise InvalidDiagram([Problem(reason)])
    return diagrams[0]


def encode_model(model: SpiffModel) -> str:
    """The model as text for the mapping page's hidden field."""
    files = {model.filename: model.xml, **model.forms}
    return json.dumps({"primary": model.filename, "files": {n: base64.b64encode(raw).decode("ascii")
                                                            for n, raw in files.items()}})  # fmt: skip


def decode_model(text: str) -> SpiffModel:
    try:
        body = json.loads(text)
        files = {str(n): base64.b64decode(raw, validate=True) for n, raw in body["files"].items()}
        primary = str(body["primary"])
        xml = files.pop(primary)
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise ValidationError(
            _("The model was lost on the way; upload it again."), {"model": _("Upload again.")}
        ) from None
    try:
        lanes = diagram_lanes(xml, primary)
    except InvalidDiagram:
        raise ValidationError(
            _("The model was lost on the way; upload it again."), {"model": _("Upload again.")}
        ) from None
    return SpiffModel(primary, xml, files, lanes)


def import_model(
    model: SpiffModel, lane_roles: dict[str, str], forms_dir: str, *, actor: User, now: datetime, ip: str = ""
) -> tuple[ProcessVersion, bool]:
    """Deploy the model with each lane renamed to its mapped role; raise ValidationError or InvalidDiagram."""
    missing = {f"lane-{lane.id}": _("Choose the role of this lane.") for lane in model.lanes
               if lane_roles.get(lane.id) not in ROLES}  # fmt: skip
    if missing:
        raise ValidationError(_("Some fields need your attention."), missing)
    xml = rewrite_for_import(model.xml, model.filename, {lane.id: lane_roles[lane.id] for lane in model.lanes})
    return deploy_upload(xml, model.filename, model.forms, forms_dir, actor=actor, now=now, ip=ip)
