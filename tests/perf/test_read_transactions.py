"""A request that only read ends its transaction with COMMIT, so psycopg keeps its prepared statements.

psycopg drops every prepared statement of a connection on ROLLBACK; a read request that the session's close
rolled back made PostgreSQL plan each query again on the next request (3 of 3.8 ms of its CPU per inbox page).
Real commits here (no per-test outer transaction), on every backend under test.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import delete, event, func, select, text

from app.extensions import db
from app.org.models import OrgUnit
from tests.conftest import Api
from tests.perf.statements import statements


@contextmanager
def transaction_ends(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    ends: list[str] = []

    def on_commit(_conn: Any) -> None:
        ends.append("commit")

    def on_rollback(_conn: Any) -> None:
        ends.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield ends
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def test_a_read_request_ends_with_commit(app: Flask) -> None:
    worker = Api(app.test_client(), "grid_worker_1")
    with transaction_ends(app) as ends:
        assert worker.get("/tasks?limit=5").status_code == 200
        assert worker.get("/me").status_code == 200
    assert ends == ["commit", "commit"]


def test_postgresql_keeps_the_prepared_statements_between_requests(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()  # one pooled connection for the requests below (a threaded test may have left several)
    worker = Api(app.test_client(), "grid_worker_1")
    for _ in range(12):  # psycopg prepares a statement on its fifth run on a connection
        assert worker.get("/tasks?limit=5").status_code == 200
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        db.session.commit()
    assert prepared and prepared >= 1


def test_a_write_left_uncommitted_is_still_rolled_back(app: Flask) -> None:
    """A view that wrote and then answered with an error (handled, so no exception reaches the teardown) loses it."""
    with transaction_ends(app) as ends, app.test_request_context("/"):
        county = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "county")).one()
        db.session.add(OrgUnit(code="990199999999", name="never", kind="township", parent=county, path="/x/"))
        db.session.flush()
    assert ends == ["rollback"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(OrgUnit.code == "990199999999")) == 0
        db.session.execute(delete(OrgUnit).where(OrgUnit.code == "990199999999"))
        db.session.commit()


def test_a_statement_that_is_not_a_select_counts_as_a_write(app: Flask) -> None:
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.execute(text("UPDATE org_unit SET name = name WHERE 1 = 0"))
    assert ends == ["rollback"]


def test_the_overdue_counts_are_planned_for_their_moment_never_prepared(app: Flask, monkeypatch: Any) -> None:
    """The moment goes into the SQL text (app/tasks/models.py `is_overdue`): a prepared statement's generic plan,
    blind to how few tasks are overdue, walked every case of the subtree."""
    monkeypatch.setitem(app.config, "GRIDCASE_OVERDUE_CACHE_SECONDS", 0)  # counted afresh for every page
    with app.app_context():
        db.engine.dispose()  # one pooled connection for the requests below
    leader = Api(app.test_client(), "leader")
    with statements(app) as seen:
        for _ in range(7):  # psycopg prepares a statement on its fifth run on a connection
            assert leader.get("/stats?period=month").status_code == 200
    texts = [statement for statement in seen if "CASE WHEN (task.status" in statement]
    assert len(texts) == 7 and len(set(texts)) == 7  # a text of its own each time
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            prepared = db.session.scalar(
                text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%CASE WHEN (task.status%'")
            )
            db.session.commit()
            assert prepared == 0
