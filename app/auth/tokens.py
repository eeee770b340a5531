"""Issue and check API bearer tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.auth.models import ApiToken
from app.extensions import db
from app.org.models import Membership, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, *, now: datetime, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=hours)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now))
    db.session.add(ApiToken(token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def user_for_token(token: str, *, now: datetime) -> User | None:
    # One round trip: the user and their memberships (with units) come with the token (units without their
    # boundary polygons: deferred by the model).
    stmt = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == _digest(token), ApiToken.expires_at > now, User.active)
        .options(joinedload(User.memberships).joinedload(Membership.org_unit))
    )
    return db.session.scalars(stmt).unique().first()


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def revoke_token(token: str) -> bool:
    result = db.session.execute(delete(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    return bool(getattr(result, "rowcount", 0))
