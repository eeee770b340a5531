"""Bulk import of org units and users from CSV: every line checked, nothing kept unless all are good.

Each line is applied in a savepoint through the same services as the forms (so a
unit may name a parent created a few lines earlier); any error, or a dry run,
rolls the savepoint back.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from app.admin.org_service import create_unit
from app.admin.user_service import create_user
from app.audit.service import record
from app.errors import DomainError
from app.extensions import db
from app.org.models import OrgKind, User
from app.org.service import unit_by_code
from app.spreadsheets import csv_text, unreadable_line

MAX_ROWS = 20000
COLUMNS = {
    "units": ("code", "name", "kind", "parent_code"),
    "users": ("username", "display_name", "password", "role", "unit_code"),
}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)
    applied: bool = False


def import_csv(kind: str, content: bytes, *, actor: User, now: datetime, dry_run: bool) -> ImportReport:
    report = ImportReport(kind)
    rows = _rows(kind, content, report)
    if report.errors:
        return report
    apply_row: Callable[[dict[str, str]], object] = _unit_row(actor, now) if kind == "units" else _user_row(actor, now)
    savepoint = db.session.begin_nested()
    for line, row in rows:
        try:
            with db.session.begin_nested():
                apply_row(row)
        except DomainError as err:
            report.errors.extend((line, name, message) for name, message in (err.fields or {"": err.message}).items())
    report.rows = len(rows)
    if report.errors or dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.applied = True
    record(
        "import", now=now, user=actor, what=kind, rows=report.rows, applied=report.applied, errors=len(report.errors)
    )
    db.session.flush()
    return report


def _rows(kind: str, content: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    try:
        text = csv_text(content)
    except ValueError as err:
        report.errors.append((1, "", str(err)))
        return []
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [c for c in COLUMNS[kind] if c not in (reader.fieldnames or [])]
        rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    except csv.Error as err:
        report.errors.append((reader.reader.line_num, "", unreadable_line(reader, err)))
        return []
    if missing:
        report.errors.append((1, "", _("Missing columns: %(columns)s", columns=", ".join(missing))))
        return []
    if len(rows) > MAX_ROWS:
        report.errors.append((1, "", _("At most %(n)d lines per file.", n=MAX_ROWS)))
        return []
    return rows


def _unit_row(actor: User, now: datetime) -> Callable[[dict[str, str]], object]:
    kinds = {k.value: k for k in OrgKind}

    def apply(row: dict[str, str]) -> object:
        return create_unit(row["code"], row["name"], kinds.get(row["kind"]), unit_by_code(row["parent_code"]),
                           actor=actor, now=now)  # fmt: skip

    return apply


def _user_row(actor: User, now: datetime) -> Callable[[dict[str, str]], object]:
    def apply(row: dict[str, str]) -> object:
        return create_user(row["username"], row["display_name"], row["password"], row["role"],
                           unit_by_code(row["unit_code"]), actor=actor, now=now)  # fmt: skip

    return apply
