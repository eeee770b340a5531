"""Record security events, and the sign-in throttle that reads them."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from app.audit.models import SecurityEvent
from app.extensions import db
from app.org.models import User

FAILED_LOGIN = "login_failed"
MAX_FAILURES = 5  # the 6th wrong password within the window is refused without being checked
FAILURE_WINDOW = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=1)

KINDS = ("login", FAILED_LOGIN, "login_locked", "logout", "token_issued", "token_revoked", "role_granted",
         "role_revoked", "user_created", "user_deactivated", "user_activated", "password_reset", "unit_created",
         "unit_changed", "import", "export", "reveal", "deploy", "deploy_refused", "cases_migrated")  # fmt: skip


def record(kind: str, *, now: datetime, user: User | None = None, username: str = "", ip: str = "",
           **detail: Any) -> None:  # fmt: skip
    db.session.add(SecurityEvent(at=now, kind=kind, user_id=user.id if user else None,
                                 username=(username or (user.username if user else ""))[:64], ip=ip[:45],
                                 detail=detail))  # fmt: skip


def is_locked_out(username: str, *, now: datetime) -> bool:
    """Too many failed sign-ins for this name lately: refuse before checking any password."""
    stmt = (
        select(func.count())
        .select_from(SecurityEvent)
        .where(
            SecurityEvent.username == username[:64],
            SecurityEvent.kind == FAILED_LOGIN,
            SecurityEvent.at > now - max(FAILURE_WINDOW, LOCKOUT),
        )
    )
    return int(db.session.scalar(stmt) or 0) >= MAX_FAILURES


def events_query(*, kind: str | None = None, username: str | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> Select[tuple[SecurityEvent]]:  # fmt: skip
    stmt = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    if username:
        stmt = stmt.where(SecurityEvent.username == username)
    if since:
        stmt = stmt.where(SecurityEvent.at >= since)
    if until:
        stmt = stmt.where(SecurityEvent.at < until)
    return stmt
