"""Issue and check API bearer tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select

from app.auth.models import ApiToken
from app.auth.principals import user_with_roles
from app.extensions import db
from app.org.models import User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, *, now: datetime, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=hours)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now))
    db.session.add(ApiToken(token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=expires_at))
    db.session.flush()
    return token, expires_at


_TOKEN_USER = (
    select(ApiToken.user_id)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_sha256 == bindparam("digest"), ApiToken.expires_at > bindparam("now"), User.active)
)  # built once, like every statement each request runs; a plain column, run on the session's connection


def user_for_token(token: str, *, now: datetime) -> User | None:
    """The token's user, if the token is valid and the user active: asked on every request, so revoking a token
    or deactivating a user takes effect at once. Their roles and units come from app/auth/principals.py."""
    user_id = db.session.connection().scalar(_TOKEN_USER, {"digest": _digest(token), "now": now})
    return user_with_roles(user_id) if user_id is not None else None


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def revoke_token(token: str) -> bool:
    result = db.session.execute(delete(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    return bool(getattr(result, "rowcount", 0))
