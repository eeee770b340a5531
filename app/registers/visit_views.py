"""Visit pages: log a visit on a record's page, and the due list of the grids one keeps."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.org.permissions import can_write_register, sees_personal_data
from app.registers.forms import VisitForm
from app.registers.kinds import register_kind
from app.registers.views import bp, detail_page
from app.registers.visits import due_visits, log_visit

VISITED = "<any(entities, residents):slug>"  # the registers whose records are visited


@bp.post(f"/{VISITED}/<int:record_id>/visits")
@login_required
def add_visit(slug: str, record_id: int) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    require(can_write_register(user, row.org_unit))
    form = VisitForm()
    if form.validate_on_submit():
        try:
            log_visit(row, form.visited_on.data, form.note.data or "", actor=user, now=utcnow())
            db.session.commit()
            flash(_("Visit logged."), "success")
            return redirect(url_for("registers.detail", slug=slug, record_id=row.id))
        except ValidationError as err:
            db.session.rollback()
            for name, message in (err.fields or {"visited_on": err.message}).items():
                form[name].errors = [*form[name].errors, message]
    return detail_page(kind, user, row, reveal=sees_personal_data(user), visit_form=form), 422


@bp.get("/visits/due")
@login_required
def due() -> ResponseReturnValue:
    user = signed_in_user()
    return render_template("registers/due.html", due=due_visits(user, now=utcnow()), reveal=sees_personal_data(user))
