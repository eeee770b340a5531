"""The bell: the list of my notifications, marked read when opened."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from app.auth.guards import login_required, signed_in_user
from app.clock import utcnow
from app.extensions import db
from app.notifications.service import latest, mark_all_read, message

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    user = signed_in_user()
    items = [(n, message(n)) for n in latest(user)]
    page = render_template("notifications/index.html", items=items)
    mark_all_read(user, now=utcnow())
    db.session.commit()
    return page
