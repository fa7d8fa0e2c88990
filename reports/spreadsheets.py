"""Cells written to spreadsheets the platform produces."""

from __future__ import annotations

# A text cell starting with one of these is run as a formula by Excel, WPS and
# LibreOffice (CSV injection): =HYPERLINK(...) planted in a name would run on
# the reader's machine.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` as text that no spreadsheet program evaluates: a leading ' when needed."""
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value
