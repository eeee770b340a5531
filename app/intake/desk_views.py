"""The operator desk page: one form for a call; buttons look up the caller, search, answer or create a case.

Without JavaScript every button posts the whole form and the page comes back with what was typed kept;
app/static/desk.js adds search-as-you-type over /intake/categories.json (the session twin of the API).
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.intake.catalog import SEARCH_LIMIT, category_by_code, category_paths, search_categories
from app.intake.desk import APPEAL_KINDS, desk_units, leaves, previous_calls, take_call
from app.intake.duplicates import DuplicateFound
from app.intake.knowledge import related_entries, search_entries
from app.intake.models import Category
from app.intake.views import bp
from app.org.models import User
from app.org.permissions import sees_personal_data, works_desk


@bp.get("/categories.json")
@login_required
def categories_json() -> ResponseReturnValue:
    """Leaves matching ?q= for the desk's picker: what GET /api/v1/categories?leaves=1 answers, for the session."""
    signed_in_user()
    items = search_categories(request.args.get("q", "")[:100], leaves_only=True, limit=20)
    paths = category_paths()
    return {"items": [{"code": c.code, "name": c.name, "path": paths[c.id], "initials": c.initials} for c in items]}


@bp.route("/desk", methods=["GET", "POST"])
@login_required
def desk() -> ResponseReturnValue:
    user = signed_in_user()
    require(works_desk(user))
    form: MultiDict[str, str] = request.form.copy() if request.method == "POST" else MultiDict()
    action, errors, duplicates = _decided(form), {}, []
    if action in ("answer", "create"):
        try:
            change = take_call(form, action, actor=user, now=utcnow())
            db.session.commit()
            if change.case.routing == "triage":  # the operator says so to the caller: no grid has it yet
                flash(_("No grid could be found for this address: the matter waits in the triage queue, where a "
                        "dispatcher chooses its grid."), "error")  # fmt: skip
            return redirect(url_for("cases.detail", case_id=change.case.id))
        except ValidationError as err:
            db.session.rollback()
            errors = err.fields or {"": err.message}
        except DuplicateFound as found:
            db.session.rollback()
            duplicates = found.candidates
    page = _page(user, form, errors)
    return render_template("intake/desk.html", duplicates=duplicates, **page), 422 if errors else 200


def _decided(form: MultiDict[str, str]) -> str:
    """The duplicate box's buttons: "merge:<case id>" and "separate" are a create with that decision."""
    action = form.get("action", "")
    if action.startswith("merge:"):
        form["duplicate_of"] = action.removeprefix("merge:")
    elif action == "separate":
        form["keep_separate"] = "1"
    else:
        return action
    return "create"


def _page(user: User, form: MultiDict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    category = category_by_code(form.get("category", ""))
    category_q = form.get("category_q", "").strip()[:100]
    options = search_categories(category_q, leaves_only=True, limit=SEARCH_LIMIT) if category_q else leaves()
    if category is not None and category not in options:
        options = [category, *options]
    kb_q = form.get("kb_q", "").strip()[:200]
    phone = form.get("caller_phone", "")
    return {
        "values": form, "errors": errors, "category": category, "options": options, "paths": category_paths(),
        "category_q": category_q, "units": desk_units(user), "appeal_kinds": APPEAL_KINDS,
        "answers": _answers(category, kb_q), "kb_q": kb_q,
        "calls": previous_calls(user, phone) if phone else [],
        "reveal": sees_personal_data(user),
    }  # fmt: skip


def _answers(category: Category | None, kb_q: str) -> list[Any]:
    if kb_q:
        return search_entries(kb_q, limit=10)
    return related_entries(category, limit=10)
