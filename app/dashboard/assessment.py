"""Grid-worker assessment: a score per worker and period from the event log, with the scheme held as data.

The scheme (assessment_scheme.json) gives points per counted item; the items are:
- reported: cases the worker started in the period ('started' case events by them);
- completed: tasks the worker completed in the period;
- on_time / late: those completed tasks finished by / after their due time (a task without one is on time);
- overdue: tasks the worker holds (claimed or assigned), still open, whose due time fell in the period and has passed;
- returned: tasks the worker handed back in the period ('returned' case events by them).
Deductions are items with negative points (late, overdue, returned in the shipped scheme).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select

from app.cases.models import CaseEvent
from app.extensions import db
from app.org.models import Membership, OrgKind, OrgUnit, User
from app.tasks.models import Task, TaskStatus

ITEMS = {
    "reported": _l("Cases reported"),
    "completed": _l("Tasks completed"),
    "on_time": _l("Completed on time"),
    "late": _l("Completed late"),
    "overdue": _l("Overdue tasks held"),
    "returned": _l("Tasks handed back"),
}
SCHEME_FILE = Path(__file__).with_name("assessment_scheme.json")


@dataclass(frozen=True)
class Scheme:
    points: dict[str, float]
    top: int = 10


def load_scheme(path: Path = SCHEME_FILE) -> Scheme:
    raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
    points = raw.get("points", {})
    unknown = set(points) - set(ITEMS)
    if unknown or not all(isinstance(v, int | float) for v in points.values()):
        raise ValueError(f"{path}: points must be numbers for items among {sorted(ITEMS)}, not {sorted(unknown)}")
    return Scheme(points={k: float(v) for k, v in points.items()}, top=int(raw.get("top", 10)))


@dataclass
class Score:
    worker: User
    grid: OrgUnit
    counts: dict[str, int] = field(default_factory=dict)
    score: float = 0.0


def item_rows(worker_ids: list[int], start: datetime, end: datetime, now: datetime) -> dict[str, Select[Any]]:
    """Per item, the rows behind its count: (worker, at, case_id, what) — one row per point-earning event."""
    done = select(Task.completed_by_id.label("worker"), Task.completed_at.label("at"), Task.case_id.label("case_id"),
                  Task.name.label("what")).where(Task.completed_by_id.in_(worker_ids), Task.completed_at >= start,
                                                 Task.completed_at < end)  # fmt: skip
    late = and_(Task.due_at.is_not(None), Task.completed_at > Task.due_at)

    def events(kind: str) -> Select[Any]:
        return select(CaseEvent.actor_id.label("worker"), CaseEvent.at.label("at"), CaseEvent.case_id.label("case_id"),
                      CaseEvent.task_name.label("what")).where(CaseEvent.kind == kind, CaseEvent.at >= start,
                                                               CaseEvent.at < end, CaseEvent.actor_id.in_(worker_ids))  # fmt: skip

    overdue = select(Task.assignee_id.label("worker"), Task.due_at.label("at"), Task.case_id.label("case_id"),
                     Task.name.label("what")).where(Task.assignee_id.in_(worker_ids), Task.status == TaskStatus.OPEN,
                                                    Task.due_at >= start, Task.due_at < min(end, now))  # fmt: skip
    return {"reported": events("started"), "completed": done, "on_time": done.where(~late), "late": done.where(late),
            "overdue": overdue, "returned": events("returned")}  # fmt: skip


def _counts(worker_ids: list[int], start: datetime, end: datetime, now: datetime) -> dict[str, dict[int, int]]:
    counts = {}
    for item, stmt in item_rows(worker_ids, start, end, now).items():
        rows = stmt.subquery()
        grouped = select(rows.c.worker, func.count()).group_by(rows.c.worker)
        counts[item] = {int(key): int(n) for key, n in db.session.execute(grouped).tuples()}
    return counts


def score_of(worker: User, grid: OrgUnit, counts: dict[str, dict[int, int]], scheme: Scheme) -> Score:
    mine = {item: counts.get(item, {}).get(worker.id, 0) for item in ITEMS}
    total = sum(scheme.points.get(item, 0.0) * n for item, n in mine.items())
    return Score(worker=worker, grid=grid, counts=mine, score=total)


def _workers(township: OrgUnit) -> list[tuple[User, OrgUnit]]:
    stmt = (
        select(User, OrgUnit)
        .join(Membership, Membership.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.role == "grid_worker", User.active.is_(True))
        .where(OrgUnit.in_subtrees([township.path]))
        .order_by(User.username, OrgUnit.code)
    )
    first: dict[int, tuple[User, OrgUnit]] = {}
    for user, grid in db.session.execute(stmt).tuples():
        first.setdefault(user.id, (user, grid))  # a worker of several grids is ranked once, under the first
    return list(first.values())


def township_ranking(
    township: OrgUnit, start: datetime, end: datetime, scheme: Scheme, *, now: datetime
) -> list[Score]:
    """The township's grid workers, best score first (ties by username), at most `scheme.top`."""
    workers = _workers(township)
    counts = _counts([w.id for w, _grid in workers], start, end, now) if workers else {}
    scores = [score_of(worker, grid, counts, scheme) for worker, grid in workers]
    scores.sort(key=lambda s: (-s.score, s.worker.username))
    return scores[: scheme.top]


def townships_under(unit: OrgUnit) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.kind == OrgKind.TOWNSHIP, OrgUnit.in_subtrees([unit.path]))
    return list(db.session.scalars(stmt.order_by(OrgUnit.code)))
