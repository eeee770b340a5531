"""Domain verbs for cases: start one, and record what the engine did to it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defaultload
from sqlalchemy.orm.attributes import set_committed_value

from app import engine
from app.calendars.service import work_calendar
from app.calendars.workdays import WorkCalendar
from app.cases.events import add_event
from app.cases.loaded import new_row
from app.cases.models import Case, CaseEvent, CaseStatus
from app.cases.rows import RowWrites
from app.casetypes.models import ProcessVersion
from app.casetypes.registry import Deployed, deployed_version, latest_versions, newest_deployed
from app.clock import local_day
from app.dashboard import rollup
from app.errors import DomainError, ForbiddenError, ValidationError
from app.extensions import db
from app.intake.models import Category
from app.intake.reporters import tell_reporters
from app.intake.routing import Route
from app.jsonforms.validate import form_errors
from app.org.models import OrgKind, OrgUnit, User
from app.org.permissions import can_start_in, holds_start_lane
from app.org.service import candidate_unit, prime_candidate_units
from app.registers.references import link_references, reference_errors
from app.tasks.models import ALERT_NONE, Task, TaskStatus
from app.worker.models import Timer

TITLE_MAX = 200
TIMER_RETRY = timedelta(hours=1)  # when a timer whose case's diagram failed comes due again (fire_cases_timers)


class ProcessError(DomainError):
    """The diagram could not go on (a condition or script failed); nothing was saved."""

    status, code = 422, "process_error"


@dataclass(frozen=True)
class Change:
    """What one engine step did: for the caller's answer."""

    case: Case
    opened: list[Task]
    open_tasks: list[Task]


@dataclass(frozen=True)
class Whereabouts:
    """What a report is about and where: its taxonomy item, point and address, and how it was routed."""

    category: Category | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    route: Route | None = None

    def columns(self) -> dict[str, Any]:
        """The case's columns that say so."""
        route = self.route
        return {"category": self.category, "category_id": self.category.id if self.category else None,
                "latitude": self.latitude, "longitude": self.longitude,
                "address": self.address[:200] if self.address else None,
                "routing": route.how if route else None, "routing_reason": route.reason if route else None}  # fmt: skip


def start_case(
    version: ProcessVersion,
    unit: OrgUnit,
    data: dict[str, Any],
    *,
    actor: User,
    now: datetime,
    channel: str = "web",
    where: Whereabouts = Whereabouts(),
) -> Change:
    """Start a case in `unit` (a grid; or, with a triage route, the triage unit it names)."""
    deployed = deployed_version(version)
    definition = deployed.definition
    triage = where.route is not None and where.route.how == "triage"
    if not can_start_in(actor, definition.start_lane, unit, triage=triage):
        raise ForbiddenError(_("You may not report this kind of case in this unit."))
    start_form = deployed.form(definition.start_form)
    schema = start_form[0] if start_form is not None else {}
    if errors := (form_errors(schema, data) if start_form is not None else {}) or reference_errors(schema, data, unit):
        raise ValidationError(_("Some fields need your attention."), errors)
    result = _run(lambda: engine.start(definition, data, now=now))
    case = Case(
        case_type=version.key,
        process_version_id=version.id,
        org_unit_id=unit.id,
        org_unit=unit,
        title=_title(deployed, data),
        channel=channel,
        data={},
        state="",
        state_format=result.state_format,
        opened_at=now,
        opened_by_id=actor.id,
        **where.columns(),
        timer=None,  # a new case has none yet: known, so not read
    )
    set_committed_value(case, "open_tasks", [])
    db.session.add(case)
    db.session.flush()
    rows = RowWrites()
    rows.update(case, number=f"{definition.properties.get('numberPrefix', 'GC')}{local_day(now):%Y%m%d}{case.id:06d}")
    add_event(case, "started", actor=actor, now=now, payload=dict(data))
    link_references(case, schema, data)
    change = record_engine_result(case, deployed, result, submitted=data, actor=actor, now=now, rows=rows)
    rows.write()
    db.session.flush()
    return change


