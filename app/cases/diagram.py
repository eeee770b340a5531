"""Where a case is in its diagram: completed, current and overdue elements, for the bpmn-js viewer's markers."""

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.cases.models import Case, CaseEvent
from app.cases.service import open_tasks_of
from app.extensions import db
from app.tasks.inbox import task_state


def viewer_installed() -> bool:
    """bpmn-js is fetched from npm by `make run`/`make vendor`; without it the case page shows no diagram."""
    static = Path(current_app.static_folder or "")
    return (static / "vendor" / "bpmn-js" / "bpmn-navigated-viewer.production.min.js").is_file()


def diagram_markers(case: Case, *, now: datetime) -> dict[str, list[str]]:
    """BPMN ids by marker: tasks completed so far, open tasks, and open tasks past their deadline.

    A task done before and open again (a loop) is shown as open: that is where the case is.
    """
    stmt = select(CaseEvent.task_bpmn_id).where(
        CaseEvent.case_id == case.id, CaseEvent.kind == "completed", CaseEvent.task_bpmn_id.is_not(None)
    )
    done = {bpmn_id for bpmn_id in db.session.scalars(stmt) if bpmn_id}
    open_tasks = open_tasks_of(case)
    overdue = {t.bpmn_id for t in open_tasks if task_state(t, now) == "overdue"}
    current = {t.bpmn_id for t in open_tasks} - overdue
    return {"completed": sorted(done - current - overdue), "current": sorted(current), "overdue": sorted(overdue)}
