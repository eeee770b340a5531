"""A value each process reuses for a few seconds: the working calendar, where a role's tasks land.

Data that changes rarely but is read on every change of a case is kept per process for a configured number of
seconds. A transaction that changes its source neither reads nor keeps it (it must see its own, uncommitted, rows),
and clears it in its own process at once and again when it ends, committed or not; other processes follow within
the configured time.
"""

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from app.extensions import db

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, name: str, seconds_setting: str) -> None:
        self.key = f"gridcase_{name}"  # app.extensions: (since, monotonic seconds; the value)
        self.edited_key = f"gridcase_{name}_edited"  # session.info: this transaction changed the source
        self.seconds_setting = seconds_setting
        event.listen(Session, "after_transaction_end", self._after_transaction_end)

    def get(self) -> T | None:
        """The value this process keeps, if it is fresh and this transaction did not change its source."""
        if db.session.info.get(self.edited_key):
            return None
        cached = current_app.extensions.get(self.key)
        if cached is None or time.monotonic() - cached[0] >= current_app.config[self.seconds_setting]:
            return None
        value: T = cached[1]
        return value

    def keep(self, value: T, since: float | None = None) -> T:
        """Keep `value` (read at monotonic time `since`, default now) unless this transaction changed its source."""
        if not db.session.info.get(self.edited_key):
            current_app.extensions[self.key] = (time.monotonic() if since is None else since, value)
        return value

    def kept_or(self, fresh: Callable[[], T]) -> T:
        """The value this process keeps, else `fresh()`, kept from now on (a throwaway one for a transaction that
        changed the source): for a map that fills as it is read."""
        value = self.get()
        return value if value is not None else self.keep(fresh())

    def edited(self, session: Session | None = None) -> None:
        """The transaction of `session` (default: the current one) changed the source."""
        (session or db.session()).info[self.edited_key] = True
        if has_app_context():
            self.forget()

    def forget(self) -> None:
        """Drop this process's value (after a change, or when the database was reset under it)."""
        current_app.extensions.pop(self.key, None)

    def _after_transaction_end(self, session: Session, transaction: Any) -> None:
        # Committed or not, a change's transaction is over: the next reader reads afresh.
        if transaction.parent is None and session.info.pop(self.edited_key, False) and has_app_context():
            self.forget()


def detached_copy(obj: T) -> T:
    """A new instance holding `obj`'s loaded column values as if freshly loaded (deferred ones stay unloaded),
    belonging to no session: shared read-only by a process's requests, each merging it into its own session with
    `Session.merge(obj, load=False)`, which sends no query."""
    state = instance_state(obj)
    copy: T = state.mapper.class_manager.new_instance()
    for attr in state.mapper.column_attrs:
        if attr.key in state.dict:
            set_committed_value(copy, attr.key, state.dict[attr.key])
    make_transient_to_detached(copy)
    return copy
