"""Org-tree queries: who holds a role where, and whose inbox a task lands in."""

from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import event, func, select, tuple_
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.util import identity_key

from app.errors import NotFoundError
from app.extensions import db
from app.org.models import Membership, OrgUnit, User
from app.process_cache import ProcessCache, detached_copy

if TYPE_CHECKING:
    from app.tasks.models import Task

T = TypeVar("T")


def candidate_unit(role: str, unit: OrgUnit) -> OrgUnit:
    """The unit nearest to `unit` (itself or an ancestor) where someone holds `role`.

    So one diagram serves every township: a lane's role is looked up from the case's
    grid upwards. With no holder anywhere the task stays at the case's own unit,
    where a supervisor can assign it.

    Every new task asks this, and the answer changes only when someone joins, leaves or
    moves: each process keeps the answers it found for GRIDCASE_PLACEMENT_CACHE_SECONDS,
    as it keeps the working calendar. A change to memberships, users or units clears them
    in the changing process (other processes follow within that time); the changing
    transaction itself always asks the database.
    """
    memo = db.session.info.setdefault(_CANDIDATE_UNITS, {})
    key = (role, unit.id)
    if key in memo:  # the timer worker opens the same escalation task for a whole batch of cases
        return cast(OrgUnit, memo[key])
    placements = _placements()
    found = _remembered(placements, key, unit)
    if found is None:
        # From each ancestor (a handful of primary-key probes) to whether it has an active holder (an index probe
        # on membership by unit and role): never a scan of all memberships or users.
        held = (
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.org_unit_id == OrgUnit.id, Membership.role == role, User.active)
            .exists()
        )
        stmt = (
            select(OrgUnit)
            .where(OrgUnit.id.in_(unit.ancestor_ids()), held)
            .order_by(func.length(OrgUnit.path).desc())
            .limit(1)
        )
        found = db.session.scalars(stmt).first() or unit
        placements[key] = detached_copy(found)
    memo[key] = found
    return found


def _remembered(placements: dict[tuple[str, int], OrgUnit], key: tuple[str, int], unit: OrgUnit) -> OrgUnit | None:
    """The placement this process remembers for `key` ((role, `unit`'s id)), as this session's unit; None if none."""
    known = placements.get(key)
    if known is None:
        return None
    return unit if known.id == unit.id else _in_session(known)


def _in_session(kept: OrgUnit) -> OrgUnit:
    """A kept unit as this session's own: the one it already holds, else the copy merged in without a query."""
    held = db.session.identity_map.get(identity_key(OrgUnit, kept.id))
    return held if held is not None else db.session.merge(kept, load=False)


def prime_candidate_units(pairs: "set[tuple[str, OrgUnit]]") -> None:
    """`candidate_unit` for many (role, unit) pairs in one statement, remembered for the transaction.

    The timer worker opens tasks for a batch of cases in as many grids: what this process remembers (as
    `candidate_unit` does), then one query for the rest of the batch, not one per case.
    """
    memo = db.session.info.setdefault(_CANDIDATE_UNITS, {})
    placements = _placements()
    todo = {}
    for role, unit in pairs:
        if (key := (role, unit.id)) in memo:
            continue
        if (known := _remembered(placements, key, unit)) is not None:
            memo[key] = known
        else:
            todo[key] = unit
    if not todo:
        return
    wanted = {(role, ancestor) for (role, _id), unit in todo.items() for ancestor in unit.ancestor_ids()}
    holders = (
        select(Membership.role, Membership.org_unit_id)
        .join(User, User.id == Membership.user_id)
        .where(tuple_(Membership.role, Membership.org_unit_id).in_(sorted(wanted)), User.active)
        .distinct()
        .subquery()
    )
    stmt = select(holders.c.role, OrgUnit).join(OrgUnit, OrgUnit.id == holders.c.org_unit_id)
    held = {(role, held_unit.id): held_unit for role, held_unit in db.session.execute(stmt)}
    for (role, unit_id), unit in todo.items():
        # The nearest holder: ancestor ids run root first, the unit itself last.
        found = [held[(role, a)] for a in unit.ancestor_ids() if (role, a) in held]
        memo[(role, unit_id)] = nearest = found[-1] if found else unit
        placements[(role, unit_id)] = detached_copy(nearest)


