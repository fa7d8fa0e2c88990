"""What every import does between reading a file and calling the app's batch services.

From a sheet spec and the rows ``SheetSpec.rows`` read: each cell converted
by its column (every bad cell of a row reported, not just the first), a key
named twice in one file refused, the per-row plan (新增 / 修改 field by field
/ 无变化) and its digest, and a service's errors turned into row errors
(row, column, value, rule). The app's import function only matches keys to
its records and calls its batch services.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from stations.spreadsheets.cells import CellError
from stations.spreadsheets.reading import read_table
from stations.spreadsheets.spec import SheetSpec
from stations.spreadsheets.writing import error_workbook

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# Import modes: upsert updates the record a row's key names; create always creates.
MODES = ("upsert", "create")

Progress = Callable[[int], None]


@dataclass
class RowError:
    """One problem of one row: the row number in the file, column header, cell text, rule."""

    row: int
    column: str
    value: str
    rule: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "rule": self.rule}


@dataclass
class RowPlan:
    """What a row does: create (new), update some fields (changed), or nothing (unchanged).

    ``changes`` lists (column header, old text, new text) for a changed row.
    """

    action: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    """The outcome of a preview or a commit: per-row plans and errors, and what was written.

    ``rows`` are the rows as read (``{"row", "values", "cells"}``); ``created``
    and ``updated`` the records written (empty unless ``committed``).
    """

    rows: list[dict]
    errors: list[RowError] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)
    updated: list[Any] = field(default_factory=list)
    plans: dict[int, RowPlan] = field(default_factory=dict)
    committed: bool = False
    _texts: dict[int, dict] | None = field(default=None, repr=False, compare=False)
    _by_row: tuple[int, dict] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, number: int, name: str) -> str:
        """The cell text of field ``name`` in row ``number`` as the file had it."""
        if self._texts is None or len(self._texts) != len(self.rows):
            self._texts = {row["row"]: row["values"] for row in self.rows}
        return str(self._texts.get(number, {}).get(name, ""))

    def errors_of(self, row: int) -> list[RowError]:
        if self._by_row is None or self._by_row[0] != len(self.errors):
            grouped: dict[int, list[RowError]] = {}
            for error in self.errors:
                grouped.setdefault(error.row, []).append(error)
            self._by_row = (len(self.errors), grouped)
        return self._by_row[1].get(row, [])

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans.values() if plan.action == action)

    @property
    def counts(self) -> dict[str, int]:
        """``{"new", "changed", "unchanged", "errors"}``: rows per plan, and rows with errors."""
        return {
            NEW: self.count(NEW),
            CHANGED: self.count(CHANGED),
            UNCHANGED: self.count(UNCHANGED),
            "errors": len({error.row for error in self.errors}),
        }

    @property
    def plan_digest(self) -> str:
        """A digest of what the rows would do: the commit refuses if it no longer matches."""
        plan = [[row, p.action, p.changes] for row, p in sorted(self.plans.items())]
        return hashlib.sha256(json.dumps(plan, ensure_ascii=False).encode()).hexdigest()[:32]


def rows_convert(spec: SheetSpec, result: ImportResult) -> dict[int, dict]:
    """Each row's converted values by row number; rows with a bad cell get errors instead.

    Only the columns the file has are converted; ``values`` of the row keep the
    cell text for the error. Every bad cell of a row is reported.
    """
    converted: dict[int, dict] = {}
    for row in result.rows:
        cells = row.get("cells") or row["values"]
        values: dict = {}
        bad = False
        for name, cell in cells.items():
            column = spec.column(name)
            if column is None:
                continue
            try:
                values[name] = column.convert(cell)
            except CellError as error:
                bad = True
                text = str(row["values"].get(name, ""))
                result.errors.append(
                    RowError(row["row"], column.header, spec.shown(name, text), str(error))
                )
        if not bad:
            converted[row["row"]] = values
    return converted


def key_repeats(spec: SheetSpec, converted: dict[int, dict], result: ImportResult) -> None:
    """Refuse (drop from ``converted``, with a row error) every later row repeating a key."""
    seen: dict[tuple, int] = {}
    first_field = spec.key[0]
    for number in list(converted):
        key = tuple(converted[number].get(name) for name in spec.key)
        first = seen.setdefault(key, number)
        if first == number:
            continue
        del converted[number]
        result.errors.append(
            RowError(
                number,
                spec.header_of(first_field),
                spec.shown(first_field, result.text(number, first_field)),
                _("与第 %(row)d 行是同一条记录（%(key)s），每条记录只能出现一次")
                % {"row": first, "key": spec.key_headers},
            )
        )


def service_errors(
    spec: SheetSpec,
    result: ImportResult,
    number: int,
    error: ValidationError | PermissionDenied,
    *,
    denied_field: str,
) -> None:
    """Add a service's refusal of row ``number`` as row errors, one per field message.

    PermissionDenied is reported on ``denied_field`` (the column that put the
    record out of reach, e.g. the division).
    """
    if isinstance(error, PermissionDenied):
        messages = {denied_field: [str(error)]}
    else:
        messages = error.message_dict
    for name, texts in messages.items():
        known = spec.column(name) is not None or name == "__all__"
        shown = name if known else denied_field
        value = spec.shown(shown, result.text(number, shown))
        for text in texts:
            result.errors.append(
                RowError(number, spec.header_of(shown), value, spec.redacted(str(text)))
            )


def sheet_rows(spec: SheetSpec, file, filename: str) -> list[dict]:
    """The data rows of an uploaded file for ``spec`` (see ``SheetSpec.rows``).

    Any format the kit reads; the spec's sheet when the file has one, else the
    first visible sheet; at most MAX_ROWS rows and MAX_BYTES. Raises
    FileRefused (a Chinese message) when the file as a whole is unusable.
    """
    return spec.rows(read_table(file, filename, sheet_name=spec.name))


def sheet_error_workbook(spec: SheetSpec, file, filename: str, errors: list) -> bytes:
    """The uploaded file again with a 错误说明 column and the cells of every row error marked.

    ``errors`` are RowErrors or their ``as_dict()`` form.
    """
    table = read_table(file, filename, sheet_name=spec.name)
    by_row: dict[int, list[tuple[str, str]]] = {}
    for error in errors:
        item = error if isinstance(error, dict) else error.as_dict()
        by_row.setdefault(int(item["row"]), []).append((item["column"], item["rule"]))
    return error_workbook(table, by_row)
