"""A sheet spec: the columns of one kind of record, declared once per app in ``<app>/sheets.py``.

From one spec come the reader (which columns a file has, every row's cells),
the conversion of each cell by its kind, the headers of the template and the
export, and the natural key that an import updates by. Apps only write specs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from stations.spreadsheets.cells import (
    CellError,
    cell_text,
    choice_labels,
    to_bool,
    to_choice,
    to_code,
    to_date,
    to_datetime,
    to_decimal,
    to_text,
    to_year,
)
from stations.spreadsheets.reading import FileRefused, Table

# The kinds a column can be, and what an empty cell becomes for each.
KINDS = ("text", "code", "choice", "date", "datetime", "decimal", "bool", "year")
_EMPTY: dict[str, Any] = {"text": "", "bool": False}
_CONVERTERS: dict[str, Callable[[object], Any]] = {
    "code": to_code,
    "date": to_date,
    "datetime": to_datetime,
    "decimal": to_decimal,
    "bool": to_bool,
    "year": to_year,
}


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, the field it fills, its kind and rules.

    ``choices`` (code → label) and ``aliases`` (short label → code) serve
    ``choice`` columns, with ``rule`` as the message when a cell is none of
    them; ``help`` is the template's hint; ``width`` in characters.
    """

    header: str
    field: str
    kind: str = "text"
    required: bool = False
    width: int = 16
    max_length: int | None = None
    choices: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None
    aliases: Mapping[str, str] | None = None
    rule: str | None = None
    help: str = ""
    # How the cell's text is shown in row errors (the preview, the API, the job's record):
    # an ID number masked, never repeated in full.
    display: Callable[[str], str] | None = None
    # label → code of a choice column per language, built on first use.
    _lookups: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def choice_lookup(self) -> tuple[dict, dict]:
        """(code → label, normalised label or alias → code) in the active language."""
        language = translation.get_language()
        if callable(self.choices) or language not in self._lookups:
            choices = dict(self.choices() if callable(self.choices) else (self.choices or {}))
            self._lookups[language] = (choices, choice_labels(choices, dict(self.aliases or {})))
        return self._lookups[language]

    def convert(self, value: object) -> Any:
        """The value a service takes for a (normalised) cell; CellError names the rule."""
        if value in (None, ""):
            if self.required:
                raise CellError(_("必填"))
            return _EMPTY.get(self.kind)
        if self.kind == "choice":
            choices, labels = self.choice_lookup()
            try:
                return to_choice(value, choices, labels=labels)
            except CellError:
                if self.rule:
                    raise CellError(_(self.rule)) from None
                raise
        converter = _CONVERTERS.get(self.kind)
        if converter is not None:
            return converter(value)
        return to_text(value, max_length=self.max_length)


@dataclass(frozen=True)
class SheetSpec:
    """The columns of one record kind, the sheet they live on and the natural key."""

    name: str  # the data sheet's name in templates and exports, e.g. 站点
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # fields naming one record, e.g. (division, level)
    # Applied to every cell text and message a row error or the preview shows (the roster
    # masks anything that looks like an ID number, whichever column it was typed in).
    redact: Callable[[str], str] | None = None
    _by_field: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_field", {column.field: column for column in self.columns})

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def key_headers(self) -> str:
        """The natural key as people read it: ``所在区划代码 + 层级``."""
        return " + ".join(self.header_of(name) for name in self.key)

    def column(self, field_name: str) -> Column | None:
        return self._by_field.get(field_name)

    def shown(self, field_name: str, text: str) -> str:
        """A cell's text as row errors show it: the column's ``display``, then ``redact``."""
        column = self.column(field_name)
        if column is not None and column.display is not None and text:
            text = column.display(text)
        return self.redacted(text)

    def redacted(self, text: str) -> str:
        """A message or cell text with what ``redact`` hides hidden."""
        return self.redact(text) if self.redact is not None and text else text

    def header_of(self, field_name: str) -> str:
        """The header of a field, for row errors ("整行" for errors of the whole row)."""
        column = self.column(field_name)
        if column is not None:
            return column.header
        return _("整行") if field_name == "__all__" else field_name

    def rows(self, table: Table) -> list[dict]:
        """Every data row as ``{"row": n, "values": {field: text}, "cells": {field: cell}}``.

        Only the columns the file has appear (an absent column changes nothing);
        a missing required column refuses the file (FileRefused).
        """
        positions = {column.field: table.position(column.header) for column in self.columns}
        missing = [
            column.header
            for column in self.columns
            if column.required and positions[column.field] is None
        ]
        if missing:
            raise FileRefused(
                _("缺少必填列：%(columns)s。请使用下载的模板，不要修改第一行的列名。")
                % {"columns": "、".join(missing)}
            )
        found = {name: index for name, index in positions.items() if index is not None}
        parsed = []
        for number, cells in table.rows:
            by_field = {
                name: cells[index] if index < len(cells) else None for name, index in found.items()
            }
            parsed.append(
                {
                    "row": number,
                    "values": {name: cell_text(value) for name, value in by_field.items()},
                    "cells": by_field,
                }
            )
        return parsed
