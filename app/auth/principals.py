"""Who a request acts for: the user with their roles and units, kept per process for a few seconds.

Every request (API token or page session) checks permissions against its user's memberships and their units.
Reading them was most of what authenticating a request cost (a joined query of three tables, a row per
membership), for data that changes only when someone joins, leaves or moves. Each process keeps a detached copy
per user for GRIDCASE_USER_CACHE_SECONDS; a request merges it into its session without a query. Whether the token
is valid and the user active is still asked on every request (app/auth/tokens.py, app/auth/session.py), so a
revoked token or a deactivated user is refused at once everywhere. A change to users, memberships or units clears
the copies at once in the process that makes it and in the others within those seconds, as the placements of
app/org/service.py.
"""

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.org.models import Membership, User
from app.org.service import derived_from_org
from app.process_cache import ProcessCache, detached_copy

_USERS: ProcessCache[dict[int, User]] = derived_from_org(ProcessCache("users", "GRIDCASE_USER_CACHE_SECONDS"))


@cache  # built once (when the mappers are configured): a statement object reused skips being built and keyed again
def _user_statement() -> Select[tuple[User]]:
    return (
        select(User)
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.memberships).joinedload(Membership.org_unit))
    )


def user_with_roles(user_id: int) -> User | None:
    """The user, memberships and their units loaded, in this request's session."""
    users = _USERS.kept_or(dict)
    if (kept := users.get(user_id)) is not None:
        return db.session.merge(kept, load=False)
    user = db.session.scalars(_user_statement(), {"user_id": user_id}).unique().first()
    if user is not None:
        users[user_id] = _detached_copy(user)
    return user


def forget_users() -> None:
    """Drop this process's copies (when the database was reset under it)."""
    _USERS.forget()


def _detached_copy(user: User) -> User:
    """A copy of the loaded user, memberships and units that belongs to no session (shared, read only, by requests)."""
    copy = detached_copy(user)
    memberships = []
    for membership in user.memberships:
        kept = detached_copy(membership)
        set_committed_value(kept, "org_unit", detached_copy(membership.org_unit))
        set_committed_value(kept, "user", copy)
        memberships.append(kept)
    set_committed_value(copy, "memberships", memberships)
    return copy