_CANDIDATE_UNITS = "gridcase_candidate_units"  # session.info: (role, unit id) -> unit, for one transaction
_PLACEMENTS: ProcessCache[dict[tuple[str, int], OrgUnit]] = ProcessCache(
    "placements", "GRIDCASE_PLACEMENT_CACHE_SECONDS"
)


def _placements() -> dict[tuple[str, int], OrgUnit]:
    """This process's remembered answers of `candidate_unit` ((role, unit id) -> a detached copy of the unit, so a
    task landing above the case's own unit needs no query for it either), a fresh map every
    GRIDCASE_PLACEMENT_CACHE_SECONDS (a throwaway one for a transaction that changed the org tree)."""
    return _PLACEMENTS.kept_or(dict)


def forget_placements() -> None:
    """Drop this process's remembered placements (after an org change, or when the database was reset under it)."""
    _PLACEMENTS.forget()


_ORG_DERIVED: list[ProcessCache[Any]] = [_PLACEMENTS]


def derived_from_org(cache: ProcessCache[T]) -> ProcessCache[T]:
    """Have a change to users, memberships or units clear `cache` as it clears the placements."""
    _ORG_DERIVED.append(cache)
    return cache


@event.listens_for(Session, "before_flush")
def _note_org_edits(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Membership, User, OrgUnit)) for obj in changed):
        for cache in _ORG_DERIVED:
            cache.edited(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_candidate_units(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_CANDIDATE_UNITS, None)


def candidates(role: str, org_unit_id: int) -> list[User]:
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == role, Membership.org_unit_id == org_unit_id, User.active)
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt).unique())


def candidates_of(tasks: "list[Task]") -> "dict[str, list[User]]":
    """`candidates` for several tasks in one statement: task id -> its candidates."""
    pairs = {(t.role, t.org_unit_id) for t in tasks}
    if not pairs:
        return {}
    stmt = (
        select(Membership.role, Membership.org_unit_id, User)
        .join(User, User.id == Membership.user_id)
        .where(tuple_(Membership.role, Membership.org_unit_id).in_(sorted(pairs)), User.active)
        .order_by(User.username)
        .options(lazyload(User.memberships))
    )
    holders: dict[tuple[str, int], list[User]] = {pair: [] for pair in pairs}
    for role, unit_id, user in db.session.execute(stmt):
        holders[(role, unit_id)].append(user)
    return {t.id: holders[(t.role, t.org_unit_id)] for t in tasks}


def unit_by_code(code: str) -> OrgUnit | None:
    return db.session.scalars(select(OrgUnit).where(OrgUnit.code == code)).first()


def user_by_username(username: str) -> User | None:
    return db.session.scalars(select(User).where(User.username == username)).first()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("no such user")
    return user


def unit_path(parent: OrgUnit | None, unit_id: int) -> str:
    return f"{parent.path if parent else '/'}{unit_id}/"


def units_for_reassignment(user: User, task: "Task") -> list[OrgUnit]:
    """Units in the user's area, other than the task's own, where someone holds the task's role."""
    from app.org.permissions import jurisdiction_paths

    paths = jurisdiction_paths(user)
    stmt = (
        select(OrgUnit)
        .join(Membership, Membership.org_unit_id == OrgUnit.id)
        .where(Membership.role == task.role, OrgUnit.id != task.org_unit_id)
        .where(OrgUnit.in_subtrees(paths))
        .order_by(OrgUnit.code)
    )
    return list(db.session.scalars(stmt).unique())
