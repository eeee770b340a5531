"""A batch of due timers reads its own cases only, however many timers are due: a plan, not a timing.

The worker claims fifty due timers at a time (app/cases/locking.py `lock_due_cases`). It locked the join of every
due timer with its case and sorted that before taking fifty: each batch cost the whole backlog (15 ms of
PostgreSQL per batch with 1,500 due), and a backlog is when a batch must be cheap (the worker back after a stop).
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from app.cases.locking import lock_due_cases
from app.clock import utcnow
from app.extensions import db
from tests.perf.statements import statements, statements_with_parameters
from tests.perf.test_statement_counts import _start

BACKLOG, BATCH = 240, 50


def _due_backlog(case_id: int) -> None:
    """`BACKLOG` copies of the case, each with a timer an hour overdue."""
    copies = text("""
        INSERT INTO "case" (number, case_type, process_version_id, org_unit_id, title, status, priority, channel,
                            data, state, state_format, state_version, opened_at)
        SELECT number || '-' || n, case_type, process_version_id, org_unit_id, title, status, priority, channel,
               data, state, state_format, state_version, opened_at
        FROM "case", generate_series(1, :count) AS n WHERE id = :case_id""")
    db.session.execute(copies, {"count": BACKLOG, "case_id": case_id})
    db.session.execute(
        text("""INSERT INTO timer (case_id, fire_at) SELECT id, :at FROM "case" WHERE number LIKE '%-%'"""),
        {"at": utcnow() - timedelta(hours=1)},
    )
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _cases_read(app: Flask) -> tuple[int, int]:
    """Cases the batch claimed, and case rows its statement read (EXPLAIN ANALYZE of the very statement sent)."""
    with app.app_context():
        with statements_with_parameters(app) as sent:
            claimed = len(lock_due_cases(utcnow(), BATCH))
        db.session.rollback()
        [(statement, params)] = [(st, params) for st, params in sent if "FOR UPDATE" in st]  # the claim
        plan = db.session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE) {statement}", params).scalars().all()
        db.session.rollback()
    [case_scan] = [line for line in plan if re.search(r'Scan .*on "case"', line)]
    return claimed, sum(int(n) * int(loops) for n, loops in re.findall(r"rows=(\d+) loops=(\d+)", case_scan))


def test_a_batch_reads_its_own_cases_not_the_backlog(app: Flask, api: Any, run: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks and plans with row counts: PostgreSQL runs this test")
    run(_due_backlog, _start(api)["id"])
    claimed, read = _cases_read(app)
    assert claimed == BATCH
    assert read <= BATCH, f"the batch read {read} case rows for {BATCH} due timers"


def test_a_batch_reads_its_open_tasks_from_the_task_table_alone(app: Flask, api: Any, run: Any) -> None:
    """Their case is the one just locked; joined as a Task's defaults join them, each case came again with its data."""
    case_id = _start(api)["id"]
    run(_due_now, case_id)
    with app.app_context():
        with statements(app) as sent:
            [case] = lock_due_cases(utcnow(), BATCH)
        [task_read] = [s for s in sent if s.startswith("SELECT") and " FROM task " in s]
        assert " JOIN " not in task_read
        assert case.id == case_id and [t.case for t in case.open_tasks] == [case]
        assert [t.bpmn_id for t in case.open_tasks] == ["accept_and_assess"]
        db.session.rollback()


def _due_now(case_id: int) -> None:
    db.session.execute(
        text("INSERT INTO timer (case_id, fire_at) VALUES (:case_id, :at)"),
        {"case_id": case_id, "at": utcnow() - timedelta(minutes=1)},
    )
    db.session.commit()
