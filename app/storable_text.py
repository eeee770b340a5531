"""Text no column can hold, refused where it comes in, naming where it is.

PostgreSQL's text and JSON hold no NUL character (U+0000), and UTF-8 holds no unpaired surrogate (U+D800-U+DFFF,
which only a JSON `\\u` escape can bring in). Either reached a query or a write as the driver's error, a 500: a
search for `a%00b`, a sign-in whose failure could not be counted, a report or a task's answer with `\\u0000` in a
field (SQLite took the NUL, but no surrogate). Every request is checked once as it starts (a 422 naming the
field, before any view reads it): the query string, a form's fields and file names, and a JSON body (parsed here
only when its bytes could hold such text; the view reads the same parsed value), as is a multipart report's JSON
`data` field (app/api/attachment_views.py). A path with NUL in it names nothing (404). Uploaded files are checked where they
are read (app/spreadsheets.py; form files, app/designer/service.py). A surrogate pair written as two escapes, as
many JSON writers write an emoji, is one character and passes. A JSON body or form file nesting deeper than
MAX_DEPTH levels is refused too (400): Python's own copies of it would run out of stack, another 500.
"""

import re
from collections.abc import Iterable
from typing import Any, cast

from flask import Flask, Request, request
from flask_babel import gettext as _

from app.errors import BadRequestError, NotFoundError, ValidationError

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_DEPTH = 64  # levels of objects and lists in a JSON body or a form file


def init_storable_text(app: Flask) -> None:
    """Check each request before every other hook (registered first: Flask runs them in order)."""
    app.before_request(refuse_unstorable_request)


def refuse_unstorable_request() -> None:
    """The request's parts read once each: a request carries no query string and no body more often than not, and
    through the `request` proxy every attribute costs a lookup."""
    req: Request = cast(Any, request)._get_current_object()
    if "\x00" in req.path:
        raise NotFoundError(_("Not found."))
    found: list[str] = []
    if req.query_string:
        _pairs(req.args.items(multi=True), found)
    if req.environ.get("CONTENT_TYPE"):
        if req.mimetype in FORM_TYPES:
            _pairs(req.form.items(multi=True), found)
            _pairs(((name, upload.filename or "") for name, upload in req.files.items(multi=True)), found)
        elif req.is_json and _may_need_refusing(req.get_data()):
            refuse_unstorable_json(req.get_json(silent=True))
    _refuse(found)


def refuse_unstorable_json(value: Any, at: str = "") -> None:
    """For a JSON value read from a request (`at`: the field that held it as text): ValidationError naming each text
    `unstorable` refuses, BadRequestError when it nests deeper than MAX_DEPTH."""
    try:
        found = unstorable_paths(value)
    except ValueError:
        raise BadRequestError(_("The request body nests too deeply: at most %(n)d levels.", n=MAX_DEPTH)) from None
    _refuse([f"{at}.{path}" if at else path for path in found])


def _refuse(found: list[str]) -> None:
    if found:
        message = _("Contains a character that cannot be stored (NUL or an unpaired surrogate).")
        raise ValidationError(_("Some fields need your attention."), dict.fromkeys(found, message))


# The escapes that can write NUL or a surrogate. Most JSON writers escape all non-ASCII text (Python's by default:
# every Chinese character is a `\\uXXXX`), so looking for `\\u` alone sent nearly every body through the walk.
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _may_need_refusing(raw: bytes) -> bool:
    """Whether a JSON body needs looking into (most need not, and are not parsed here): in UTF-8 JSON, NUL and
    surrogates come only as escapes (raw, the text is not JSON, or not UTF-8), and nesting MAX_DEPTH levels takes as
    many opening brackets. A body in UTF-16 or UTF-32, which Python's json also reads, has zero bytes."""
    return b"\x00" in raw or raw.count(b"[") + raw.count(b"{") > MAX_DEPTH or _RISKY_ESCAPE.search(raw) is not None


def unstorable(text: str) -> bool:
    """Whether `text` holds NUL or an unpaired surrogate."""
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _pairs(pairs: Iterable[tuple[str, str]], found: list[str]) -> None:
    for name, value in pairs:
        if unstorable(name) or unstorable(value):
            found.append(_shown(name))


def unstorable_paths(value: Any) -> list[str]:
    """Where a parsed JSON value holds text that `unstorable` refuses, keys too, as dotted paths ("data.notes.0").
    ValueError when it nests deeper than MAX_DEPTH: no form's data does, and copying such a value through the engine
    would run out of Python's stack."""
    found: list[str] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if unstorable(item):
                found.append(".".join(path) or "body")
        elif isinstance(item, dict | list):
            if len(path) >= MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
            for key, child in item.items() if isinstance(item, dict) else enumerate(item):
                name = _shown(key) if isinstance(key, str) else str(key)
                if isinstance(key, str) and unstorable(key):
                    found.append(".".join((*path, name)))
                else:
                    stack.append((child, (*path, name)))
    return sorted(found)


_REPLACED = dict.fromkeys([0, *range(0xD800, 0xE000)], "\ufffd")


def _shown(name: str) -> str:
    """A field's name as an answer can carry it: NUL and each unpaired surrogate become U+FFFD."""
    return name.translate(_REPLACED) if unstorable(name) else name
