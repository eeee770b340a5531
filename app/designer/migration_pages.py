"""The designer's page for migrating running cases between versions (routes on the designer blueprint)."""

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth.guards import login_required, signed_in_user
from app.clock import utcnow
from app.designer.migration import dry_run, migrate_cases
from app.designer.service import get_version, version_rows
from app.designer.views import bp
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.whole_numbers import whole


def _version_number(name: str, value: str | None) -> int:
    try:
        return whole(value or "")
    except ValueError:
        raise ValidationError(_("Some fields need your attention."), {name: _("Choose a version.")}) from None


@bp.get("/<key>/migrate")
@login_required
def migrate_page(key: str) -> ResponseReturnValue:
    rows = version_rows(key).get(key)
    if not rows:
        raise NotFoundError(_("No such case type."))
    if "source" not in request.args:
        return render_template("designer/migrate.html", key=key, rows=rows, source=None, target=None, moves=None)
    try:
        source = get_version(key, _version_number("source", request.args.get("source")))
        target = get_version(key, _version_number("target", request.args.get("target")))
        moves = dry_run(source, target)
    except ValidationError as err:  # the page again, the choice beside its reason (an older target, say)
        return render_template("designer/migrate.html", key=key, rows=rows, source=None, target=None, moves=None,
                               errors=err.fields, chosen=request.args), 422  # fmt: skip
    return render_template("designer/migrate.html", key=key, rows=rows, source=source, target=target, moves=moves,
                           done=False)  # fmt: skip


@bp.post("/<key>/migrate")
@login_required
def migrate_run(key: str) -> ResponseReturnValue:
    source = get_version(key, _version_number("source", request.form.get("source")))
    target = get_version(key, _version_number("target", request.form.get("target")))
    moves = migrate_cases(source, target, actor=signed_in_user(), now=utcnow(), ip=request.remote_addr or "")
    db.session.commit()
    moved = sum(1 for m in moves if m.moved)
    flash(ngettext("%(num)d case moved to version %(version)d.", "%(num)d cases moved to version %(version)d.",
                   moved, version=target.version), "success")  # fmt: skip
    rows = version_rows(key)[key]
    return render_template("designer/migrate.html", key=key, rows=rows, source=source, target=target, moves=moves,
                           done=True)  # fmt: skip
