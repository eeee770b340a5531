"""Whole numbers from requests, bounded by what the database's integer columns hold.

A number past 2**31 - 1 reached a query as the driver's error, a 500: `?page=100000000000000000000` was PostgreSQL's
"bigint out of range" and SQLite's OverflowError, as was such a number for a record in a form or a version to
compare. Ids, versions, pages, offsets and years are all far below it.
"""

from typing import Any

from werkzeug.routing import IntegerConverter, Map

INT_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite's and bigint's limits are beyond it


class ColumnInt(IntegerConverter):
    """`<int:…>` in a route as an integer column holds it: an id past INT_MAX names nothing (404), where it reached
    `db.session.get` as the driver's error. Installed as the app's `int` converter (app/__init__.py)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = INT_MAX,
                 signed: bool = False) -> None:  # fmt: skip
        super().__init__(map, fixed_digits, min, max, signed)


def whole(text: str) -> int:
    """`int` for `request.args.get(name, default, type=whole)`: a number out of range is malformed, so the default."""
    value = db_int(int(text))
    if value is None:
        raise ValueError(f"out of range: {text}")
    return value


def given_id(raw: Any) -> int | None:
    """An id sent as a JSON number or as digits (a form sends text), if an integer column can hold it; else None.
    Digits by `isdecimal`, which is what `int` reads: "²" is a digit to `isdigit` but not to `int`."""
    if isinstance(raw, int | str) and str(raw).isdecimal():
        return db_int(int(raw))
    return None


def db_int(value: Any) -> int | None:
    """`value` if it is an integer (not a bool) that an integer column can hold, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= INT_MAX:
        return value
    return None
