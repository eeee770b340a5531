"""Designer verbs: list versions, deploy an uploaded diagram with its forms, change a form, compare versions."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.service import record
from app.cases.models import Case, CaseStatus
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import deploy_with_forms, latest_version
from app.engine import InvalidDiagram, Problem
from app.engine.elements import Element, ElementChange, compare_elements, diagram_elements, executable_process_id
from app.errors import NotFoundError
from app.extensions import db
from app.jsonforms.loader import FormFileError, available_forms, check_form_schema, load_form_file
from app.org.models import User
from app.storable_text import unstorable_paths


@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    deployed_by: str
    running: int


@dataclass(frozen=True)
class Diff:
    added: list[Element]
    removed: list[Element]
    changed: list[ElementChange]


def version_rows(key: str | None = None) -> dict[str, list[VersionRow]]:
    """Every case type's versions, newest first, with who deployed them and how many cases still run on each."""
    stmt = select(ProcessVersion).order_by(ProcessVersion.key, ProcessVersion.version.desc())
    if key is not None:
        stmt = stmt.where(ProcessVersion.key == key)
    versions = list(db.session.scalars(stmt))
    running_stmt = (
        select(Case.process_version_id, func.count())
        .where(Case.status == CaseStatus.OPEN, Case.process_version_id.in_([v.id for v in versions]))
        .group_by(Case.process_version_id)
    )
    running: dict[int, int] = dict(db.session.execute(running_stmt).tuples().all())
    user_ids = {v.deployed_by_id for v in versions if v.deployed_by_id is not None}
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).tuples().all())
    rows: dict[str, list[VersionRow]] = {}
    for v in versions:
        by = names.get(v.deployed_by_id, "") if v.deployed_by_id is not None else ""
        rows.setdefault(v.key, []).append(VersionRow(v, by, running.get(v.id, 0)))
    return rows


def get_version(key: str, number: int) -> ProcessVersion:
    stmt = select(ProcessVersion).where(ProcessVersion.key == key, ProcessVersion.version == number)
    version = db.session.scalars(stmt).first()
    if version is None:
        raise NotFoundError(_("No such version."))
    return version


def parse_form_upload(name: str, raw: bytes) -> dict[str, Any]:
    """A form file from an upload or the form editor, checked like the files in forms/; raise InvalidDiagram."""
    if not name.endswith(".json") or "/" in name or "\\" in name:
        raise InvalidDiagram([Problem("a form file name must end in .json and hold no folder", file=name)])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidDiagram([Problem("not UTF-8 text", file=name)]) from None
    except json.JSONDecodeError as err:
        raise InvalidDiagram([Problem(f"not valid JSON: {err.msg}", line=err.lineno, file=name)]) from None
    except RecursionError:
        raise InvalidDiagram([Problem("not valid JSON: nested too deeply", file=name)]) from None
    if not isinstance(data, dict):
        raise InvalidDiagram([Problem("must hold a JSON object", file=name)])
    try:
        where = unstorable_paths(data)
    except ValueError as err:
        raise InvalidDiagram([Problem(str(err), file=name)]) from None
    if where:
        problem = f"holds a character that cannot be stored (NUL or an unpaired surrogate) at {where[0]}"
        raise InvalidDiagram([Problem(problem, file=name)])
    if name.endswith(".schema.json"):
        try:
            check_form_schema(name, data)
        except FormFileError as err:
            raise InvalidDiagram([Problem(str(err).removeprefix(f"{name}: "), file=name)]) from None
    return data


def form_pool(xml: bytes, filename: str, forms_dir: str) -> dict[str, dict[str, Any]]:
    """Forms a diagram may use besides the uploaded ones: the case type's latest version's, else forms/."""
    pool: dict[str, dict[str, Any]] = {}
    for name in available_forms(forms_dir):
        try:
            pool[name] = load_form_file(forms_dir, name)
        except FormFileError:
            continue  # a broken file in forms/ is reported by `flask processes check`; here it is absent
    key = executable_process_id(xml, filename)
    previous = latest_version(key) if key else None
    if previous is not None:
        pool.update(previous.forms)
    return pool


def deploy_upload(
    xml: bytes, filename: str, uploaded: dict[str, bytes], forms_dir: str, *, actor: User, now: datetime, ip: str = ""
) -> tuple[ProcessVersion, bool]:
    """Validate an uploaded diagram and forms together; deploy a new version only when all of it is valid."""
    filename = Path(filename).name or "diagram.bpmn"
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    try:
        xml.decode("utf-8")  # versions are stored as text
    except UnicodeDecodeError:
        problems.append(Problem("the diagram must be encoded in UTF-8", file=filename))
    for name, raw in sorted(uploaded.items()):
        try:
            forms[name] = parse_form_upload(name, raw)
        except InvalidDiagram as err:
            problems.extend(err.problems)
    if problems:
        raise InvalidDiagram(problems)
    pool = {**form_pool(xml, filename, forms_dir), **forms}
    version, created = deploy_with_forms(xml, filename, pool, actor=actor, now=now)
    _audit(version, created, actor=actor, now=now, ip=ip, source=filename)
    return version, created


def save_forms(
    version: ProcessVersion, changed: dict[str, bytes], *, actor: User, now: datetime, ip: str = ""
) -> tuple[ProcessVersion, bool]:
    """Deploy `version`'s diagram with some of its form files replaced, as the case type's next version."""
    if not changed or any(name not in version.forms for name in changed):
        raise NotFoundError(_("No such form in this version."))
    problems: list[Problem] = []
    forms = dict(version.forms)
    for name, raw in changed.items():
        try:
            forms[name] = parse_form_upload(name, raw)
        except InvalidDiagram as err:
            problems.extend(err.problems)
    if problems:
        raise InvalidDiagram(problems)
    filename = f"{version.key}.bpmn"
    new, created = deploy_with_forms(version.bpmn_xml.encode("utf-8"), filename, forms, actor=actor, now=now)
    _audit(new, created, actor=actor, now=now, ip=ip, source=", ".join(sorted(changed)))
    return new, created


def _audit(version: ProcessVersion, created: bool, *, actor: User, now: datetime, ip: str, source: str) -> None:
    record("deploy", now=now, user=actor, ip=ip, key=version.key, version=version.version, sha256=version.sha256,
           created=created, source=source)  # fmt: skip


def record_refusal(filename: str, problems: list[Problem], *, actor: User, now: datetime, ip: str = "") -> None:
    record(
        "deploy_refused",
        now=now,
        user=actor,
        ip=ip,
        source=Path(filename).name,
        problems=[str(p) for p in problems][:20],
    )


def diff_versions(old: ProcessVersion, new: ProcessVersion) -> Diff:
    before = diagram_elements(old.bpmn_xml.encode("utf-8"), f"{old.key}.bpmn")
    after = diagram_elements(new.bpmn_xml.encode("utf-8"), f"{new.key}.bpmn")
    return Diff(*compare_elements(before, after))
