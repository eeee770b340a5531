"""Typed re-exports of Flask-Login's helpers (it ships no type information)."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask_login import current_user as _current_user
from flask_login import login_required as _login_required

from app.errors import ForbiddenError
from app.org.models import User

F = TypeVar("F", bound=Callable[..., Any])


def login_required(view: F) -> F:
    return cast(F, _login_required(view))


def signed_in_user() -> User:
    return cast(User, _current_user._get_current_object())


def require(allowed: bool) -> None:
    """Authorise: a rule from app/org/permissions.py that must hold."""
    if not allowed:
        from flask_babel import gettext as _

        raise ForbiddenError(_("You may not do this."))
