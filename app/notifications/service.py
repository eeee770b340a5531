"""Create, read and deliver notifications."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.cases.models import Case
from app.casetypes.models import ProcessVersion
from app.casetypes.names import task_name, value_label
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.senders import configured_senders, send_all
from app.org.models import User
from app.tasks.models import Task

KINDS = ("assigned", "warning", "overdue", "supervised", "returned", "case_outcome")


def notify(users: list[User], kind: str, *, task: Task, now: datetime, **params: Any) -> None:
    for user in {u.id: u for u in users}.values():
        db.session.add(Notification(
            user_id=user.id, kind=kind, case_id=task.case_id, task_id=task.id,
            params={"case_number": task.case.number, "task": task.name, "bpmn_id": task.bpmn_id,
                    "version_id": task.case.process_version_id, **params}, created_at=now,
        ))  # fmt: skip


def notify_outcome(users: list[User], *, case: Case, now: datetime, outcome: str) -> None:
    """A case someone else also reported is closed: tell them (no task is concerned)."""
    for user in {u.id: u for u in users}.values():
        db.session.add(Notification(user_id=user.id, kind="case_outcome", case_id=case.id, task_id=None,
                                    params={"case_number": case.number, "outcome": outcome,
                                            "version_id": case.process_version_id}, created_at=now))  # fmt: skip


def message(notification: Notification) -> str:
    """The notification in the reader's language: the step's name and the outcome's label from the case's version
    (a notification made before they were kept shows the names it stored)."""
    p = dict(notification.params)
    version = db.session.get(ProcessVersion, p["version_id"]) if p.get("version_id") else None
    if version is not None and p.get("bpmn_id"):
        p["task"] = task_name(version, p["bpmn_id"], p.get("task") or "")
    if version is not None and p.get("outcome"):
        p["outcome"] = value_label(version, "outcome", p["outcome"])
    texts = {
        "assigned": _("Task %(task)s of case %(case)s was assigned to you.", task=p.get("task"), case=p.get("case_number")),
        "warning": _("Task %(task)s of case %(case)s is close to its deadline.", task=p.get("task"), case=p.get("case_number")),
        "overdue": _("Task %(task)s of case %(case)s is overdue.", task=p.get("task"), case=p.get("case_number")),
        "supervised": _("Supervision notice on task %(task)s of case %(case)s: %(reason)s",
                        task=p.get("task"), case=p.get("case_number"), reason=p.get("reason", "")),
        "returned": _("Task %(task)s of case %(case)s was returned: %(reason)s",
                      task=p.get("task"), case=p.get("case_number"), reason=p.get("reason", "")),
        "case_outcome": _("Case %(case)s, which you also reported, is closed: %(outcome)s",
                          case=p.get("case_number"), outcome=p.get("outcome", "")),
    }  # fmt: skip
    return str(texts.get(notification.kind, notification.kind))


def unread_count(user: User) -> int:
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return int(db.session.scalar(stmt) or 0)


def latest(user: User, limit: int = 50) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def mark_all_read(user: User, *, now: datetime) -> None:
    db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=now)
    )


def deliver_pending(*, now: datetime, limit: int = 200) -> int:
    """Hand undelivered notifications to the extra senders (SMS, …); the in-app bell needs no delivery. Returns how
    many were delivered: one a sender failed on stays pending (app/notifications/senders.py send_all)."""
    stmt = (
        select(Notification).where(Notification.delivered_at.is_(None)).order_by(Notification.id).limit(limit)
        .with_for_update(skip_locked=True, of=Notification)
    )  # fmt: skip
    senders, delivered = configured_senders(), 0
    for notification in db.session.scalars(stmt).all():
        if send_all(senders, notification, message(notification)):
            notification.delivered_at = now
            delivered += 1
    db.session.flush()
    return delivered
