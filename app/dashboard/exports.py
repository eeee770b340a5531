"""The statistics as a table: rows for CSV and XLSX downloads."""

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from app.casetypes.names import deployed_name
from app.casetypes.registry import newest_deployed
from app.dashboard.service import Counts, Report
from app.xml_text import xml_text

COLUMNS = (
    ("received", _l("Received")),
    ("accepted", _l("Accepted")),
    ("accepted_closed", _l("Accepted and closed")),
    ("closed", _l("Closed")),
    ("closed_on_time", _l("Closed on time")),
    ("overdue_open", _l("Overdue now")),
    ("returned", _l("Returned")),
    ("visits", _l("Return visits")),
    ("satisfied", _l("Satisfied")),
    ("dissatisfied", _l("Dissatisfied")),
    ("acceptance_rate", _l("Acceptance rate")),
    ("closure_rate", _l("Closure rate")),
    ("on_time_rate", _l("On-time rate")),
    ("satisfaction_rate", _l("Satisfaction rate")),
)


def type_names(keys: Iterable[str]) -> dict[str, str]:
    """Each case type's name in the reader's language, from its newest version (the key for one never deployed):
    one statement for all of them."""
    newest = newest_deployed()
    return {key: deployed_name(newest[key]) if key in newest else key for key in keys}


def report_rows(report: Report, *, first: date, last: date) -> list[list[Any]]:
    """A header, the subtree's total, then one row per child unit and per case type."""

    def row(section: str, code: str, name: str, counts: Counts) -> list[Any]:
        values = counts.as_dict()
        return [section, code, name, first.isoformat(), last.isoformat(), *(values[key] for key, _label in COLUMNS)]

    header = [_("Section"), _("Code"), _("Name"), _("From"), _("To"), *(str(label) for _key, label in COLUMNS)]
    rows = [header, row(_("Total"), report.unit.code, report.unit.name, report.total)]
    rows += [row(_("Unit"), unit.code, unit.name, counts) for unit, counts in report.by_child_unit]
    names = type_names(report.by_case_type)
    rows += [row(_("Case type"), key, names[key], counts) for key, counts in report.by_case_type.items()]
    return rows


def as_xlsx(rows: list[list[Any]]) -> bytes:
    """The rows as a worksheet; text a cell cannot hold has U+FFFD in its place (CSV carries any text as it is), and
    text is always text: openpyxl writes a string that starts with "=" as a formula (a unit named "=HYPERLINK(…)")."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("statistics")
    for values in rows:
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet: Any, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=xml_text(value))  # a worksheet is XML: a name with a control character
    cell.data_type = "s"
    return cell
