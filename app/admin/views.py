"""Administration pages: org units, users and roles, CSV import. Admins act within their own subtree."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.admin.audit_log import KIND_LABELS, AuditQuery, events_csv, visible_events
from app.admin.forms import ImportForm, UnitForm, UserForm
from app.admin.importer import import_csv
from app.admin.org_service import create_unit, move_unit, rename_unit, units_administered
from app.admin.user_service import (
    create_user,
    grant_role,
    may_change,
    may_manage,
    reset_password,
    revoke_role,
    set_active,
    users_managed,
)
from app.audit.service import KINDS, record
from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import NotFoundError, ValidationError, flash_errors
from app.extensions import db
from app.org.models import OrgKind, User
from app.org.permissions import is_admin, is_admin_of
from app.org.service import unit_by_code, user_by_username
from app.whole_numbers import whole

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _admin() -> User:
    user = signed_in_user()
    require(is_admin(user))
    return user


def _unit_choices(admin: User) -> list[tuple[str, str]]:
    return [(u.code, f"{u.name} ({u.code})") for u in units_administered(admin)]


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    _admin()
    return render_template("admin/index.html")


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units() -> ResponseReturnValue:
    admin = _admin()
    form = UnitForm()
    form.parent.choices = _unit_choices(admin)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            kind = OrgKind(form.kind.data) if form.kind.data in {k.value for k in OrgKind} else None
            unit = create_unit(form.code.data or "", form.name.data or "", kind, unit_by_code(form.parent.data or ""),
                               actor=admin, now=utcnow())  # fmt: skip
            db.session.commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
        except ValidationError as err:
            db.session.rollback()
            errors = err.fields
    status = 422 if request.method == "POST" else 200
    return render_template("admin/units.html", units=units_administered(admin), form=form, errors=errors), status


@bp.post("/units/<code>")
@login_required
def change_unit(code: str) -> ResponseReturnValue:
    admin = _admin()
    unit = unit_by_code(code)
    if unit is None or not is_admin_of(admin, unit):
        raise NotFoundError(_("Not found."))
    if request.form.get("parent"):
        parent = unit_by_code(request.form["parent"])
        if parent is None:
            raise ValidationError(_("Unknown org unit."), {"parent": _("Unknown org unit.")})
        move_unit(unit, parent, actor=admin, now=utcnow())
    else:
        rename_unit(unit, request.form.get("name", ""), actor=admin, now=utcnow())
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("admin.units"))


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:
    admin = _admin()
    form = UserForm()
    form.org_unit.choices = _unit_choices(admin)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = create_user(form.username.data or "", form.display_name.data or "", form.password.data or "",
                               form.role.data or "", unit_by_code(form.org_unit.data or ""), actor=admin,
                               now=utcnow())  # fmt: skip
            db.session.commit()
            return redirect(url_for("admin.user", username=user.username))
        except ValidationError as err:
            db.session.rollback()
            errors = err.fields
    status = 422 if request.method == "POST" else 200
    return render_template("admin/users.html", users=users_managed(admin), form=form, errors=errors), status


def _managed_user(admin: User, username: str) -> User:
    user = user_by_username(username)
    if user is None or not (may_manage(admin, user) and user.memberships):
        raise NotFoundError(_("No such user."))
    return user


@bp.get("/users/<username>")
@login_required
def user(username: str) -> ResponseReturnValue:
    admin = _admin()
    form = UserForm()
    form.org_unit.choices = _unit_choices(admin)
    target = _managed_user(admin, username)
    return render_template("admin/user.html", user=target, form=form, may_change=may_change(admin, target))


@bp.post("/users/<username>/<action>")
@login_required
def user_action(username: str, action: str) -> ResponseReturnValue:
    admin = _admin()
    target = _managed_user(admin, username)
    try:
        _change_user(admin, target, action)
    except ValidationError as err:  # back to the account's page, which says why (a password is not shown again)
        db.session.rollback()
        flash_errors(err)
        return redirect(url_for("admin.user", username=username))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("admin.user", username=username))


def _change_user(admin: User, target: User, action: str) -> None:
    now = utcnow()
    if action == "grant":
        grant_role(
            target, request.form.get("role", ""), unit_by_code(request.form.get("org_unit", "")), actor=admin, now=now
        )
    elif action == "revoke":
        revoke_role(target, request.form.get("membership", type=whole) or 0, actor=admin, now=now)
    elif action in ("deactivate", "activate"):
        set_active(target, action == "activate", actor=admin, now=now)
    elif action == "password":
        reset_password(target, request.form.get("password", ""), actor=admin, now=now)
    else:
        raise NotFoundError(_("Not found."))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_() -> ResponseReturnValue:
    admin = _admin()
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        content = form.file.data.read() if form.file.data else b""
        report = import_csv(
            form.kind.data or "units", content, actor=admin, now=utcnow(), dry_run=bool(form.dry_run.data)
        )
        db.session.commit()
    status = 422 if (report and report.errors) or form.errors else 200
    return render_template("admin/import.html", form=form, report=report), status


@bp.get("/audit")
@login_required
def audit() -> ResponseReturnValue:
    admin = _admin()
    query = AuditQuery.from_args(request.args)
    events = visible_events(admin, query, limit=500)
    if request.args.get("format") == "csv":
        record("export", now=utcnow(), user=admin, what="security_log", rows=len(events))
        db.session.commit()
        return Response(events_csv(events), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=security-log.csv"})  # fmt: skip
    return render_template("admin/audit.html", events=events, query=query, kinds=KINDS, labels=KIND_LABELS)
