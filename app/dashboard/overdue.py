"""Overdue open tasks by their case's unit and type, read for the whole county and kept per process for a few seconds.

Every dashboard page shows how many open tasks of its subtree's cases are overdue now, and the map how many cases of
each grid have one. Counting them visits every overdue task and its case: in the bench county (100,000 open tasks, a
tenth of them overdue) 35 to 70 ms of PostgreSQL per page, more than all the rest of the page, and a township's page
read nearly as many as the county's (the subtree is known only once a task's case is). Each process keeps the
county's rows for GRIDCASE_OVERDUE_CACHE_SECONDS and a page adds up those of its own subtree; a change to a case or
its tasks shows within those seconds, in every process alike. (Clearing them in the process that made the change, as
the rarely edited org tree's caches are, would have cleared them on nearly every request of a county's working day:
completions, claims and timers are what such a process mostly does. It promised nothing anyway: the next page may be
served by another process.)
"""

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, distinct, func, select
from sqlalchemy.orm import aliased

from app.cases.models import Case
from app.extensions import db
from app.org.models import OrgUnit
from app.process_cache import ProcessCache
from app.tasks.models import Task, is_overdue

# (the path of the case's unit, case type, overdue open tasks, cases with one or more of them)
Overdue = list[tuple[str, str, int, int]]

_KEPT: ProcessCache[tuple[datetime, Overdue]] = ProcessCache("overdue", "GRIDCASE_OVERDUE_CACHE_SECONDS")


@cache
def _statement() -> Select[Any]:
    unit = aliased(OrgUnit, name="case_unit")
    return (
        select(unit.path, Case.case_type, func.count(Task.id), func.count(distinct(Case.id)))
        .select_from(Task)
        .join(Case, Case.id == Task.case_id)
        .join(unit, unit.id == Case.org_unit_id)
        .where(is_overdue(bindparam("now", literal_execute=True)))
        .group_by(unit.path, Case.case_type)
    )


def overdue_within(path: str, now: datetime) -> Overdue:
    """The rows of the units of the subtree at `path`, as they were at `now` or at most the setting's seconds
    before it."""
    kept = _KEPT.get()
    fresh_for = timedelta(seconds=current_app.config["GRIDCASE_OVERDUE_CACHE_SECONDS"])
    if kept is None or not kept[0] <= now < kept[0] + fresh_for:
        found = db.session.execute(_statement(), {"now": now})
        rows = [(unit_path, case_type, int(n), int(cases)) for unit_path, case_type, n, cases in found]
        kept = _KEPT.keep((now, rows))
    return [row for row in kept[1] if row[0].startswith(path)]


def forget_overdue() -> None:
    """Drop this process's counts (when the database was reset under it)."""
    _KEPT.forget()
