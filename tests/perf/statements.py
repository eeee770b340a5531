"""Count the SQL statements a request sends: the regression guard for round trips on hot paths."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event

from app.extensions import db

# Transaction bookkeeping, not work: tests run in an outer transaction, so app commits become savepoints.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The statements sent while the block runs (one entry per execute, an executemany counting once).

    Inside an app context (a service called directly) it uses that context: ending one of its own would end the
    context's session."""
    if has_app_context():
        engine = db.engine
    else:
        with app.app_context():
            engine = db.engine
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
