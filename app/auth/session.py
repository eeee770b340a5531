"""Flask-Login wiring: session users for pages; bearer tokens are handled by the API."""

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from app.auth.principals import user_with_roles
from app.extensions import db, login_manager
from app.org.models import User

# Built once and run on the session's connection: a plain column needs none of the ORM's execution (half the cost).
_ACTIVE = select(User.active).where(User.id == bindparam("user_id"))


def load_user(user_id: str) -> User | None:
    """The session's user if still active (asked every request, so deactivation signs them out at once), with
    their roles and units as the API's (app/auth/principals.py)."""
    active = db.session.connection().scalar(_ACTIVE, {"user_id": int(user_id)}) if user_id.isdigit() else None
    return user_with_roles(int(user_id)) if active else None


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
