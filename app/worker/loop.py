"""One sweep of the worker, and the loop that repeats it. Commits once per unit of work."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.cases.events import add_event
from app.cases.locking import lock_due_cases
from app.cases.service import fire_cases_timers
from app.clock import utcnow
from app.extensions import db
from app.notifications.service import deliver_pending, notify
from app.tasks.models import ALERT_OVERDUE, ALERT_WARNING, Task, is_open, not_yet_alerted
from app.tasks.supervision import holders_of
from app.worker.models import Timer

# Tasks alerted per state per transaction. A sweep alerts at most this many and the next sweep follows at once while
# there are more, firing due timers first: a burst of alerts (the worker back after a stop; many warning times
# falling at the start of office hours) held due timers back for as long as it took (3.3 s for 146 + 146 under load).
ALERT_BATCH = 50
# Timers fired per transaction: large enough to amortise the round trips, small enough that a request
# waiting for one of these cases waits a fraction of a second at most.
TIMER_BATCH = 50
# Between full sweeps the worker wakes for the next timer due, but not sooner than this after its last look.
TIMER_WAIT = 0.05
# The longest wait after failed turns (`backoff`).
BACKOFF_MAX = 30.0

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Sweep:
    timers: int = 0
    warnings: int = 0
    overdue: int = 0
    delivered: int = 0

    @property
    def more_alerts(self) -> bool:
        """Whether a batch of alerts was full: there may be more to raise."""
        return ALERT_BATCH in (self.warnings, self.overdue)


def fire_due_timers(now: datetime, limit: int = TIMER_BATCH) -> int:
    """Claim a batch of due timers with their cases (skipping those another worker holds), fire them, commit once.

    Returns how many were fired. A case whose diagram fails rolls the batch back and raises, as one did alone.
    """
    cases = lock_due_cases(now, limit)
    fire_cases_timers(cases, now=now)
    db.session.commit()
    return len(cases)


def fire_all_due(now: datetime) -> int:
    """Fire every timer due at `now`, a batch per transaction; how many were fired."""
    fired = 0
    while batch := fire_due_timers(now):
        fired += batch
    return fired


def raise_deadline_alerts(now: datetime) -> tuple[int, int]:
    """Tell holders once when a task enters its warning time and once when it is overdue."""
    overdue = and_(Task.due_at.is_not(None), Task.due_at <= now)
    warning = and_(Task.warn_at.is_not(None), Task.warn_at <= now, or_(Task.due_at.is_(None), Task.due_at > now))
    counts = []
    # Earliest first, in the order of the state's own index (app/tasks/models.py): without it PostgreSQL, expecting
    # thousands of matches among the finished tasks' past deadlines, read the whole table to find the first batch.
    for state, condition, by in ((ALERT_OVERDUE, overdue, Task.due_at), (ALERT_WARNING, warning, Task.warn_at)):
        stmt = (
            select(Task).where(is_open(), condition, not_yet_alerted(state)).order_by(by).limit(ALERT_BATCH)
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
    result = Sweep(timers=fire_all_due(now))
    result.overdue, result.warnings = raise_deadline_alerts(now)
    result.delivered = deliver_pending(now=now)
    db.session.commit()
    return result


def next_timer_at() -> datetime | None:
    """When the earliest waiting timer comes due (an index probe on timer.fire_at)."""
    return db.session.scalar(select(func.min(Timer.fire_at)))


def pause(until_sweep: float, next_timer: datetime | None, now: datetime) -> float:
    """Seconds to sleep: until the next full sweep, or until the next timer comes due when that is sooner, but at
    least TIMER_WAIT, so that timers coming due close together fire in one batch."""
    wait = until_sweep
    if next_timer is not None:
        wait = min(wait, max(TIMER_WAIT, (next_timer - now).total_seconds()))
    return max(0.0, wait)


def run_forever(interval: float, log: Callable[[str], None], clock: Callable[[], datetime] = utcnow) -> None:
    """Run the worker's turns (`turns`) until the process is stopped: Ctrl-C or SIGTERM ends it even mid-sleep."""
    log(_("Worker started; sweeping every %(seconds)s s.", seconds=interval))
    for wait in turns(interval, log, clock):
        time.sleep(wait)


def turns(interval: float, log: Callable[[str], None], clock: Callable[[], datetime] = utcnow) -> Iterator[float]:
    """The worker's turns, each yielding the seconds to sleep before the next: a full sweep every `interval` seconds,
    and between sweeps each timer fired when it comes due, so a timer is late by the time it takes to fire, not by up
    to a whole interval.

    A turn that fails on the database is rolled back and logged, and the next comes after a backoff: gunicorn serves
    on through a database restart, and a worker that exited would leave timers and alerts stopped without a sign.
    """
    next_sweep, failures = time.monotonic(), 0
    while True:
        try:
            next_sweep = reconnecting(turn, next_sweep, interval, log, clock)
            wait = pause(next_sweep - time.monotonic(), next_timer_at(), clock())
        except SQLAlchemyError:
            failures += 1
            wait = backoff(failures)
            current_app.logger.exception("worker: turn failed (%d in a row); next try in %.0f s", failures, wait)
            db.session.rollback()
        else:
            if failures:
                current_app.logger.warning("worker: working again after %d failed turns", failures)
            failures = 0
        db.session.remove()
        yield wait


def turn(next_sweep: float, interval: float, log: Callable[[str], None], clock: Callable[[], datetime]) -> float:
    """A full sweep if one is due by `next_sweep` (monotonic), else the timers due now; when the next sweep is due."""
    if (started := time.monotonic()) >= next_sweep:
        done = sweep(clock())
        if done.timers or done.warnings or done.overdue:
            log(f"timers={done.timers} warnings={done.warnings} overdue={done.overdue} delivered={done.delivered}")
        return started + (0 if done.more_alerts else interval)
    if fired := fire_all_due(clock()):
        log(f"timers={fired}")
    return next_sweep


def reconnecting(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work`, tried once more at once when it failed because the database had dropped the connection (a restart,
    pg_terminate_backend): the worker sleeps between turns with its connection in the pool, where it dies unseen
    (app/database.py pings only connections idle longer than the worker sleeps). SQLAlchemy has then invalidated the
    pool, so the second try connects afresh; a failure that is already mended needs no backoff."""
    try:
        return work(*args, **kwargs)
    except DBAPIError as err:
        if not err.connection_invalidated:
            raise
        current_app.logger.warning("worker: the database connection was lost (%s); reconnecting", err.orig)
        db.session.rollback()
        return work(*args, **kwargs)


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` failed turns in a row: 1, 2, 4 … up to BACKOFF_MAX, so that a database down
    for long is tried every half minute instead of flooding the log, and one back soon is used soon."""
    return min(BACKOFF_MAX, 2.0 ** min(failures - 1, 16))
