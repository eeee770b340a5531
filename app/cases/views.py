"""Case pages: list, report a new case, case detail with history."""

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app.attachments.service import (
    Limits,
    Upload,
    add_attachments,
    attachments_of,
    images_and_documents,
    limits,
    read_uploads,
    written,
)
from app.audit.service import record
from app.auth.guards import login_required, signed_in_user
from app.cases.diagram import diagram_markers, viewer_installed
from app.cases.filters import filter_cases
from app.cases.models import Case, CaseStatus
from app.cases.service import history_of, open_tasks_of, startable_units, startable_versions
from app.casetypes.registry import deployed_version, latest_version
from app.clock import utcnow
from app.errors import ForbiddenError, NotFoundError, ValidationError
from app.extensions import db
from app.i18n import locale_code
from app.intake.duplicates import DuplicateFound
from app.intake.reporters import reporters_of
from app.intake.reports import Place, leaves_for, read_place, report_case
from app.jsonforms.html import coerce_posted, form_fields
from app.jsonforms.localize import localize
from app.jsonforms.validate import form_errors
from app.org.models import OrgUnit, User
from app.org.permissions import can_attach, can_see_case, sees_personal_data, visible_cases
from app.org.roles import role_labels
from app.org.service import candidates_of
from app.privacy import personal_fields
from app.registers.references import linked_records, reference_options
from app.tasks.models import Task, is_open
from app.whole_numbers import whole

bp = Blueprint("cases", __name__)
PAGE = 50


def get_case_for(user: User, case_id: int, *, page: bool = False) -> Case:
    """Load a case in the user's jurisdiction; outside it, the case does not exist.

    With `page`, what the case page shows comes along: its process version and reporter in the same
    statement, its open tasks (with their units and assignees) in one more. Both statements are built once.
    """
    if not 0 < case_id < 2**63:  # beyond any database integer
        raise NotFoundError(_("No such case."))
    case = db.session.scalars(_case_statement(page=page), {"case_id": case_id}).first()
    if case is None or not can_see_case(user, case):
        raise NotFoundError(_("No such case."))
    if page:
        tasks = list(db.session.scalars(_open_tasks_statement(), {"case_id": case.id}))
        for task in tasks:
            set_committed_value(task, "case", case)
        set_committed_value(case, "open_tasks", tasks)
    return case


@cache  # built once: building and keying the statement with its loader options cost more than running it
def _case_statement(*, page: bool) -> Select[tuple[Case]]:
    stmt = select(Case).where(Case.id == bindparam("case_id"))
    # Users shown by name on a case page: their own roles are not needed.
    return (
        stmt.options(joinedload(Case.process_version), joinedload(Case.opened_by).lazyload(User.memberships))
        if page
        else stmt
    )


@cache
def _open_tasks_statement() -> Select[tuple[Task]]:
    return (
        select(Task)
        .where(Task.case_id == bindparam("case_id"), is_open())
        .order_by(Task.created_at)
        .options(lazyload(Task.case), defaultload(Task.assignee).lazyload(User.memberships))
    )


