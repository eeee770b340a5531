"""Deploy diagrams as process versions and keep their compiled form in memory.

A process version is immutable, so its compiled definition is cached by content
hash: every case of that version shares one parsed spec.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select

from app.casetypes.models import ProcessVersion
from app.engine import FormRef, InvalidDiagram, Problem, ProcessDefinition, compile_definition
from app.extensions import db
from app.i18n import localized
from app.json_provider import Encoded
from app.jsonforms.loader import FormFileError, available_forms, load_form_file
from app.jsonforms.localize import localize
from app.org.models import User
from app.org.roles import ROLES


@dataclass(frozen=True)
class Deployed:
    """A compiled process version with its forms."""

    definition: ProcessDefinition
    forms: dict[str, Any]
    # (schema file, locale) -> localized schema. A version is immutable, so each form is
    # translated once per process rather than once per task in every inbox page.
    _localized: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    # (task's bpmn id, locale) -> (name, {"schema", "ui_schema"} or None): what a task list row shows of it, the
    # form encoded once for all the responses that carry it (app/json_provider.py).
    _task_texts: dict[tuple[str, str], tuple[str | None, Encoded | None]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def form(self, ref: FormRef | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
        if ref is None:
            return None
        return self.forms[ref.schema], (self.forms.get(ref.ui_schema) if ref.ui_schema else None) or {}

    def localized_form(self, ref: FormRef | None, locale: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The form in `locale`; shared between requests, so callers must not change it."""
        form = self.form(ref)
        if form is None or ref is None:
            return None
        key = (ref.schema, locale)
        if key not in self._localized:
            self._localized[key] = localize(form[0], form[1], locale)
        return self._localized[key], form[1]

    def task_texts(self, bpmn_id: str, locale: str) -> tuple[str | None, Encoded | None]:
        """A user task's name (None: not in this diagram) and form as a list shows them, in `locale`.

        Computed once per version, task and language; shared between requests, so callers must not change it.
        """
        key = (bpmn_id, locale)
        texts = self._task_texts.get(key)
        if texts is None:
            spec = self.definition.user_tasks.get(bpmn_id)
            form = self.localized_form(spec.form, locale) if spec else None
            name = localized(spec.names, spec.name, locale) if spec else None
            answer = Encoded({"schema": form[0], "ui_schema": form[1]}) if form else None
            texts = self._task_texts[key] = (name, answer)
        return texts


@dataclass
class SyncReport:
    deployed: list[ProcessVersion] = field(default_factory=list)
    unchanged: list[ProcessVersion] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_CACHE: dict[str, Deployed] = {}


def compile_file(xml: bytes, filename: str, forms_dir: str) -> Deployed:
    """Compile one diagram against the form files in `forms_dir`; raise InvalidDiagram."""
    definition = compile_definition(xml, filename, roles=ROLES.keys(), forms=available_forms(forms_dir))
    forms = {}
    problems = []
    for name in sorted(definition.forms()):
        try:
            forms[name] = load_form_file(forms_dir, name)
        except FormFileError as err:
            problems.append(Problem(str(err), file=filename))
    if problems:
        raise InvalidDiagram(problems)
    return Deployed(definition, forms)


def compile_with_forms(xml: bytes, filename: str, forms: dict[str, dict[str, Any]]) -> Deployed:
    """Compile one diagram against forms given as parsed JSON (already checked); keep those it uses."""
    definition = compile_definition(xml, filename, roles=ROLES.keys(), forms=forms.keys())
    return Deployed(definition, {name: forms[name] for name in sorted(definition.forms())})


def content_hash(xml: bytes, forms: dict[str, Any]) -> str:
    digest = hashlib.sha256(xml)
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def deploy(
    xml: bytes, filename: str, forms_dir: str, *, actor: User | None, now: datetime
) -> tuple[ProcessVersion, bool]:
    """Store the diagram as a new version unless its latest version is identical."""
    return store_version(xml, compile_file(xml, filename, forms_dir), actor=actor, now=now)


