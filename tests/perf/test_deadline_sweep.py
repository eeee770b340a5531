"""The worker's deadline sweep reads its tasks through the indexes made for it: plans, not timings.

Every second the worker asks for open tasks that entered their warning time or passed their deadline and whose
holders were not yet told. Without these indexes the warning question read the whole task table each time.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, text

from app.clock import utcnow
from app.extensions import db
from app.tasks.models import ALERT_NONE, ALERT_OVERDUE, ALERT_WARNING, Task, TaskStatus
from app.worker.loop import raise_deadline_alerts
from tests.perf.statements import statements_with_parameters
from tests.perf.test_statement_counts import _start


def _sweep_statements(app: Flask, run: Any, now: datetime) -> list[tuple[str, Any]]:
    """The statements the sweep sends for tasks to alert, with their parameters as the driver received them."""
    with statements_with_parameters(app) as sent:
        run(raise_deadline_alerts, now)
    return [(st, params) for st, params in sent if st.lstrip().upper().startswith("SELECT") and "alerted" in st]


def _plan(statement: str, params: Any) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a test's table is small enough to read whole
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", params).all()
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def _told_backlog(case_id: int, now: datetime, count: int) -> None:
    """`count` open tasks of each state whose holders were told of it, and finished ones, as a county has; then
    ANALYZE, so that the planner knows how few rows each index holds."""
    day = timedelta(days=1)
    told = [
        (TaskStatus.OPEN, ALERT_OVERDUE, now - 20 * day),  # overdue for weeks
        (TaskStatus.OPEN, ALERT_WARNING, now + day / 2),  # in their warning time
        (TaskStatus.COMPLETED, ALERT_NONE, now - 20 * day),
    ]
    rows = [
        {"id": str(uuid.uuid4()), "case_id": case_id, "bpmn_id": "accept_and_assess", "name": "-", "role": "x",
         "org_unit_id": 1, "status": status, "created_at": now - 30 * day, "due_at": due, "warn_at": due - day,
         "alerted": alerted}
        for status, alerted, due in told for _ in range(count)
    ]  # fmt: skip
    db.session.execute(insert(Task.__table__), rows)
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def test_the_sweep_reads_only_the_tasks_it_may_alert_through_their_indexes(app: Flask, api: Any, run: Any) -> None:
    case_id = _start(api)["id"]  # its first task has a deadline and a warning time, not yet reached
    run(_told_backlog, case_id, utcnow(), 300)
    overdue, warning = _sweep_statements(app, run, utcnow())
    with app.app_context():
        plans = _plan(*overdue), _plan(*warning)
        postgresql = db.engine.dialect.name == "postgresql"
    # SQLite's planner takes the two-column (status, due_at) index for the overdue question whatever the sizes:
    # it still reads open tasks only, through an index, never the table.
    assert ("ix_task_to_mark_overdue" if postgresql else "SEARCH task USING INDEX") in plans[0], plans[0]
    assert "ix_task_to_warn" in plans[1], plans[1]
