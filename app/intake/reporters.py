"""Further reporters of a case (merged duplicates): who they are, and telling them when the case closes.

Imported by app/cases/service.py when a case ends, so it imports no service that imports that one.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.intake.models import CaseReporter
from app.notifications.service import notify_outcome


def reporters_of(case: Case) -> list[CaseReporter]:
    return list(db.session.scalars(select(CaseReporter).where(CaseReporter.case_id == case.id)
                                   .order_by(CaseReporter.id)))  # fmt: skip


def outcome_of(case: Case) -> str:
    """A short outcome for the notification: the diagram's `outcome`, or the answer given, or just 'closed'."""
    for key in ("outcome", "answer", "result"):
        value = case.data.get(key)
        if isinstance(value, str) and value:
            return str(value[:200])
    return str(_("closed"))


def tell_reporters(case: Case, *, now: datetime) -> None:
    """On closing: notify the further reporters who have accounts; the others stay listed for the return visit."""
    reporters = [r for r in reporters_of(case) if r.notified_at is None and r.user is not None]
    if not reporters:
        return
    notify_outcome([r.user for r in reporters if r.user is not None], case=case, now=now, outcome=outcome_of(case))
    for reporter in reporters:
        reporter.notified_at = now
