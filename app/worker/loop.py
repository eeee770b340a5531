"""One sweep of the worker, and the loop that repeats it. Commits once per unit of work."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.cases.locking import lock_case
from app.cases.service import add_event, fire_case_timers
from app.clock import utcnow
from app.extensions import db
from app.notifications.service import deliver_pending, notify
from app.tasks.models import Task, TaskStatus
from app.tasks.supervision import holders_of
from app.worker.models import Timer

BATCH = 200


@dataclass
class Sweep:
    timers: int = 0
    warnings: int = 0
    overdue: int = 0
    delivered: int = 0


def fire_next_timer(now: datetime) -> bool:
    """Claim one due timer (skipping those another worker holds), fire it, commit."""
    stmt = select(Timer).where(Timer.fire_at <= now).order_by(Timer.fire_at).limit(1).with_for_update(skip_locked=True)
    timer = db.session.scalars(stmt).first()
    if timer is None:
        return False
    case = lock_case(timer.case_id)
    fire_case_timers(case, now=now)
    db.session.commit()
    return True


def raise_deadline_alerts(now: datetime) -> tuple[int, int]:
    """Tell holders once when a task enters its warning time and once when it is overdue."""
    open_ = Task.status == TaskStatus.OPEN
    overdue = and_(Task.due_at.is_not(None), Task.due_at <= now)
    warning = and_(Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at > now))
    counts = []
    for state, condition, already in (("overdue", overdue, ("overdue",)), ("warning", warning, ("warning", "overdue"))):
        stmt = (
            select(Task).where(open_, condition, Task.alerted.not_in(already)).limit(BATCH)
            .with_for_update(skip_locked=True, of=Task)
        )  # fmt: skip
        tasks = list(db.session.scalars(stmt).unique())
        for task in tasks:
            task.alerted = state
            add_event(task.case, f"task_{state}", actor=None, now=now, task=task)
            notify(holders_of(task), state, task=task, now=now)
        db.session.commit()
        counts.append(len(tasks))
    return counts[0], counts[1]


def sweep(now: datetime) -> Sweep:
    result = Sweep()
    while fire_next_timer(now):
        result.timers += 1
    result.overdue, result.warnings = raise_deadline_alerts(now)
    result.delivered = deliver_pending(now=now)
    db.session.commit()
    return result


def run_forever(interval: float, log: Callable[[str], None], clock: Callable[[], datetime] = utcnow) -> None:
    log(_("Worker started; sweeping every %(seconds)s s.", seconds=interval))
    while True:
        started = time.monotonic()
        done = sweep(clock())
        if done.timers or done.warnings or done.overdue:
            log(f"timers={done.timers} warnings={done.warnings} overdue={done.overdue} delivered={done.delivered}")
        db.session.remove()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
