"""Open311 clients: created by an admin command, each with a key shown once and a system account."""

import hashlib
import re
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.service import record
from app.errors import ForbiddenError, ValidationError
from app.extensions import db
from app.open311.models import Open311Client
from app.org.models import Membership, OrgUnit, User
from app.org.roles import INTAKE_CHANNEL_ROLE

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}\Z")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_client(name: str, unit: OrgUnit, *, now: datetime, actor: User | None = None) -> tuple[Open311Client, str]:
    """A new client and its key (returned once, stored only as a hash).

    Its system account holds `intake_channel` at `unit` and is inactive: it never signs in and is never
    a task candidate; it only stands as the reporter of the cases the client opens.
    """
    if not NAME.match(name):
        raise ValidationError(_("Some fields need your attention."),
                              {"name": _("Lower-case letters, digits, - and _, at most 40.")})  # fmt: skip
    username = f"open311-{name}"
    taken = db.session.scalars(select(User).where(User.username == username)).first()
    if taken is not None or db.session.scalars(select(Open311Client).where(Open311Client.name == name)).first():
        raise ValidationError(_("Some fields need your attention."), {"name": _("This name is taken.")})
    user = User(username=username, display_name=f"Open311 {name}", active=False, created_at=now)
    user.set_password(secrets.token_urlsafe(32))  # never told to anyone
    user.memberships.append(Membership(role=INTAKE_CHANNEL_ROLE, org_unit=unit))
    key = secrets.token_urlsafe(32)
    client = Open311Client(name=name, key_sha256=key_hash(key), active=True, user=user, created_at=now)
    db.session.add_all([user, client])
    db.session.flush()
    record("user_created", now=now, user=actor, target=username, role=INTAKE_CHANNEL_ROLE, unit=unit.code)
    return client, key


def set_client_active(client: Open311Client, active: bool, *, now: datetime, actor: User) -> None:
    """Stop (or resume) accepting a client's key; its cases stay as they are."""
    client.active = active
    record("user_activated" if active else "user_deactivated", now=now, user=actor, target=client.user.username)
    db.session.flush()


def client_for_key(key: str | None) -> Open311Client:
    """The active client holding `key`; 403 otherwise (as the spec answers a bad api_key)."""
    client = None
    if key:
        stmt = select(Open311Client).where(Open311Client.key_sha256 == key_hash(key), Open311Client.active)
        client = db.session.scalars(stmt).first()
    if client is None:
        raise ForbiddenError(_("Invalid api_key."))
    return client


def client_unit(client: Open311Client) -> OrgUnit:
    """The unit the client serves: where its account holds the intake channel role."""
    for membership in client.user.memberships:
        if membership.role == INTAKE_CHANNEL_ROLE:
            return membership.org_unit
    raise ForbiddenError(_("Invalid api_key."))
