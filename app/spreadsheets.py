"""Reading an uploaded XLSX workbook as text rows, for every import that takes spreadsheets as well as CSV."""

import io
import zipfile

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


def xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text, the first naming the columns; ValueError when the file is not a workbook."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as err:
        raise ValueError(_("The file is not a readable XLSX workbook.")) from err
    rows = [[_cell(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def as_record(header: list[str], row: list[str]) -> dict[str, str]:
    """A row under its column names (short rows padded with empty cells)."""
    return dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
