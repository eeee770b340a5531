"""The password policy, one place."""

import re

from flask_babel import gettext as _

MIN_LENGTH = 10


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return str(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    classes = sum(bool(re.search(p, password)) for p in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]"))
    if classes < 2:
        return str(_("Mix letters with digits or symbols."))
    if username and username.lower() in password.lower():
        return str(_("Do not use your username in your password."))
    return None
