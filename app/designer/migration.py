"""Move running cases of one version of a case type to a newer one, each case all or nothing.

A dry run reports, for every running case of the source version, whether it can move and
why not. A real run moves each case that can inside its own savepoint: the engine state is
re-bound to the target version (app/engine/migration.py), the case points at the target,
its open inbox rows take the target's name, lane, form and deadline, and the move is
recorded on the case and in the security log. A case that fails at any step stays wholly
on its old version.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.service import record
from app.calendars.service import work_calendar
from app.cases.events import add_event
from app.cases.locking import lock_case
from app.cases.models import Case, CaseStatus
from app.cases.rows import RowWrites
from app.cases.service import ProcessError, open_tasks_of, record_engine_result
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import Deployed, deployed_version
from app.engine import EngineError
from app.engine.migration import (
    EVENT_MISSING,
    KIND_CHANGED,
    LANE_CHANGED,
    STEP_MISSING,
    SUBPROCESS,
    TASK_MISSING,
    TIMER_RESTARTS,
    Finding,
    MigrationRefused,
    migrate,
    plan_migration,
)
from app.errors import DomainError, ValidationError
from app.extensions import db
from app.org.models import User
from app.tasks.models import Task


@dataclass
class CaseMove:
    """One running case in a migration report."""

    case: Case
    current: list[str]  # the names of its open tasks
    reasons: list[str] = field(default_factory=list)  # why it cannot move; empty if it can
    notes: list[str] = field(default_factory=list)  # what moving it changes
    moved: bool = False

    @property
    def movable(self) -> bool:
        return not self.reasons


def check_pair(source: ProcessVersion, target: ProcessVersion) -> None:
    if source.key != target.key or target.version <= source.version:
        raise ValidationError(
            _("Some fields need your attention."),
            {"target": _("Choose a newer version of the same case type than the source version.")},
        )


def running_cases(version: ProcessVersion) -> list[Case]:
    stmt = select(Case).where(Case.process_version_id == version.id, Case.status == CaseStatus.OPEN)
    return list(db.session.scalars(stmt.order_by(Case.id)))


def dry_run(source: ProcessVersion, target: ProcessVersion) -> list[CaseMove]:
    """Which running cases of `source` could move to `target`, and why the others could not; changes nothing."""
    check_pair(source, target)
    old, new = deployed_version(source), deployed_version(target)
    moves = []
    for case in running_cases(source):
        move = CaseMove(case, [t.name for t in open_tasks_of(case)])
        try:
            plan = plan_migration(old.definition, new.definition, case.state)
        except (EngineError, ValueError, KeyError) as err:
            move.reasons.append(_("Its engine state cannot be read: %(reason)s", reason=str(err)))
        else:
            move.reasons.extend(describe(f, target) for f in plan.obstacles)
            move.notes.extend(describe(f, target) for f in plan.notes)
        moves.append(move)
    return moves


def migrate_cases(
    source: ProcessVersion, target: ProcessVersion, *, actor: User, now: datetime, ip: str = ""
) -> list[CaseMove]:
    """Move every running case of `source` that can move to `target`; the rest stay as they were."""
    moves = dry_run(source, target)
    old, new = deployed_version(source), deployed_version(target)
    for move in moves:
        if not move.movable:
            continue
        savepoint = db.session.begin_nested()
        try:
            _move_case(move.case.id, old, new, source, target, actor=actor, now=now)
        except (MigrationRefused, DomainError, EngineError) as err:
            savepoint.rollback()
            obstacles = err.obstacles if isinstance(err, MigrationRefused) else []
            move.reasons = [describe(f, target) for f in obstacles] or [str(err)]
            continue
        savepoint.commit()
        move.moved = True
    moved = [m.case.number for m in moves if m.moved]
    refused = [m.case.number for m in moves if not m.moved]
    record("cases_migrated", now=now, user=actor, ip=ip, key=source.key, source=source.version,
           target=target.version, moved=moved[:200], refused=refused[:200])  # fmt: skip
    return moves


def _move_case(
    case_id: int,
    old: Deployed,
    new: Deployed,
    source: ProcessVersion,
    target: ProcessVersion,
    *,
    actor: User,
    now: datetime,
) -> None:
    case = lock_case(case_id)
    if case.process_version_id != source.id or case.status is not CaseStatus.OPEN:
        raise ProcessError(_("The case changed meanwhile; run the migration again."))
    try:
        result = migrate(old.definition, new.definition, case.state, now=now)
    except (ValueError, KeyError) as err:
        raise ProcessError(_("Its engine state cannot be read: %(reason)s", reason=str(err))) from err
    case.process_version_id = target.id
    case.process_version = target
    add_event(case, "migrated", actor=actor, now=now,
              payload={"from_version": source.version, "to_version": target.version})  # fmt: skip
    rows = RowWrites()
    record_engine_result(case, new, result, submitted={}, actor=actor, now=now, rows=rows)
    rows.write()
    for task in open_tasks_of(case):
        _rebind_task(task, new)


def _rebind_task(task: Task, new: Deployed) -> None:
    """The open inbox row as the target version defines its task: name, form and deadline.

    Its lane (so its role and candidates) is the same in both versions, or the case would not have moved.
    """
    spec = new.definition.user_tasks[task.bpmn_id]
    task.name = spec.name
    task.form = spec.form.schema if spec.form else None
    if spec.deadline is None:
        task.due_at = task.warn_at = None
        return
    calendar = work_calendar()
    task.due_at = calendar.due_at(task.created_at, spec.deadline)
    task.warn_at = calendar.warn_at(task.created_at, task.due_at, spec.deadline, spec.warn_ratio)


def describe(finding: Finding, target: ProcessVersion) -> str:
    """A finding as a sentence for the designer."""
    what = {"label": finding.label, "id": finding.bpmn_id, "version": target.version}
    messages: dict[str, str] = {
        TASK_MISSING: _("Current task '%(label)s' (%(id)s) does not exist in version %(version)d.", **what),
        EVENT_MISSING: _("Waiting event '%(label)s' (%(id)s) does not exist in version %(version)d.", **what),
        STEP_MISSING: _(
            "Step '%(label)s' (%(id)s), which the case still holds, does not exist in version %(version)d.", **what
        ),
        SUBPROCESS: _("The case is inside a sub-process; such cases cannot be migrated."),
        TIMER_RESTARTS: _("Waiting timer '%(label)s' (%(id)s) starts again at the migration.", **what),
    }
    if finding.code == KIND_CHANGED:
        return str(_("Current element '%(label)s' (%(id)s) is a %(new)s in version %(version)d, not a %(old)s.",
                 **what, **finding.detail))  # fmt: skip
    if finding.code == LANE_CHANGED:
        return str(_("Current task '%(label)s' (%(id)s) moves from lane %(old)s to lane %(new)s in version %(version)d.",
                 **what, **finding.detail))  # fmt: skip
    return messages.get(finding.code, finding.code)
