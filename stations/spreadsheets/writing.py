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
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

# The prefixes spreadsheet programs evaluate (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def append_row(sheet, values: Iterable[object]) -> None:
    """Append ``values`` to ``sheet`` (a normal or a write-only worksheet), text as text."""
    values = list(values)
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

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
