"""Appending to a case's audit trail (case_event, 全程留痕): queued per session, written in batches.

Nothing reads an event's id back while writing, so events are not ORM objects on the way in: `add_event` queues a
row on the session, and the queue goes out as one batched INSERT (one statement for all the rows, sent in one round
trip; no RETURNING, no identity map, no unit-of-work sorting) with an engine step's own rows (app/cases/rows.py) or
right after the session's next flush, so after the case rows it refers to. It is also written before any ORM query
the transaction runs (as autoflush would) and at commit, so the transaction sees its own events exactly as it would
see rows added to the session. A rollback drops the queue; a savepoint's rollback drops what was queued since the
savepoint began (what was queued before is written before it). The timer worker's batch of fifty cases writes its
hundred events in one statement; a task completion its two or three.
"""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from app.cases.models import Case, CaseEvent
from app.dashboard import rollup
from app.extensions import db
from app.org.models import User
from app.tasks.models import Task

_QUEUE = "gridcase_case_events"  # session.info: event rows not yet written, in the order they happened


# What each kind of event is called in a case's history (the API gives the kind itself).
EVENT_LABELS = {
    "started": _l("Reported"), "task_opened": _l("Task opened"), "claimed": _l("Claimed"),
    "unclaimed": _l("Released"), "assigned": _l("Assigned"), "reassigned": _l("Sent to another unit"),
    "completed": _l("Completed"), "task_cancelled": _l("Task cancelled"), "closed": _l("Case closed"),
    "migrated": _l("Moved to a newer version"), "attachment_added": _l("Attachment added"),
    "routed": _l("Sent to its grid"), "reporter_added": _l("Further reporter added (merged duplicate)"),
    "duplicate_kept_separate": _l("Kept separate from similar open cases"),
    "answered_from_knowledge": _l("Answered from the knowledge base"), "supervised": _l("Supervision notice"),
    "returned": _l("Returned"), "open311_received": _l("Received from a citizens' app (Open311)"),
    "timer_fired": _l("Time limit reached (timer)"), "timer_failed": _l("Timer could not fire; retried later"),
}  # fmt: skip


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def add_event(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    now: datetime,
    task: Task | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    row = {
        "case_id": case.id,
        "at": now,
        "actor_id": actor.id if actor else None,
        "kind": kind,
        "task_id": task.id if task else None,
        "task_bpmn_id": task.bpmn_id if task else None,
        "task_name": task.name if task else None,
        "payload": payload or {},
    }
    session = db.session()
    session.info.setdefault(_QUEUE, []).append((session.get_nested_transaction(), row))
    rollup.event_added(case, row)


def write_queued(session: Session, transaction: SessionTransaction | None = None) -> None:
    """Write the queued events now, on `transaction`'s connection (default: the session's current one)."""
    if rows := take_queued(session):
        connection = transaction.connection(None) if transaction else session.connection()
        connection.execute(insert(CaseEvent), rows)


def take_queued(session: Session) -> list[dict[str, Any]]:
    """The queued events' rows, no longer queued: for a caller that writes them now with its own rows
    (app/cases/rows.py writes an engine step's rows and events in one statement)."""
    return [row for _savepoint, row in session.info.pop(_QUEUE, ())]


def _after_flush(session: Session, _context: Any) -> None:
    write_queued(session)


def _before_query(state: ORMExecuteState) -> None:
    # As autoflush does for rows added to the session (and not inside `no_autoflush`, so a change's own look-ups
    # do not split its batch).
    if _QUEUE in state.session.info and state.session.autoflush:
        write_queued(state.session)


def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # What was queued before a savepoint is written before it, so that its rollback cannot take it along.
    if transaction.nested and transaction.parent is not None and _QUEUE in session.info:
        write_queued(session, transaction.parent)


def _before_commit(session: Session) -> None:
    if _QUEUE in session.info:
        session.flush()  # the case an event refers to is written first (the flush writes the queue after it)
        write_queued(session)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """A rollback drops what was queued inside it (a savepoint's: only what was queued since it began)."""
    if not previous.nested:
        session.info.pop(_QUEUE, None)
    elif queued := session.info.get(_QUEUE):
        queued[:] = [(savepoint, row) for savepoint, row in queued if not _inside(savepoint, previous)]


def _inside(transaction: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


def install() -> None:
    """Hook the writing into every session (idempotent)."""
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _before_query),
                     ("after_transaction_create", _before_savepoint), ("before_commit", _before_commit),
                     ("after_soft_rollback", _after_soft_rollback)):  # fmt: skip
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


install()
