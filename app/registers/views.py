"""Register pages: list with search, detail with logged reveal, create and edit forms."""

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.audit.service import record
from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import can_write_register, sees_personal_data, writable_grids
from app.registers.forms import ImportForm, VisitForm
from app.registers.importing import columns_of, import_records
from app.registers.kinds import RegisterKind, register_kind
from app.registers.references import cases_of_record
from app.registers.service import changes_of, snapshot
from app.registers.visits import visits_of
from app.whole_numbers import whole

bp = Blueprint("registers", __name__, url_prefix="/registers")
PAGE = 50
KIND = "<any(entities, residents, buildings):slug>"


@bp.get(f"/{KIND}")
@login_required
def index(slug: str) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=whole) or 1, 1)
    rows = list(db.session.scalars(kind.search(user, query).offset((page - 1) * PAGE).limit(PAGE + 1)))
    return render_template(f"registers/{slug}_list.html", kind=kind, rows=rows[:PAGE], q=query, page=page,
                           more=len(rows) > PAGE, reveal=sees_personal_data(user),
                           can_create=bool(db.session.scalars(writable_grids(user).limit(1)).first()))  # fmt: skip


@bp.get(f"/{KIND}/<int:record_id>")
@login_required
def detail(slug: str, record_id: int) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    return detail_page(kind, user, kind.get_for(user, record_id), reveal=sees_personal_data(user))


@bp.post(f"/{KIND}/<int:record_id>/reveal")
@login_required
def reveal(slug: str, record_id: int) -> ResponseReturnValue:
    """Show this record's phone and ID numbers in full, once; the security log records who looked."""
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    record("reveal", now=utcnow(), user=user, ip=request.remote_addr or "", register=slug, record_id=row.id)
    db.session.commit()
    return detail_page(kind, user, row, reveal=True)


def detail_page(kind: RegisterKind, user: User, row: Any, *, reveal: bool, visit_form: Any = None) -> str:
    can_edit = can_write_register(user, row.org_unit)
    return render_template(f"registers/{kind.slug}_detail.html", kind=kind, row=row, reveal=reveal,
                           changes=changes_of(row), can_edit=can_edit, visits=visits_of(row),
                           cases=cases_of_record(kind.slug, row.id, user),
                           visit_form=visit_form or (VisitForm() if can_edit else None))  # fmt: skip


@bp.route(f"/{KIND}/new", methods=["GET", "POST"])
@login_required
def new(slug: str) -> ResponseReturnValue:
    return _edit(register_kind(slug), None)


@bp.route(f"/{KIND}/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, record_id: int) -> ResponseReturnValue:
    kind, user = register_kind(slug), signed_in_user()
    row = kind.get_for(user, record_id)
    require(can_write_register(user, row.org_unit))
    if request.method == "GET" and not sees_personal_data(user):
        # The form holds the identifiers in full: opening it is a reveal like the button's.
        record("reveal", now=utcnow(), user=user, ip=request.remote_addr or "", register=slug, record_id=row.id,
               purpose="edit")  # fmt: skip
        db.session.commit()
    return _edit(kind, row)


def _edit(kind: RegisterKind, row: Any) -> ResponseReturnValue:
    user = signed_in_user()
    grids = list(db.session.scalars(writable_grids(user)))
    require(bool(grids))
    form = kind.form(data=_form_data(row) if row is not None and request.method == "GET" else None)
    form.grid.choices = [(g.code, f"{g.name} ({g.code})") for g in grids]
    if form.validate_on_submit():
        unit = next((g for g in grids if g.code == form.grid.data), None)
        try:
            saved = _save(kind, row, unit, form, user)
            db.session.commit()
            return redirect(url_for("registers.detail", slug=kind.slug, record_id=saved.id))
        except ValidationError as err:
            db.session.rollback()
            for name, message in err.fields.items():
                form[name].errors = [*form[name].errors, message]
    status = 422 if form.errors else 200
    return render_template("registers/form.html", kind=kind, form=form, row=row), status


def _save(kind: RegisterKind, row: Any, unit: OrgUnit | None, form: Any, user: User) -> Any:
    if unit is None or not can_write_register(user, unit):
        raise ValidationError(_("Choose a grid."), {"grid": _("Choose one of your grids.")})
    raw = {name: form[name].data for name in kind.fields}
    return kind.save(row, unit, raw, actor=user, now=utcnow())


def _form_data(row: Any) -> dict[str, Any]:
    data = snapshot(row)
    return {**data, "grid": data.pop("grid")}


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file() -> ResponseReturnValue:
    user = signed_in_user()
    require(db.session.scalars(writable_grids(user).limit(1)).first() is not None)
    form = ImportForm()
    kind = register_kind(form.kind.data or "residents")
    result, status = None, 200
    if form.validate_on_submit():
        result = import_records(kind, form.file.data.read(), actor=user, now=utcnow(), dry_run=bool(form.dry_run.data),
                                skip_bad_lines=bool(form.skip_bad_lines.data))  # fmt: skip
        if result.errors and not result.skipped_bad_lines:
            db.session.rollback()
            status = 422
        else:
            db.session.commit()
    elif request.method == "POST":
        status = 422
    return render_template("registers/import.html", form=form, result=result,
                           columns=", ".join(columns_of(kind))), status  # fmt: skip
