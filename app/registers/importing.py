"""Bulk import from CSV or XLSX: every line checked first; one bad line and nothing is imported."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.service import record
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.permissions import can_write_register
from app.registers.kinds import RegisterKind
from app.registers.service import unique_taken
from app.spreadsheets import XLSX_MAGIC, as_record, csv_text, unreadable_line, xlsx_rows

MAX_LINES = 5000


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header line
    column: str
    message: str


@dataclass
class ImportResult:
    dry_run: bool
    count: int = 0  # good lines: imported, or (dry run) importable
    errors: list[LineError] = field(default_factory=list)
    skipped_bad_lines: bool = False  # the good lines went in although some were bad, as the user asked


@dataclass(frozen=True)
class _Row:
    line: int
    unit: OrgUnit
    raw: dict[str, Any]


def columns_of(kind: RegisterKind) -> tuple[str, ...]:
    return ("grid", *kind.fields)


def import_records(kind: RegisterKind, data: bytes, *, actor: User, now: datetime, dry_run: bool,
                   skip_bad_lines: bool = False) -> ImportResult:  # fmt: skip
    """Check every line of `data` (CSV or XLSX); unless dry_run, create one record per line — only when all are
    good, or, when the user chose to skip bad lines, one per good line (a file-level problem stops everything)."""
    result = ImportResult(dry_run=dry_run)
    rows = _check(kind, data, actor, result.errors)
    file_problem = any(error.line == 1 for error in result.errors)
    if result.errors and (not skip_bad_lines or file_problem or not rows):
        return result
    result.skipped_bad_lines = bool(result.errors)
    result.count = len(rows)
    if not dry_run:
        for row in rows:
            kind.create(row.unit, row.raw, actor=actor, now=now)
        if result.errors:
            skipped = sorted({e.line for e in result.errors})
            record("import", now=now, user=actor, register=kind.slug, count=len(rows), skipped_lines=skipped)
        else:
            record("import", now=now, user=actor, register=kind.slug, count=len(rows))
    return result


def _read_xlsx(data: bytes, errors: list[LineError]) -> list[dict[str, str]] | None:
    """The first sheet, its first row naming the columns; lines numbered as the sheet's rows."""
    try:
        rows = xlsx_rows(data)
    except ValueError as err:
        errors.append(LineError(1, "", str(err)))
        return None
    return [as_record(rows[0], row) for row in rows[1:]] if rows else []


def _read(data: bytes, errors: list[LineError]) -> list[dict[str, str]] | None:
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, errors)
    try:
        text = csv_text(data)
    except ValueError as err:
        errors.append(LineError(1, "", str(err)))
        return None
    reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    try:
        return list(reader)
    except csv.Error as err:
        errors.append(LineError(reader.reader.line_num, "", unreadable_line(reader, err)))
        return None


def _check(kind: RegisterKind, data: bytes, actor: User, errors: list[LineError]) -> list[_Row]:
    lines = _read(data, errors)
    if lines is None:
        return []
    header = set(lines[0].keys()) if lines else set()
    missing = [c for c in columns_of(kind) if c not in header and c in ("grid", "name", kind.unique, "address")]
    if missing or not lines:
        errors.append(LineError(1, ", ".join(missing), _("The file has no data lines or lacks required columns.")))
        return []
    if len(lines) > MAX_LINES:
        errors.append(LineError(1, "", _("At most %(num)d lines per file.", num=MAX_LINES)))
        return []
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    seen: dict[str, int] = {}
    rows = []
    for line, raw in enumerate(lines, start=2):
        unit = _check_line(kind, line, raw, actor, units, seen, errors)
        if unit is not None:
            rows.append(_Row(line, unit, raw))
    return rows


def _check_line(kind: RegisterKind, line: int, raw: dict[str, Any], actor: User, units: dict[str, OrgUnit],
                seen: dict[str, int], errors: list[LineError]) -> OrgUnit | None:  # fmt: skip
    values, fields = kind.clean(raw)
    unit = units.get(str(raw.get("grid") or "").strip())
    if unit is None or not unit.is_grid:
        fields["grid"] = _("Unknown grid code.")
    elif not can_write_register(actor, unit):
        fields["grid"] = _("You may not register records in this grid.")
    key = values[kind.unique]
    if key and kind.unique not in fields:
        if key in seen:
            fields[kind.unique] = _("Same as line %(line)d.", line=seen[key])
        elif unique_taken(kind.model, kind.unique, key, None):
            fields[kind.unique] = _("Already registered.")
        seen.setdefault(key, line)
    errors.extend(LineError(line, name, message) for name, message in sorted(fields.items()))
    return None if fields else unit
