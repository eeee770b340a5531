"""Count the SQL statements a request sends: the regression guard for round trips on hot paths."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event

from app.extensions import db

# Transaction bookkeeping, not work: tests run in an outer transaction, so app commits become savepoints.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The statements sent while the block runs (one entry per execute, an executemany counting once), whitespace
    collapsed."""
    seen: list[str] = []
    with _listening(app, lambda statement, _params: seen.append(" ".join(statement.split()))):
        yield seen


@contextmanager
def statements_with_parameters(app: Flask) -> Iterator[list[tuple[str, Any]]]:
    """The statements sent while the block runs as the driver received them, each with its parameters (to EXPLAIN
    one as it was sent)."""
    seen: list[tuple[str, Any]] = []
    with _listening(app, lambda statement, params: seen.append((statement, params))):
        yield seen


@contextmanager
def _listening(app: Flask, note: Callable[[str, Any], None]) -> Iterator[None]:
    """`note(statement, parameters)` for each statement but the bookkeeping, while the block runs.

    Inside an app context (a service called directly) it uses that context: ending one of its own would end the
    context's session."""
    if has_app_context():
        engine = db.engine
    else:
        with app.app_context():
            engine = db.engine

    def before(_conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            note(statement, params)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
