"""A pooled connection that sat idle is pinged at checkout and replaced when the database dropped it; one used a
moment ago is handed out without a round trip (app/database.py ping_when_idle)."""

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from app import database
from app.extensions import db


@pytest.fixture
def pool_of_one(app: Flask) -> Iterator[Engine]:
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("an SQLite connection is a file handle: the server cannot drop it")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    database.ping_when_idle(engine)
    yield engine
    engine.dispose()


def _drop_server_side(engine: Engine) -> int:
    """Let the server end the pooled connection's backend, as a database restart does."""
    with engine.connect() as conn:
        pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    killer = create_engine(engine.url)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()
    return pid


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    pool_of_one: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = _drop_server_side(pool_of_one)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection counts as idle
    with pool_of_one.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped


def test_a_connection_used_a_moment_ago_is_not_pinged(pool_of_one: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _drop_server_side(pool_of_one)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)  # nothing counts as idle: no ping
    with pytest.raises(OperationalError), pool_of_one.connect() as conn:
        conn.execute(text("SELECT 1"))
