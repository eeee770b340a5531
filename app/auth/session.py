"""Flask-Login wiring: session users for pages; bearer tokens are handled by the API."""

from datetime import datetime

from flask import Flask, Request, current_app, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from app.auth.principals import user_with_roles
from app.clock import utcnow
from app.extensions import db, login_manager
from app.org.models import User

# Built once and run on the session's connection: plain columns need none of the ORM's execution (half the cost).
_STANDING = select(User.active, User.sessions_since).where(User.id == bindparam("user_id"))
SIGNED_IN_AT = "signed_in_at"  # in the session: when this browser signed in (seconds since the epoch)


def load_user(user_id: str) -> User | None:
    """The session's user, with their roles and units as the API's (app/auth/principals.py), while the session
    stands (asked every request): the user still active, signed in after their sessions were last ended
    (`end_sessions`) and at most PERMANENT_SESSION_LIFETIME ago, however often the cookie was renewed since."""
    row = db.session.connection().execute(_STANDING, {"user_id": int(user_id)}).first() if user_id.isdigit() else None
    signed_in = session.get(SIGNED_IN_AT)
    if row is None or not row.active or not isinstance(signed_in, int | float):
        return None
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if utcnow().timestamp() - signed_in > lifetime or (
        row.sessions_since and signed_in < row.sessions_since.timestamp()
    ):
        return None
    return user_with_roles(int(user_id))


def start_session() -> None:
    """Note when this browser signed in (after `login_user`)."""
    session[SIGNED_IN_AT] = utcnow().timestamp()


def end_sessions(user_id: int, *, now: datetime) -> None:
    """End every page session of the user, in every browser: sign-out, a new password, deactivation."""
    db.session.execute(update(User).where(User.id == user_id).values(sessions_since=now))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request without the cookie (every API request, a page's first)
    gets its empty session without Flask building the cookie's signer first."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_login(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.user_loader(load_user)  # registered by a call: Flask-Login ships no types