@bp.get("/cases")
@login_required
def index() -> ResponseReturnValue:
    user = signed_in_user()
    status = request.args.get("status", "open")
    page = max(request.args.get("page", 1, type=whole) or 1, 1)
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    stmt, filters = filter_cases(visible_cases(user), request.args, now=utcnow(), tz=tz)
    if status in {s.value for s in CaseStatus}:
        stmt = stmt.where(Case.status == CaseStatus(status))
    stmt = stmt.order_by(Case.opened_at.desc(), Case.id.desc()).offset((page - 1) * PAGE).limit(PAGE + 1)
    rows = list(db.session.scalars(stmt))
    return render_template("cases/list.html", cases=rows[:PAGE], status=status, page=page, more=len(rows) > PAGE,
                           filters=filters)  # fmt: skip


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    user = signed_in_user()
    key = request.values.get("case_type")
    if not key:
        return render_template("cases/choose_type.html", versions=startable_versions(user))
    version = latest_version(key)
    if version is None:
        raise NotFoundError(_("No such case type."))
    deployed = deployed_version(version)
    units = startable_units(user, deployed.definition.start_lane)
    if not units:  # no grid to report it in: no form to fill in
        raise ForbiddenError(_("Your roles do not report cases of this type."))
    schema, ui_schema = deployed.form(deployed.definition.start_form) or ({"properties": {}}, {})
    schema = localize(schema, ui_schema, locale_code())
    values, errors, duplicates = {}, {}, []
    if request.method == "POST":
        values = coerce_posted(schema, request.form)
        try:
            unit, uploads, place = _read_report(schema, values, units, upload_limits := limits())
            reported = report_case(version, unit, values, place, actor=user, now=(now := utcnow()), channel="web")
            add_attachments(reported.change.case, uploads, actor=user, now=now)
            with written(uploads, upload_limits):
                db.session.commit()
            return redirect(url_for("cases.detail", case_id=reported.change.case.id))
        except ValidationError as err:
            db.session.rollback()
            errors = err.fields
        except DuplicateFound as found:
            db.session.rollback()
            duplicates = found.candidates
    fields = form_fields(schema, ui_schema, values, errors, reference_options(schema, [u.id for u in units]))
    return render_template(
        "cases/new.html", version=version, schema=schema, fields=fields, units=units,
        chosen_unit=request.form.get("org_unit"), unit_error=errors.get("org_unit"), errors=errors, upload_errors=errors,
        place_options=leaves_for(version.key), duplicates=duplicates, posted=request.form,
    ), 422 if errors else 200  # fmt: skip


def _read_report(schema: dict[str, Any], values: dict[str, Any], units: list[OrgUnit], upload_limits: Limits,
                 ) -> tuple[OrgUnit, list[Upload], Place]:  # fmt: skip
    """The posted grid, uploads and place (optional item and point; duplicates flagged), or one ValidationError
    naming every field that needs attention at once: the grid, the form's own fields, the uploads and the place."""
    errors = form_errors(schema, values)
    unit = next((u for u in units if u.code == request.form.get("org_unit")), None)
    if unit is None:
        errors["org_unit"] = _("Choose one of your grids.")
    uploads: list[Upload] = []
    place: Place | None = None
    try:
        uploads = read_uploads(request.files.to_dict(flat=False), upload_limits)
    except ValidationError as err:
        errors |= err.fields
    try:
        place = read_place(request.form, prefix="place_")
    except ValidationError as err:
        errors |= err.fields
    if errors or unit is None or place is None:
        raise ValidationError(_("Some fields need your attention."), errors)
    return unit, uploads, place


@bp.get("/cases/<int:case_id>")
@login_required
def detail(case_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    return _detail(get_case_for(user, case_id, page=True), reveal=sees_personal_data(user))


@bp.get("/cases/<int:case_id>/diagram")
@login_required
def diagram(case_id: int) -> ResponseReturnValue:
    """The case's version diagram and where the case is in it, for the viewer on the case page; `lanes`: the roles'
    names in the reader's language, which the viewer shows on the lanes instead of the role keys the diagram holds."""
    case = get_case_for(signed_in_user(), case_id)
    return {"xml": case.process_version.bpmn_xml, "lanes": role_labels(), **diagram_markers(case, now=utcnow())}


@bp.post("/cases/<int:case_id>/reveal")
@login_required
def reveal(case_id: int) -> ResponseReturnValue:
    """Show this case's personal data in full, once; the security log records who looked."""
    user = signed_in_user()
    case = get_case_for(user, case_id, page=True)
    record("reveal", now=utcnow(), user=user, ip=request.remote_addr or "", case=case.number)
    db.session.commit()
    return _detail(case, reveal=True)


def _detail(case: Case, *, reveal: bool) -> ResponseReturnValue:
    tasks = open_tasks_of(case)
    holders = candidates_of([t for t in tasks if t.assignee_id is None])
    images, documents = images_and_documents(attachments_of(case))
    return render_template("cases/detail.html", case=case, tasks=tasks, holders=holders, history=history_of(case),
                           records=linked_records(case), viewer=viewer_installed(), images=images,
                           documents=documents, may_attach=can_attach(signed_in_user(), case), reporters=reporters_of(case),
                           reveal=reveal, has_personal=bool(personal_fields(case.process_version)))  # fmt: skip
