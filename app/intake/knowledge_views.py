"""Knowledge-base pages: search and read for everyone who works in a unit; write for its editors."""

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.auth.guards import login_required, require, signed_in_user
from app.clock import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.intake.catalog import category_by_code, category_paths
from app.intake.forms import KnowledgeForm
from app.intake.knowledge import EntryInput, get_entry, save_entry, search_entries
from app.intake.models import Category, KbEntry
from app.intake.views import bp
from app.org.permissions import can_edit_knowledge, reads_knowledge


@bp.get("/knowledge")
@login_required
def knowledge() -> ResponseReturnValue:
    """?q= words in title, keywords or answer; ?category=<code> narrows to one item and the branches above it."""
    user = signed_in_user()
    require(reads_knowledge(user))
    q, code = request.args.get("q", "").strip()[:200], request.args.get("category", "").strip()
    category = category_by_code(code) if code else None
    editor = can_edit_knowledge(user)
    entries = search_entries(q, category=category, active_only=not editor)
    return render_template("intake/knowledge.html", entries=entries, q=q, category=category, can_edit=editor)


@bp.get("/knowledge/<int:entry_id>")
@login_required
def knowledge_entry(entry_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    require(reads_knowledge(user))
    entry = get_entry(entry_id, active_only=not can_edit_knowledge(user))
    return render_template("intake/knowledge_entry.html", entry=entry, can_edit=can_edit_knowledge(user))


@bp.route("/knowledge/new", methods=["GET", "POST"])
@login_required
def knowledge_new() -> ResponseReturnValue:
    return _edit(None)


@bp.route("/knowledge/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def knowledge_edit(entry_id: int) -> ResponseReturnValue:
    return _edit(entry_id)


def _edit(entry_id: int | None) -> ResponseReturnValue:
    user = signed_in_user()
    require(can_edit_knowledge(user))
    entry = get_entry(entry_id, active_only=False) if entry_id is not None else None
    form = KnowledgeForm(obj=_FormData(entry) if entry is not None and request.method == "GET" else None)
    paths = category_paths()
    codes = db.session.execute(select(Category.id, Category.code).order_by(Category.code)).tuples()
    form.categories.choices = [(code, f"{code} {paths[id_]}") for id_, code in codes]
    if form.validate_on_submit():
        data = EntryInput(form.title.data or "", form.body.data or "", form.keywords.data or "",
                          list(form.categories.data or []), bool(form.active.data))  # fmt: skip
        try:
            saved = save_entry(entry, data, actor=user, now=utcnow())
            db.session.commit()
            return redirect(url_for("intake.knowledge_entry", entry_id=saved.id))
        except ValidationError as err:
            db.session.rollback()
            for name, message in err.fields.items():
                form[name].errors = [*form[name].errors, message]
    status = 422 if form.errors else 200
    return render_template("intake/knowledge_form.html", form=form, entry=entry), status


class _FormData:
    def __init__(self, entry: KbEntry) -> None:
        self.title, self.body, self.keywords, self.active = entry.title, entry.body, entry.keywords, entry.active
        self.categories = [c.code for c in entry.categories]