def record_engine_result(
    case: Case,
    deployed: Deployed,
    result: engine.EngineResult,
    *,
    submitted: dict[str, Any],
    actor: User | None,
    now: datetime,
    rows: RowWrites,
) -> Change:
    """Write the engine's new state, open and close inbox rows, schedule its timer, and log it all.

    The case's, its tasks' and its timer's rows go into `rows`, which the caller writes (app/cases/rows.py) with the
    events queued meanwhile: on PostgreSQL one statement, for a whole batch of cases in the timer worker. The task
    just completed (if any) is no longer open.
    """
    with db.session.no_autoflush:
        still_open = {t.id: t for t in open_tasks_of(case)}
        ready_ids = {r.id for r in result.ready}
        new = [ready for ready in result.ready if ready.id not in still_open]
        units = {r.id: candidate_unit(r.lane, case.org_unit) for r in new}
        values: dict[str, Any] = {"state": result.state, "state_format": result.state_format,
                                  "state_version": case.state_version + 1}  # fmt: skip
        merged = {**case.data, **submitted, **result.data}
        if merged != case.data:  # a timer usually changes nothing: no JSON to encode and write
            values["data"] = merged
        if result.ended:
            values.update(status=CaseStatus.CLOSED, closed_at=now)
        rows.update(case, **values)
        for task_id, task in still_open.items():
            if task_id not in ready_ids and task.status is TaskStatus.OPEN:
                rows.update(task, status=TaskStatus.CANCELLED)
                add_event(case, "task_cancelled", actor=None, now=now, task=task)
        calendar = work_calendar() if any(_deadline_of(deployed, r.bpmn_id) for r in new) else None
        opened = [_open_task(case, deployed, r, units[r.id], now=now, calendar=calendar) for r in new]
        for task in opened:
            rows.insert(task)
            add_event(case, "task_opened", actor=None, now=now, task=task)
        if result.ended:
            rollup.case_closed(case)
            add_event(case, "closed", actor=actor, now=now, payload={"archive": case.data})
            tell_reporters(case, now=now)
        _schedule_timer(case, None if result.ended else result.next_timer_at, rows)
    still = [t for t in still_open.values() if t.status is TaskStatus.OPEN]
    open_now = sorted([*still, *opened], key=lambda t: t.created_at)
    set_committed_value(case, "open_tasks", open_now)
    return Change(case=case, opened=opened, open_tasks=open_now)


def _deadline_of(deployed: Deployed, bpmn_id: str) -> engine.UserTaskSpec | None:
    spec = deployed.definition.user_tasks.get(bpmn_id)
    return spec if spec is not None and spec.deadline is not None else None


def _open_task(
    case: Case,
    deployed: Deployed,
    ready: engine.ReadyTask,
    unit: OrgUnit,
    *,
    now: datetime,
    calendar: WorkCalendar | None,
) -> Task:
    spec = deployed.definition.user_tasks.get(ready.bpmn_id)
    due_at = warn_at = None
    if spec is not None and spec.deadline is not None and calendar is not None:
        due_at = calendar.due_at(now, spec.deadline)
        warn_at = calendar.warn_at(now, due_at, spec.deadline, spec.warn_ratio)
    return new_row(
        Task,
        id=ready.id,
        case_id=case.id,
        bpmn_id=ready.bpmn_id,
        name=ready.name,
        role=ready.lane,
        org_unit_id=unit.id,
        org_unit=unit,
        assignee_id=None,
        assignee=None,
        status=TaskStatus.OPEN,
        form=spec.form.schema if spec and spec.form else None,
        created_at=now,
        due_at=due_at,
        warn_at=warn_at,
        supervised_at=None,
        alerted=ALERT_NONE,
        completed_at=None,
        completed_by_id=None,
        case=case,  # not through the backref: the case stays unchanged
    )  # every column given: the row is inserted as it stands (app/cases/rows.py), nothing left to load


def _schedule_timer(case: Case, fire_at: datetime | None, writes: RowWrites) -> None:
    """The case's timer row (loaded with the locked case): added, moved or removed."""
    timer = case.timer
    if timer is not None and fire_at is None:
        writes.delete(timer)
    elif timer is None and fire_at is not None:
        writes.insert(timer := Timer(case_id=case.id, fire_at=fire_at))
    elif timer is not None and timer.fire_at != fire_at:
        writes.update(timer, fire_at=fire_at)
    set_committed_value(case, "timer", timer if fire_at is not None else None)


