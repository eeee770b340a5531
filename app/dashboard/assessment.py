"""Grid-worker assessment: a score per worker and period from the event log, with the scheme held as data.

The scheme (assessment_scheme.json) gives points per counted item; the items are:
- reported: cases the worker started in the period ('started' case events by them);
- completed: tasks the worker completed in the period;
- on_time / late: those completed tasks finished by / after their due time (a task without one is on time).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.cases.models import CaseEvent
from app.extensions import db
from app.org.models import Membership, OrgKind, OrgUnit, User
from app.tasks.models import Task

ITEMS = {
    "reported": _l("Cases reported"),
    "completed": _l("Tasks completed"),
    "on_time": _l("Completed on time"),
    "late": _l("Completed late"),
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


def _grouped(stmt: Any) -> dict[int, int]:
    return {int(key): int(n) for key, n in db.session.execute(stmt)}


def _counts(worker_ids: list[int], start: datetime, end: datetime) -> dict[str, dict[int, int]]:
    done = (Task.completed_by_id.in_(worker_ids), Task.completed_at >= start, Task.completed_at < end)
    late = (Task.due_at.is_not(None), Task.completed_at > Task.due_at)
    reported = select(CaseEvent.actor_id, func.count(CaseEvent.id)).where(
        CaseEvent.kind == "started", CaseEvent.actor_id.in_(worker_ids), CaseEvent.at >= start, CaseEvent.at < end
    )
    completed = select(Task.completed_by_id, func.count(Task.id)).where(*done)
    counts = {
        "reported": _grouped(reported.group_by(CaseEvent.actor_id)),
        "completed": _grouped(completed.group_by(Task.completed_by_id)),
        "late": _grouped(completed.where(*late).group_by(Task.completed_by_id)),
    }
    counts["on_time"] = {w: n - counts["late"].get(w, 0) for w, n in counts["completed"].items()}
    return counts


def _workers(township: OrgUnit) -> list[tuple[User, OrgUnit]]:
    stmt = (
        select(User, OrgUnit)
        .join(Membership, Membership.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.role == "grid_worker", User.active.is_(True))
        .where(OrgUnit.path.startswith(township.path, autoescape=True))
        .order_by(User.username, OrgUnit.code)
    )
    first: dict[int, tuple[User, OrgUnit]] = {}
    for user, grid in db.session.execute(stmt).tuples():
        first.setdefault(user.id, (user, grid))  # a worker of several grids is ranked once, under the first
    return list(first.values())


def township_ranking(township: OrgUnit, start: datetime, end: datetime, scheme: Scheme) -> list[Score]:
    """The township's grid workers, best score first (ties by username), at most `scheme.top`."""
    workers = _workers(township)
    counts = _counts([w.id for w, _grid in workers], start, end) if workers else {}
    scores = []
    for worker, grid in workers:
        mine = {item: counts.get(item, {}).get(worker.id, 0) for item in ITEMS}
        total = sum(scheme.points.get(item, 0.0) * n for item, n in mine.items())
        scores.append(Score(worker=worker, grid=grid, counts=mine, score=total))
    scores.sort(key=lambda s: (-s.score, s.worker.username))
    return scores[: scheme.top]


def townships_under(unit: OrgUnit) -> list[OrgUnit]:
    stmt = select(OrgUnit).where(OrgUnit.kind == OrgKind.TOWNSHIP, OrgUnit.path.startswith(unit.path, autoescape=True))
    return list(db.session.scalars(stmt.order_by(OrgUnit.code)))
