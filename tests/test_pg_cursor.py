"""psycopg cursors describe their result's columns only when the description is read (app/pg_cursor.py); what they
describe is what psycopg would, and SQLAlchemy's results are the same with them."""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select, text

from app.extensions import db
from app.org.models import OrgUnit
from app.pg_cursor import LazilyDescribedCursor


@pytest.fixture
def raw(app: Flask) -> Iterator[Any]:
    """The app's own pooled psycopg connection."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg is PostgreSQL's driver (SQLite's cursors are the sqlite3 module's)")
        connection = db.engine.raw_connection()
        try:
            yield connection.dbapi_connection
        finally:
            connection.close()


def test_the_description_is_psycopgs_own_once_read(raw: Any) -> None:
    lazy = raw.cursor()
    assert isinstance(lazy, LazilyDescribedCursor)
    plain = psycopg.Cursor(raw)
    query = "SELECT 1 AS n, 'x'::text AS label, now() AS at, NULL::json AS doc"
    lazy.execute(query)
    plain.execute(query)
    described, expected = lazy.description, plain.description
    assert described is not None and expected is not None
    assert len(described) == 4
    assert [tuple(c) for c in described] == [tuple(c) for c in expected]
    assert [c.name for c in described[1:3]] == ["label", "at"]
    raw.rollback()


def test_no_rows_no_description_and_no_columns_an_empty_one(raw: Any) -> None:
    cursor = raw.cursor()
    cursor.execute("CREATE TEMPORARY TABLE scratch (n int)")
    assert cursor.description is None
    cursor.execute("SELECT")  # rows of no columns: psycopg describes them as an empty list
    assert cursor.description is not None and list(cursor.description) == []
    raw.rollback()


def test_a_description_read_after_the_cursor_moved_on_is_refused(raw: Any) -> None:
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS first")
    stale = cursor.description
    cursor.execute("SELECT 2 AS second, 3 AS third")
    assert stale is not None and len(stale) == 1
    with pytest.raises(RuntimeError, match="moved on"):
        list(stale)
    raw.rollback()


def test_sqlalchemy_results_read_the_same(app: Flask) -> None:
    """A textual statement (SQLAlchemy reads the description to name the columns) and a compiled one run again
    (it keeps their names with the statement and does not)."""
    with app.app_context():
        assert dict(db.session.execute(text("SELECT 1 AS a, 'x' AS b")).mappings().one()) == {"a": 1, "b": "x"}
        statement = select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.id).limit(2)
        first = db.session.execute(statement).mappings().all()
        again = db.session.execute(statement).mappings().all()
        assert first == again and len(first) == 2 and set(first[0]) == {"code", "name"}
        db.session.rollback()
