"""Helpers shared by every app's tests: API clients, the error body, query counts."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from tests.factories import PASSWORD

QUERY_CEILING = 12
# The city bureau's dashboard (issue 12's ceiling): 3 (session, user, membership) + 4
# coverage + 2 procurement panel + 3 workforce trend + 2 contract figures = 14.
DASHBOARD_CEILING = 15


def api_for(membership) -> APIClient:
    """An API client authenticated with the member's token (obtained like a real client)."""
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": membership.user.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def assert_error(response, status, code):
    """The common error body: ``{"error": {"status", "code", "message", "fields"}}``."""
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert isinstance(body["fields"], dict)
    return body


def get(client, url, ceiling=QUERY_CEILING):
    """GET ``url`` and assert it took at most ``ceiling`` queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"
    return response


def query_count(action: Callable[[], object]) -> int:
    """How many queries ``action()`` runs."""
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def assert_constant_queries(
    action: Callable[[], object], grow: Callable[[], object], *, exactly: int | None = None
) -> int:
    """``action()`` runs the same number of queries before and after ``grow()`` adds data.

    ``exactly`` pins the count too. Returns the count.
    """
    small = query_count(action)
    grow()
    large = query_count(action)
    assert small == large, f"{small} queries for the small scope, {large} for the large one"
    if exactly is not None:
        assert small == exactly, f"{small} queries, expected {exactly}"
    return small


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, read back with pypdf."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def sheets(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet of an XLSX as rows of cell values, read back with openpyxl."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def xlsx_bytes(rows: list[list], *, title: str = "Sheet1") -> bytes:
    """A workbook with ``rows`` on its first sheet, written by openpyxl (values as given)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    """The same as an Excel 97–2003 .xls, as WPS and older Excel save (written by xlwt)."""
    import datetime

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows: list[list]) -> bytes:
    """The same as an OpenDocument spreadsheet (.ods), as WPS and LibreOffice save (odfpy)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Sheet1")
    for row in rows:
        table_row = TableRow()
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text="" if value is None else str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "gb18030") -> bytes:
    """The same as a CSV in ``encoding`` (GB18030: Chinese Excel's "CSV (逗号分隔)")."""
    import csv

    text = io.StringIO()
    csv.writer(text).writerows([["" if value is None else value for value in row] for row in rows])
    return text.getvalue().encode(encoding)
