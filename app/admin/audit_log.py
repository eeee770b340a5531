"""Reading the security log: an admin sees the events of the accounts in their area (all, at the top)."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from werkzeug.datastructures import MultiDict

from app.admin.user_service import users_managed
from app.audit.models import SecurityEvent
from app.audit.service import KINDS, events_query
from app.clock import local_iso
from app.dashboard.periods import Period
from app.date_range import filter_day
from app.extensions import db
from app.org.models import User
from app.org.permissions import is_top_admin
from app.spreadsheets import as_csv

KIND_LABELS = {
    "login": _l("Signed in"), "login_failed": _l("Failed sign-in"), "login_locked": _l("Sign-in refused (locked)"),
    "logout": _l("Signed out"), "token_issued": _l("API token issued"), "token_revoked": _l("API token revoked"),
    "role_granted": _l("Role granted"), "role_revoked": _l("Role removed"), "user_created": _l("User created"),
    "user_deactivated": _l("User deactivated"), "user_activated": _l("User activated"),
    "password_reset": _l("Password reset"), "unit_created": _l("Unit created"), "unit_changed": _l("Unit changed"),
    "import": _l("Import"), "export": _l("Export"), "reveal": _l("Personal data revealed"),
    "deploy": _l("Case type deployed"), "deploy_refused": _l("Deployment refused"),
    "cases_migrated": _l("Running cases migrated"),
}  # fmt: skip


@dataclass(frozen=True)
class AuditQuery:
    kind: str | None = None
    username: str | None = None
    day_from: date | None = None
    day_to: date | None = None

    @classmethod
    def from_args(cls, args: "MultiDict[str, str]") -> "AuditQuery":
        return cls(
            kind=args.get("kind") if args.get("kind") in KINDS else None,
            username=(args.get("username") or "").strip() or None,
            day_from=filter_day(args, "from"),
            day_to=filter_day(args, "to"),
        )


def visible_events(admin: User, query: AuditQuery, *, limit: int) -> list[SecurityEvent]:
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])  # the days the page shows: the county's
    since = Period(query.day_from, query.day_from).instants(tz)[0] if query.day_from else None
    until = Period(query.day_to, query.day_to).instants(tz)[1] if query.day_to else None
    stmt = events_query(kind=query.kind, username=query.username, since=since, until=until)
    if not is_top_admin(admin):
        managed = users_managed(admin)
        stmt = stmt.where(or_(SecurityEvent.user_id.in_([u.id for u in managed]),
                              SecurityEvent.username.in_([u.username for u in managed])))  # fmt: skip
    return list(db.session.scalars(stmt.limit(limit)))


def events_csv(events: list[SecurityEvent]) -> str:
    """The events as the statistics are exported (a byte-order mark; text shown, not run: a username typed at
    sign-in, say), at the county's local time with its offset, as the page shows them."""
    rows = [[local_iso(e.at), e.kind, e.username, e.ip, _detail(e)] for e in events]
    return as_csv([["at", "kind", "username", "ip", "detail"], *rows])


def _detail(event: SecurityEvent) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(event.detail.items()))
