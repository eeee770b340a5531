"""Per-dialect connection setup, kept in one place."""

import time
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from app.extensions import db


def init_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    if engine.dialect.name == "postgresql":
        _describe_results_lazily(engine)
    ping_when_idle(engine)
    _end_reads_with_commit(app, engine)


def _describe_results_lazily(engine: Engine) -> None:
    """psycopg cursors whose `description` builds its column objects only when read (app/pg_cursor.py)."""
    from app.pg_cursor import LazilyDescribedCursor

    @event.listens_for(engine, "connect")
    def use_cursor(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.cursor_factory = LazilyDescribedCursor


PING_AFTER_IDLE_SECONDS = 5.0


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it sat idle for a while (SQLAlchemy's documented
    "pessimistic" handling, with a threshold).

    pool_pre_ping pings at every checkout: a round trip before every request, for connections that a busy
    server used a moment ago. A connection lost while idle (the database restarted, a firewall dropped it) is
    still caught before use: the failed ping makes the pool replace it, so the request never sees it.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def note_idle(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(str(err)) from err


_IDLE_SINCE = "gridcase_idle_since"  # ConnectionPoolEntry.info: monotonic time of the last checkin


_WROTE = "gridcase_wrote"  # Connection.info: a statement other than SELECT ran in the current transaction
_READS = ("SELECT", "BEGIN")  # SQLite's BEGIN IMMEDIATE (above) opens every transaction; it writes nothing


def _end_reads_with_commit(app: Flask, engine: Engine) -> None:
    """End a transaction that only read with COMMIT rather than the ROLLBACK the session's close would send.

    Both end a read-only transaction the same way, but psycopg forgets every prepared statement of the
    connection on ROLLBACK, so each request would have PostgreSQL plan its queries afresh (measured: 3 of the
    3.8 ms PostgreSQL spent on an inbox page). A transaction that wrote anything (or may have: any statement
    but a SELECT or BEGIN, savepoints included) is left alone: it is committed by its view or rolled back, as before.
    Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is removed.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def note_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:6].upper().startswith(_READS):
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def forget(conn: Any) -> None:
        # A connection the database dropped (a restart, pg_terminate_backend) is invalidated and its info goes with
        # it; reading conn.info then raises PendingRollbackError from inside the very rollback that would mend it.
        if not conn.invalidated:
            conn.info.pop(_WROTE, None)

    @app.teardown_appcontext
    def commit_reads(exc: BaseException | None) -> None:
        if exc is not None or not db.session.registry.has():
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        if not session.connection().info.get(_WROTE):
            session.commit()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (pysqlite's own handling breaks SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that read
        # first and writes later fails at once (SQLITE_BUSY_SNAPSHOT) when another
        # writer committed in between; waiting for the lock instead is what a case
        # lock needs, and SQLite has one writer anyway.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
