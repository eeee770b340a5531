"""Reading an uploaded CSV file or XLSX workbook as text, for every import that takes them.

No column can hold the NUL character (PostgreSQL refuses it in text), so a CSV file with one is refused here, naming
its line, instead of failing the import's write (app/storable_text.py says more).
"""

import csv
import io
import zipfile
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive: an XLSX workbook; anything else is read as CSV


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a cell, e.g. a phone number
    return str(value).strip()


def csv_text(data: bytes) -> str:
    """An uploaded CSV file's text, without its byte-order mark; ValueError when it is not UTF-8 or holds a NUL."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(_("The file is not UTF-8 text.")) from err
    if (at := text.find("\x00")) >= 0:
        line = text.count("\n", 0, at) + 1
        raise ValueError(_("Line %(line)d holds a NUL character, which cannot be stored.", line=line))
    return text


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text, the first naming the columns; ValueError when the file is not a workbook. (A
    workbook's cells cannot hold NUL: XML has no way to write it, and openpyxl leaves `_x0000_` as it is.)"""
    try:  # a read-only workbook reads its sheet while iterating: a broken part fails there (SyntaxError: its XML)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [[_cell(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError, IndexError) as err:
        raise ValueError(_("The file is not a readable XLSX workbook.")) from err


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet program may run as a formula (OWASP)


def inert_csv_text(value: str) -> str:
    """Text for a CSV cell that a spreadsheet will show, not run: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unquoted(value: str) -> str:
    """A cell read back from a CSV file `inert_csv_text` wrote: the quote before a formula character dropped."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def as_csv(rows: list[list[Any]]) -> str:
    """Rows as a CSV file a spreadsheet program opens right: a byte-order mark (so it reads Chinese as UTF-8), and
    text that would start a formula quoted (`inert_csv_text`). Every CSV the app writes goes through here."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for values in rows:
        writer.writerow(["" if v is None else inert_csv_text(v) if isinstance(v, str) else v for v in values])
    return out.getvalue()


def unreadable_line(rows: "csv.DictReader[str]", err: csv.Error) -> str:
    """Where the csv module gave up (a field over its 128 KB limit, say): the message, naming the line. (The
    DictReader's own line count moves only after a row is read whole, so it names the line before; its reader's
    counts the line it was reading.)"""
    return str(_("Line %(line)d could not be read as CSV: %(reason)s", line=rows.reader.line_num, reason=str(err)))


def as_record(header: list[str], row: list[str]) -> dict[str, str]:
    """A row under its column names (short rows padded with empty cells)."""
    return dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
