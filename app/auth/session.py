"""Flask-Login wiring: session users for pages; bearer tokens are handled by the API."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import db, login_manager
from app.org.models import User


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.user_loader(load_user)  # registered by a call: Flask-Login ships no types
