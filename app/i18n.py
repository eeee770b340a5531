"""Which language a request is answered in, and picking localized texts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.engine.durations import parse_duration

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")


def select_locale() -> str:
    """This browser's choice, else the signed-in user's saved one, else the default.

    API clients may also ask with ?locale= or Accept-Language (zh-CN, en).
    """
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if request.path.startswith(("/api/", "/open311/")):
        if request.args.get("locale") in SUPPORTED_LOCALES:
            return str(request.args["locale"])
        asked = request.accept_languages.best_match(["zh", "zh-CN", "en"])
        if asked:
            return "en" if asked == "en" else "zh_Hans_CN"
    # This browser's choice first: it is in the session cookie, the same for every process, while the user's saved
    # preference comes from a copy each process keeps for a few seconds (app/auth/principals.py), so right after a
    # switch the processes would disagree and pages alternate between the languages.
    if session.get("locale") in SUPPORTED_LOCALES:
        return str(session["locale"])
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in SUPPORTED_LOCALES:
        return str(user_locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def locale_code() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(names: dict[str, str], default: str, code: str | None = None) -> str:
    """The name for `code` (the current locale by default) from {"en": ...} properties; the diagram's own name
    otherwise."""
    code = code or locale_code()
    return names.get(code) or names.get(code.split("_")[0]) or default


def time_limit_text(text: str) -> str:
    """A time limit as designers write it ("3 working days", "3个工作日", "PT4H") in the reader's language; the text as
    written when it is not one."""
    try:
        limit = parse_duration(text, bounded=False)
    except ValueError:
        return text
    num = int(limit.amount) if limit.amount == int(limit.amount) else limit.amount
    if limit.working:
        words = {"days": ngettext("%(num)s working day", "%(num)s working days", num),
                 "hours": ngettext("%(num)s working hour", "%(num)s working hours", num),
                 "minutes": ngettext("%(num)s working minute", "%(num)s working minutes", num)}  # fmt: skip
    else:
        words = {"days": ngettext("%(num)s day", "%(num)s days", num),
                 "hours": ngettext("%(num)s hour", "%(num)s hours", num),
                 "minutes": ngettext("%(num)s minute", "%(num)s minutes", num)}  # fmt: skip
    return str(words[limit.unit])


def local_datetime(value: str | None) -> datetime | None:
    """A datetime-local input ("2026-11-30T17:30", local time) as aware UTC; None when empty.

    Raises ValidationError naming the field when it is not a date and time.
    """
    if not value:
        return None
    from app.errors import ValidationError

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("Some fields need your attention."), {"due_at": _("Must be a date and time.")}
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return parsed