def fire_cases_timers(cases: list[Case], *, now: datetime) -> list[Change]:
    """Run the timer events due at `now` of a batch of locked cases: the engine runs for each, then the units their
    new tasks land in are looked up for the whole batch in one statement, then each case is written (at the
    caller's commit).

    A case whose diagram fails at its timer is set aside, not the batch: the failure goes into its trail, its timer
    comes due again after TIMER_RETRY, and the rest fire. (Raising, as this did, rolled the batch back and stopped
    the worker; restarted, it met the same timer first and stopped again, and no timer in the county fired.)
    """
    runs, rows = [], RowWrites()
    for case in cases:
        deployed = deployed_version(case.process_version)
        try:
            runs.append((case, deployed, _run(partial(engine.fire_timers, deployed.definition, case.state, now=now))))
        except ProcessError as err:
            _timer_failed(case, err, now=now, rows=rows)
    open_ids = {t.id for case in cases for t in open_tasks_of(case)}
    prime_candidate_units({(r.lane, c.org_unit) for c, _d, res in runs for r in res.ready if r.id not in open_ids})
    changes = []
    for case, deployed, result in runs:
        add_event(case, "timer_fired", actor=None, now=now)
        changes.append(record_engine_result(case, deployed, result, submitted={}, actor=None, now=now, rows=rows))
    rows.write()
    return changes


def _timer_failed(case: Case, err: ProcessError, *, now: datetime, rows: RowWrites) -> None:
    current_app.logger.error("case %s: its timer could not fire: %s", case.number, err.message)
    add_event(case, "timer_failed", actor=None, now=now, payload={"reason": err.message})
    if case.timer is not None:
        rows.update(case.timer, fire_at=now + TIMER_RETRY)


def open_tasks_of(case: Case) -> list[Task]:
    """The case's open tasks, oldest first: already in memory when the case was locked or eager-loaded."""
    return list(case.open_tasks)


def history_of(case: Case) -> list[CaseEvent]:
    """The case's events, oldest first, with their actors (by name; not the actors' roles)."""
    return list(db.session.scalars(_history_statement(), {"case_id": case.id}))


@cache  # built once: building and keying this and the attachments' statement was about 7 % of a case page
def _history_statement() -> Select[tuple[CaseEvent]]:
    return (
        select(CaseEvent)
        .where(CaseEvent.case_id == bindparam("case_id"))
        .order_by(CaseEvent.id)
        .options(defaultload(CaseEvent.actor).lazyload(User.memberships))
    )


def _title(deployed: Deployed, data: dict[str, Any]) -> str:
    field = deployed.definition.properties.get("titleField")
    value = data.get(field) if field else None
    return (str(value) if value else deployed.definition.name)[:TITLE_MAX]


def _run(step: Any) -> engine.EngineResult:
    try:
        result: engine.EngineResult = step()
    except engine.EngineError as err:
        raise ProcessError(_("The process could not continue: %(reason)s", reason=str(err))) from err
    return result


def startable_units(user: User, start_role: str | None) -> list[OrgUnit]:
    """The grids where `user` may report a case whose start lane is `start_role`."""
    paths = sorted({m.org_unit.path for m in user.memberships if start_role is None or m.role == start_role})
    if not paths:
        return []
    stmt = (
        select(OrgUnit)
        .where(OrgUnit.kind.in_([OrgKind.GRID, OrgKind.EXCLUSIVE_GRID]))
        .where(OrgUnit.in_subtrees(paths))
        .order_by(OrgUnit.code)
    )
    return list(db.session.scalars(stmt))


def reports_some_type(user: User) -> bool:
    """Whether the menu offers `user` reporting: one statement (the newest versions' ids and hashes), their start
    lanes from the per-version cache."""
    return holds_start_lane(user, {deployed.definition.start_lane for deployed in newest_deployed().values()})


def startable_versions(user: User) -> list[ProcessVersion]:
    return [v for v in latest_versions() if startable_units(user, deployed_version(v).definition.start_lane)]
