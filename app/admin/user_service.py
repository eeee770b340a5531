"""Accounts and roles within an admin's area: one person, one account (一人一号), every change logged."""

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.audit.service import record
from app.auth.models import ApiToken
from app.auth.passwords import password_problem
from app.auth.session import end_sessions
from app.errors import ForbiddenError, ValidationError
from app.extensions import db
from app.org.models import Membership, OrgUnit, User
from app.org.permissions import is_admin_of
from app.org.roles import ROLES
from app.org.service import user_by_username

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,63}\Z")


def may_manage(admin: User, user: User) -> bool:
    """An admin manages the accounts whose every role lies in the admin's area (and new, role-less ones)."""
    return all(is_admin_of(admin, m.org_unit) for m in user.memberships)


def may_change(admin: User, user: User) -> bool:
    """An admin changes the roles, state and password of the accounts they manage, except their own."""
    return may_manage(admin, user) and admin.id != user.id


def _require_manage(admin: User, user: User) -> None:
    if not may_change(admin, user):
        raise ForbiddenError(_("You may not change this account."))


def new_user_problems(username: str, display_name: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not USERNAME.match(username):
        errors["username"] = _("Use 3 to 64 lower-case letters, digits, '.', '-' or '_', starting with a letter.")
    elif user_by_username(username) is not None:
        errors["username"] = _("This username is taken.")
    if not display_name.strip() or len(display_name) > 120:
        errors["display_name"] = _("A name is required (at most 120 characters).")
    if problem := password_problem(password, username):
        errors["password"] = problem
    return errors


def role_problems(admin: User, role: str, unit: OrgUnit | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = _("Unknown role.")
    if unit is None:
        errors["org_unit"] = _("Unknown org unit.")
    elif not is_admin_of(admin, unit):
        errors["org_unit"] = _("Choose a unit in your own area.")
    return errors


def create_user(username: str, display_name: str, password: str, role: str, unit: OrgUnit | None, *,
                actor: User, now: datetime) -> User:  # fmt: skip
    errors = new_user_problems(username, display_name, password) | role_problems(actor, role, unit)
    if errors or unit is None:  # role_problems names a missing unit
        raise ValidationError(_("Some fields need your attention."), errors)
    user = User(username=username, display_name=display_name.strip(), created_at=now, active=True)
    user.set_password(password)
    user.memberships.append(Membership(role=role, org_unit=unit, org_unit_id=unit.id))
    db.session.add(user)
    db.session.flush()
    record("user_created", now=now, user=actor, target=username, role=role, unit=unit.code)
    return user


def grant_role(user: User, role: str, unit: OrgUnit | None, *, actor: User, now: datetime) -> Membership:
    _require_manage(actor, user)
    errors = role_problems(actor, role, unit)
    if errors or unit is None:
        raise ValidationError(_("Some fields need your attention."), errors)
    if any(m.role == role and m.org_unit_id == unit.id for m in user.memberships):
        raise ValidationError(
            _("Some fields need your attention."), {"role": _("The user already holds this role there.")}
        )
    membership = Membership(role=role, org_unit=unit, org_unit_id=unit.id)
    user.memberships.append(membership)
    db.session.flush()
    record("role_granted", now=now, user=actor, target=user.username, role=role, unit=unit.code)
    return membership


def revoke_role(user: User, membership_id: int, *, actor: User, now: datetime) -> None:
    _require_manage(actor, user)
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        raise ValidationError(_("Some fields need your attention."), {"role": _("No such role.")})
    record(
        "role_revoked", now=now, user=actor, target=user.username, role=membership.role, unit=membership.org_unit.code
    )
    user.memberships.remove(membership)
    db.session.flush()


def set_active(user: User, active: bool, *, actor: User, now: datetime) -> None:
    _require_manage(actor, user)
    user.active = active
    if not active:  # a deactivated account keeps no API access, nor a page session to revive when reactivated
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
        end_sessions(user.id, now=now)
    record("user_activated" if active else "user_deactivated", now=now, user=actor, target=user.username)
    db.session.flush()


def reset_password(user: User, password: str, *, actor: User, now: datetime) -> None:
    _require_manage(actor, user)
    if problem := password_problem(password, user.username):
        raise ValidationError(_("Some fields need your attention."), {"password": problem})
    user.set_password(password)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    end_sessions(user.id, now=now)  # whoever signed in with the old password is signed out
    record("password_reset", now=now, user=actor, target=user.username)
    db.session.flush()


def users_managed(admin: User) -> list[User]:
    """Accounts with a role in the admin's area, by username."""
    paths = sorted({m.org_unit.path for m in admin.memberships if m.role == "admin"})
    if not paths:
        return []
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(OrgUnit.in_subtrees(paths))
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt).unique())
