"""Writing workbooks whose text stays text.

openpyxl writes any string that starts with ``=`` as a formula, and Excel,
WPS and LibreOffice also evaluate cells starting with ``+``, ``-``, ``@``, a
tab or a carriage return from text sources. A name such as
``=HYPERLINK("http://x","查看")`` typed by one user must never run on another
user's machine: every text cell is written as a string cell, so the reader
sees exactly the characters that were typed, and a re-import gives them back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

# The prefixes spreadsheet programs evaluate (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Characters a sheet name cannot hold.
_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def cell_value(value: object) -> object:
    """``value`` as a cell can hold it: control characters (which XML cannot carry, and
    which an uploaded file or an API client may contain) become U+FFFD."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: no / \\ * ? : [ ], at most 31 characters."""
    return _TITLE_FORBIDDEN.sub("_", name).strip("'")[:31] or "Sheet"


def append_row(sheet, values: Iterable[object]) -> None:
    """Append ``values`` to ``sheet`` (a normal or a write-only worksheet), text as text."""
    values = [cell_value(value) for value in values]
    if isinstance(sheet, Worksheet):
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"  # the typed characters, not a formula
        return
    cells = []
    for value in values:
        if is_formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    """An HTTP response that downloads ``content`` as ``filename`` (pages and APIs alike)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    # A Chinese file name goes as filename*=utf-8'' (RFC 6266), which every browser reads.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


ERROR_HEADER = "错误说明"


def error_workbook(table, errors: dict[int, list[tuple[str, str]]]) -> bytes:
    """The uploaded sheet again, each row on its own row number, with a 错误说明 column.

    ``table`` is what ``read_table`` read; ``errors`` maps a row number to
    (column header, rule) pairs. The cells of those columns are filled red,
    so the officer corrects the file they know and uploads it again.
    """
    from openpyxl.styles import Font, PatternFill

    bad = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(table.sheet or "数据")
    append_row(sheet, [*(table.raw_headers or table.headers), ERROR_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    explain_column = len(table.headers) + 1
    for number, cells in table.rows:
        for index, value in enumerate(table.raw_rows.get(number, cells), start=1):
            cell = sheet.cell(row=number, column=index, value=cell_value(value))
            if cell.data_type == "f":
                cell.data_type = "s"  # typed text, never a formula
        row_errors = errors.get(number, [])
        if not row_errors:
            continue
        for header, _rule in row_errors:
            position = table.position(header)
            if position is not None:
                sheet.cell(row=number, column=position + 1).fill = bad
        sheet.cell(
            row=number,
            column=explain_column,
            value=cell_value("；".join(f"{header}：{rule}" for header, rule in row_errors)),
        ).fill = bad
    sheet.column_dimensions[sheet.cell(row=1, column=explain_column).column_letter].width = 60
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)
