"""Reading the taxonomy from rows (CSV or spreadsheet lines), checking each with its line number, and saving it.

Columns: code, parent, name, name_en, case_type, unit_kind, time_limit, admitted. A row's parent is a code
given earlier in the file or already in the database; level 1 rows have none. Leaves (level 3) must name
their case type, responsible unit kind and time limit. Saving upserts by code; nothing is saved on any error.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from pypinyin import Style, lazy_pinyin
from sqlalchemy import select

from app.engine.durations import parse_duration
from app.extensions import db
from app.intake.models import UNIT_KINDS, Category
from app.spreadsheets import unquoted, unreadable_line

COLUMNS = ("code", "parent", "name", "name_en", "case_type", "unit_kind", "time_limit", "admitted")
DEFAULT_FILE = Path(__file__).with_name("default_taxonomy.csv")
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,32}\Z")
_YES = {"yes", "true", "1", "y", "是"}
_NO = {"no", "false", "0", "n", "否", ""}


@dataclass(frozen=True)
class CategoryRow:
    line: int
    code: str
    parent: str | None
    level: int
    name: str
    name_en: str | None
    case_type: str | None
    unit_kind: str | None
    time_limit: str | None
    admitted: bool


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str


def initials(name: str) -> str:
    """Pinyin initials, lower case: 消防隐患 → xfyh (letters and digits kept as they are)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def read_csv(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; the header is line 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return [
            (index + 2, {k.strip(): unquoted((v or "").strip()) for k, v in row.items() if k})
            for index, row in enumerate(reader)
        ]
    except csv.Error as err:
        raise ValueError(unreadable_line(reader, err)) from err


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]], *, case_types: set[str]
) -> tuple[list[CategoryRow], list[LineError]]:
    levels = dict(db.session.execute(select(Category.code, Category.level)).tuples().all())
    parsed: list[CategoryRow] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for line, row in rows:
        row_errors: list[LineError] = []
        category = _parse_row(line, row, levels, seen, case_types, row_errors)
        errors.extend(row_errors)
        if category is not None and not row_errors:
            parsed.append(category)
            levels[category.code] = category.level
    return parsed, errors


def _parse_row(
    line: int,
    row: Mapping[str, str],
    levels: dict[str, int],
    seen: set[str],
    case_types: set[str],
    errors: list[LineError],
) -> CategoryRow | None:
    def fail(field: str, message: str) -> None:
        errors.append(LineError(line, field, message))

    code, parent, name = row.get("code", ""), row.get("parent", "") or None, row.get("name", "")
    if not _CODE.match(code):
        fail("code", _("A code is 1–32 letters, digits, '-' or '_'."))
    elif code in seen:
        fail("code", _("Code %(code)s appears twice in the file.", code=code))
    seen.add(code)
    if not name or len(name) > 120:
        fail("name", _("A name is required (at most 120 characters)."))
    if len(row.get("name_en") or "") > 200:
        fail("name_en", _("At most %(num)d characters.", num=200))
    level = 1
    if parent is not None:
        if parent not in levels:
            fail("parent", _("Parent %(code)s is neither earlier in the file nor in the taxonomy.", code=parent))
        level = levels.get(parent, 0) + 1
    if level > 3:
        fail("parent", _("The taxonomy has three levels; %(code)s is already a leaf.", code=parent))
    leaf = _leaf_fields(row, level == 3, case_types, fail)
    admitted = row.get("admitted", "").lower()
    if admitted not in _YES | _NO:
        fail("admitted", _("Write yes or no."))
    return CategoryRow(line, code, parent, level, name, row.get("name_en") or None, *leaf, admitted in _YES)


def _leaf_fields(
    row: Mapping[str, str], leaf: bool, case_types: set[str], fail: Callable[[str, str], None]
) -> tuple[str | None, str | None, str | None]:
    case_type, unit_kind, time_limit = (row.get(key) or None for key in ("case_type", "unit_kind", "time_limit"))
    if leaf and not (case_type and unit_kind and time_limit):
        fail("case_type", _("A level-3 item names its case type, responsible unit kind and time limit."))
    if case_type and case_type not in case_types:
        fail("case_type", _("Unknown case type %(key)s.", key=case_type))
    if unit_kind and unit_kind not in UNIT_KINDS:
        fail("unit_kind", _("Unit kind must be one of: %(kinds)s.", kinds=", ".join(UNIT_KINDS)))
    if time_limit and len(time_limit) > 32:
        fail("time_limit", _("At most %(num)d characters.", num=32))
    elif time_limit:
        try:
            parse_duration(time_limit)
        except ValueError as error:
            fail("time_limit", str(error))
    return case_type, unit_kind, time_limit


def save_rows(rows: list[CategoryRow]) -> int:
    """Upsert by code; returns how many rows were written. The caller commits."""
    existing = {c.code: c for c in db.session.scalars(select(Category))}
    for row in rows:
        category = existing.get(row.code) or Category(code=row.code)
        category.parent = existing[row.parent] if row.parent else None
        category.level, category.name, category.name_en = row.level, row.name, row.name_en
        category.initials = initials(row.name)
        category.case_type, category.unit_kind, category.time_limit = row.case_type, row.unit_kind, row.time_limit
        category.admitted, category.active = row.admitted, True
        existing[row.code] = category
        db.session.add(category)
    db.session.flush()
    return len(rows)


def load_default_taxonomy(case_types: set[str], path: Path = DEFAULT_FILE) -> int:
    """Add the shipped tree's missing items (existing ones, maybe edited locally, are left alone).

    Items whose case type this installation has not deployed are left out: they can be imported later.
    """
    have = set(db.session.scalars(select(Category.code)))
    lines = [(n, row) for n, row in read_csv(path.read_text("utf-8")) if row.get("case_type", "") in case_types | {""}]
    rows, errors = parse_rows(lines, case_types=case_types)
    if errors:
        first = errors[0]
        raise ValueError(f"{path.name}:{first.line}: {first.field}: {first.message}")
    return save_rows([row for row in rows if row.code not in have])
