"""The spreadsheet kit every app uses: read what offices send, convert cells, write safely.

- ``read_table(file, filename)``: .xlsx, .xls, .ods (python-calamine) or .csv
  (UTF-8 with or without BOM, else GB18030) → a ``Table`` of normalised cells;
  ``FileRefused`` with a Chinese message for a file that cannot be used.
- ``cells``: ``to_text``, ``to_code``, ``to_date``, ``to_bool``, ``to_decimal``,
  ``to_year``, ``to_choice``; ``CellError`` carries the rule a cell breaks.
- ``append_row``/``workbook_bytes``: workbooks whose text never becomes a formula.
"""

from stations.spreadsheets.cells import (
    CellError,
    cell_text,
    normalise,
    to_bool,
    to_choice,
    to_code,
    to_date,
    to_decimal,
    to_text,
    to_year,
)
from stations.spreadsheets.reading import MAX_BYTES, MAX_ROWS, FileRefused, Table, read_table
from stations.spreadsheets.writing import (
    XLSX_CONTENT_TYPE,
    append_row,
    error_workbook,
    is_formula_like,
    workbook_bytes,
    xlsx_response,
)

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "FileRefused",
    "Table",
    "append_row",
    "error_workbook",
    "cell_text",
    "is_formula_like",
    "normalise",
    "read_table",
    "to_bool",
    "to_choice",
    "to_code",
    "to_date",
    "to_decimal",
    "to_text",
    "to_year",
    "workbook_bytes",
    "xlsx_response",
]
