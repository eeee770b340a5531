"""Signing in, with the failed-attempt throttle and the security log."""

from dataclasses import dataclass
from datetime import datetime

from app.audit.service import FAILED_LOGIN, is_locked_out, record
from app.auth.tokens import authenticate
from app.org.models import User


@dataclass(frozen=True)
class SignIn:
    user: User | None
    locked: bool = False


def sign_in(username: str, password: str, *, now: datetime, ip: str, channel: str) -> SignIn:
    """Check a password unless the name is locked out; log the outcome. The caller commits."""
    name = username.strip()[:64]
    if is_locked_out(name, now=now):
        record("login_locked", now=now, username=name, ip=ip, channel=channel)
        return SignIn(None, locked=True)
    user = authenticate(name, password)
    if user is None:
        record(FAILED_LOGIN, now=now, username=name, ip=ip, channel=channel)
        return SignIn(None)
    record("login", now=now, user=user, ip=ip, channel=channel)
    return SignIn(user)