def deploy_with_forms(
    xml: bytes, filename: str, forms: dict[str, dict[str, Any]], *, actor: User | None, now: datetime
) -> tuple[ProcessVersion, bool]:
    """`deploy` for a diagram whose forms come with it (an upload, or a form edited in the browser)."""
    return store_version(xml, compile_with_forms(xml, filename, forms), actor=actor, now=now)


def store_version(xml: bytes, deployed: Deployed, *, actor: User | None, now: datetime) -> tuple[ProcessVersion, bool]:
    sha = content_hash(xml, deployed.forms)
    key = deployed.definition.key
    latest = latest_version(key)
    if latest is not None and latest.sha256 == sha:
        return latest, False
    version = ProcessVersion(
        key=key,
        version=(latest.version + 1) if latest else 1,
        name=deployed.definition.name,
        sha256=sha,
        bpmn_xml=xml.decode("utf-8"),
        forms=deployed.forms,
        deployed_at=now,
        deployed_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    _CACHE[sha] = deployed
    return version, True


def sync_processes(processes_dir: str, forms_dir: str, *, actor: User | None, now: datetime) -> SyncReport:
    """Deploy every changed diagram in `processes_dir`; a broken file is reported and skipped."""
    report = SyncReport()
    for path in sorted(Path(processes_dir).glob("*.bpmn")):
        try:
            xml = path.read_bytes()
            deployed = compile_file(xml, path.name, forms_dir)
            synced = _latest_synced(deployed.definition.key)
            if synced is not None and synced.sha256 == content_hash(xml, deployed.forms):
                # The file is as it was last synced: a version deployed since from the designer pages stays latest.
                version, created = latest_version(deployed.definition.key) or synced, False
            else:
                version, created = store_version(xml, deployed, actor=actor, now=now)
        except InvalidDiagram as err:
            report.problems.extend(str(p) for p in err.problems)
            continue
        (report.deployed if created else report.unchanged).append(version)
    return report


def deployed_version(version: ProcessVersion) -> Deployed:
    cached = _CACHE.get(version.sha256)
    if cached is None:
        xml, filename = version.bpmn_xml.encode("utf-8"), f"{version.key}.bpmn"
        definition = compile_definition(xml, filename, roles=ROLES.keys(), forms=version.forms.keys(), stored=True)
        cached = _CACHE[version.sha256] = Deployed(definition, version.forms)
    return cached


def deployed_by_id(version_id: int, sha256: str) -> Deployed:
    """`deployed_version` for a version known by id and hash (a list row): no query once it is cached."""
    cached = _CACHE.get(sha256)
    if cached is not None:
        return cached
    version = db.session.get(ProcessVersion, version_id)
    if version is None:  # pragma: no cover - the row came from a join on this version
        raise LookupError(version_id)
    return deployed_version(version)


def latest_version(key: str) -> ProcessVersion | None:
    stmt = select(ProcessVersion).where(ProcessVersion.key == key).order_by(ProcessVersion.version.desc()).limit(1)
    return db.session.scalars(stmt).first()


def _latest_synced(key: str) -> ProcessVersion | None:
    """The newest version deployed from processes/ (by no one), not from the designer pages."""
    stmt = (
        select(ProcessVersion)
        .where(ProcessVersion.key == key, ProcessVersion.deployed_by_id.is_(None))
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    return db.session.scalars(stmt).first()


def _newest(stmt: Select[Any]) -> Select[Any]:
    """`stmt` over ProcessVersion, kept to each key's newest version, by key."""
    newest = (
        select(ProcessVersion.key, func.max(ProcessVersion.version).label("version"))
        .group_by(ProcessVersion.key)
        .subquery()
    )
    on = (ProcessVersion.key == newest.c.key) & (ProcessVersion.version == newest.c.version)
    return stmt.join(newest, on).order_by(ProcessVersion.key)


def latest_versions() -> list[ProcessVersion]:
    return list(db.session.scalars(_newest(select(ProcessVersion))))


def newest_deployed() -> dict[str, Deployed]:
    """Each key's newest version as deployed, by key: ids and hashes read, the rest from the per-version cache."""
    rows = db.session.execute(_newest(select(ProcessVersion.key, ProcessVersion.id, ProcessVersion.sha256)))
    return {key: deployed_by_id(version_id, sha256) for key, version_id, sha256 in rows}
