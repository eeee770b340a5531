"""Sign in, sign out, choose the language."""

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from app.audit.service import record
from app.auth.forms import LoginForm
from app.auth.guards import signed_in_user
from app.auth.session import end_sessions, start_session
from app.auth.signin import sign_in
from app.clock import utcnow
from app.extensions import db
from app.i18n import SUPPORTED_LOCALES

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """A path on this site to go on to after signing in, else the inbox: never another host, and never a control
    character (a line break in a Location header fails the response after the sign-in succeeded)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and target.isprintable()
    ):
        return target
    return url_for("tasks.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        attempt = sign_in(
            form.username.data or "", form.password.data or "", now=utcnow(), ip=client_ip(), channel="web"
        )
        db.session.commit()  # the attempt is logged whatever its outcome
        user = attempt.user
        if attempt.locked:
            form.password.errors = [*form.password.errors, _("Too many failed attempts; wait a minute and try again.")]
            return render_template("auth/login.html", form=form), 429
        if user is not None:
            chosen = session.get("locale")  # read before the session is cleared
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(user)
            start_session()
            if user.locale is None and chosen in SUPPORTED_LOCALES:  # the language chosen before signing in sticks
                user.locale = chosen
                db.session.commit()
            if (language := user.locale or chosen) in SUPPORTED_LOCALES:
                session["locale"] = language  # a saved preference wins; the session carries it (app/i18n.py)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = [*form.password.errors, _("Wrong username or password.")]
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    user = signed_in_user()
    if user.is_authenticated:
        record("logout", now=(now := utcnow()), user=user, ip=client_ip())
        end_sessions(user.id, now=now)  # a copy of this cookie kept elsewhere is signed out too
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def client_ip() -> str:
    return request.remote_addr or ""


@bp.post("/locale")
def set_locale() -> ResponseReturnValue:
    locale = request.form.get("locale", "")
    if locale in SUPPORTED_LOCALES:
        session["locale"] = locale
        user = signed_in_user()
        if user.is_authenticated:
            user.locale = locale
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("tasks.inbox"))
