"""The taxonomy as people use it: search (name, keyword, pinyin initials), import a file with a dry run, export.

Import reads CSV or XLSX into the same (line, row) pairs as app/intake/taxonomy.py, checks every line with
`parse_rows` and saves nothing while any line is wrong; the security log records every attempt.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select

from app.audit.service import record
from app.casetypes.models import ProcessVersion
from app.extensions import db
from app.i18n import locale_code
from app.intake.models import Category
from app.intake.taxonomy import COLUMNS, LineError, parse_rows, read_csv, save_rows
from app.org.models import User
from app.spreadsheets import XLSX_MAGIC, as_csv, as_record, csv_text, xlsx_rows

MAX_LINES = 20000
SEARCH_LIMIT = 50


@dataclass
class TaxonomyImport:
    dry_run: bool
    count: int = 0
    errors: list[LineError] = field(default_factory=list)
    saved: bool = False


def like_pattern(text: str, *, anywhere: bool = True) -> str:
    """A LIKE pattern finding `text` anywhere (or at the start), its wildcards literal (escape character '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def search_statement(q: str, *, leaves_only: bool = False) -> Select[tuple[Category]]:
    """Active items matching `q` in name, English name, code or pinyin initials; best matches first."""
    stmt = select(Category).where(Category.active.is_(True))
    if leaves_only:
        stmt = stmt.where(Category.level == 3)
    q = q.strip().lower()
    if not q:
        return stmt.order_by(Category.code)
    pattern, prefix = like_pattern(q), like_pattern(q, anywhere=False)
    stmt = stmt.where(
        or_(
            Category.name.like(pattern, escape="\\"),
            func.lower(Category.name_en).like(pattern, escape="\\"),
            Category.initials.like(pattern, escape="\\"),
            Category.code.like(prefix, escape="\\"),
        )
    )
    rank = case(
        (Category.initials == q, 0),
        (Category.name == q, 0),
        (Category.initials.like(prefix, escape="\\"), 1),
        (Category.name.like(prefix, escape="\\"), 1),
        else_=2,
    )
    return stmt.order_by(rank, Category.level.desc(), Category.code)


def search_categories(q: str, *, leaves_only: bool = False, limit: int = SEARCH_LIMIT) -> list[Category]:
    return list(db.session.scalars(search_statement(q, leaves_only=leaves_only).limit(limit)))


def category_paths() -> dict[int, str]:
    """Every item's path of names ("公共安全 / 消防安全 / 消防通道堵塞"), from one query."""
    rows = {id_: (name, parent) for id_, name, parent in db.session.execute(
        select(Category.id, Category.name, Category.parent_id)).tuples()}  # fmt: skip
    paths: dict[int, str] = {}
    for id_ in rows:
        names: list[str] = []
        current: int | None = id_
        while current is not None and current in rows and len(names) < 4:
            names.append(rows[current][0])
            current = rows[current][1]
        paths[id_] = " / ".join(reversed(names))
    return paths


def category_by_code(code: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))


def known_case_types() -> set[str]:
    return set(db.session.scalars(select(ProcessVersion.key).distinct()))


def read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The first sheet as (line, row) pairs; its first row names the columns (line 1)."""
    rows = xlsx_rows(data)
    if not rows:
        return []
    header = rows[0]
    return [
        (index + 2, {k: v for k, v in as_record(header, row).items() if k})
        for index, row in enumerate(rows[1:])
        if any(row)
    ]


def read_file(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """CSV (UTF-8) or XLSX into (line, row) pairs; a ValueError names a file-level problem."""
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data)
    return read_csv(csv_text(data))


def _file_errors(lines: list[tuple[int, dict[str, str]]]) -> list[LineError]:
    if not lines:
        return [LineError(1, "", _("The file has no data lines."))]
    missing = [c for c in ("code", "name") if c not in lines[0][1]]
    if missing:
        return [LineError(1, ", ".join(missing), _("The file lacks required columns."))]
    if len(lines) > MAX_LINES:
        return [LineError(1, "", _("At most %(num)d lines per file.", num=MAX_LINES))]
    return []


def import_taxonomy(data: bytes, *, actor: User, now: datetime, dry_run: bool, ip: str = "") -> TaxonomyImport:
    """Check every line; save (upsert by code) only when all are good and it is not a dry run."""
    result = TaxonomyImport(dry_run=dry_run)
    try:
        lines = read_file(data)
    except ValueError as err:
        lines, result.errors = [], [LineError(1, "", str(err))]
    result.errors = result.errors or _file_errors(lines)
    if not result.errors:
        rows, result.errors = parse_rows(lines, case_types=known_case_types())
        result.count = len(rows)
        if not result.errors and not dry_run:
            save_rows(rows)
            result.saved = True
    record("import", now=now, user=actor, ip=ip, what="taxonomy", rows=result.count, dry_run=dry_run,
           saved=result.saved, errors=len(result.errors))  # fmt: skip
    return result


def export_csv() -> str:
    """The whole taxonomy in the import format, parents before children (formula-like names quoted, which the
    import reads back as they were: app/spreadsheets.py `unquoted`)."""
    codes = dict(db.session.execute(select(Category.id, Category.code)).tuples().all())
    rows: list[list[Any]] = [list(COLUMNS)]
    for c in db.session.scalars(select(Category).order_by(Category.level, Category.code)):
        parent = codes.get(c.parent_id) if c.parent_id is not None else ""
        rows.append([c.code, parent, c.name, c.name_en or "", c.case_type or "", c.unit_kind or "",
                     c.time_limit or "", "yes" if c.admitted else "no"])  # fmt: skip
    return as_csv(rows)


def category_name(category: Category | None) -> str:
    """An event category's name in the reader's language ("" for none): its English name, where it has one, in English."""
    if category is None:
        return ""
    return (category.name_en or category.name) if locale_code() == "en" else category.name
