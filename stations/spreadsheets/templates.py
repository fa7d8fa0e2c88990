"""Templates and exports made from a sheet spec: the same columns in, the same columns out.

- ``template_workbook(spec, …)``: a 填写说明 sheet (the app's own lines, then
  one line per column saying what it takes, generated from the spec), the
  data sheet with its headers, widths and drop-downs (choice labels, 是/否,
  and the user's in-scope codes from a ``CodeList`` sheet);
- ``record_row(spec, record)`` and ``export_workbook(spec, rows, …)``: the
  records in the template's columns, so an edited export imports again and
  updates by the spec's key. Text is written as text (never a formula).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from stations.spreadsheets.reading import MAX_ROWS
from stations.spreadsheets.spec import Column, SheetSpec
from stations.spreadsheets.writing import append_row, workbook_bytes

YES, NO = "是", "否"
GUIDE_SHEET = "填写说明"
OPTIONS_SHEET = "下拉选项"
# Excel refuses an in-cell list longer than this; longer lists go to the options sheet.
INLINE_LIST_CHARACTERS = 250


@dataclass
class CodeList:
    """The codes one column accepts in the user's scope, on a sheet of their own.

    ``rows`` start with the code (text); the column ``field`` gets a drop-down
    over that first column.
    """

    title: str
    headers: list[str]
    rows: Iterable[list]
    field: str


def column_help(column: Column) -> str:
    """What a column takes, as the template's guide says it (generated from the spec)."""
    if column.kind == "choice":
        choices, _labels = column.choice_lookup()
        text = _("从下拉列表选择：%(labels)s") % {
            "labels": "、".join(str(label) for label in choices.values())
        }
        if column.aliases:
            text += _("；也可写简称：%(aliases)s") % {"aliases": "、".join(column.aliases)}
    else:
        text = {
            "code": _("代码，按文本填写，保留开头的 0"),
            "date": _("日期，如 2023-01-01，也可写 2023/1/1、2023.1.1 或 2023年1月1日"),
            "datetime": _("日期和时间（北京时间），如 2024-03-05 09:30"),
            "decimal": _("数字"),
            "bool": _("填“是”或“否”（也可写 √/×、Y/N、1/0）"),
            "year": _("四位年份，如 2023"),
        }.get(column.kind, "")
        if column.kind == "text":
            text = (
                _("文字，最多 %(n)d 个字") % {"n": column.max_length}
                if column.max_length
                else _("文字")
            )
    if column.help:
        text += "；" + column.help
    return text


def data_sheet(workbook: Workbook, spec: SheetSpec, headers: Iterable[str] = ()):
    """The workbook's first sheet as the spec's data sheet: headers, widths, frozen header."""
    sheet = workbook.active
    sheet.title = spec.name
    append_row(sheet, [*spec.headers, *headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    return sheet


def template_workbook(
    spec: SheetSpec,
    *,
    title: str,
    guide: Iterable[str] = (),
    codes: CodeList | None = None,
    choices: Mapping[str, Iterable[str]] | None = None,
    rows: Iterable[list] = (),
) -> bytes:
    """An import template for ``spec``, in Chinese whatever the interface language: empty,
    or holding ``rows`` (``record_row`` lists) that import again unchanged.

    ``guide`` lines come first on the 填写说明 sheet, then one line per column;
    ``choices`` narrows a choice column's drop-down (e.g. the statuses a new
    record may have); ``codes`` adds the in-scope code sheet and its drop-down.
    """
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = data_sheet(workbook, spec)
        for row in rows:
            append_row(sheet, row)
        last = MAX_ROWS + 1
        options = None
        lists: dict[str, str] = {}
        for column in spec.columns:
            if column.kind == "choice":
                labels = list(
                    (choices or {}).get(column.field) or column.choice_lookup()[0].values()
                )
                lists[column.field] = ",".join(str(label) for label in labels)
            elif column.kind == "bool":
                lists[column.field] = f"{YES},{NO}"
        for field_name, joined in lists.items():
            formula = f'"{joined}"'
            if len(joined) > INLINE_LIST_CHARACTERS:
                if options is None:
                    options = workbook.create_sheet(OPTIONS_SHEET)
                    options.sheet_state = "hidden"
                index = options.max_column + (1 if options["A1"].value is not None else 0)
                letter = get_column_letter(index)
                for number, label in enumerate(joined.split(","), start=1):
                    options.cell(row=number, column=index, value=label).data_type = "s"
                formula = f"'{OPTIONS_SHEET}'!${letter}$1:${letter}${len(joined.split(','))}"
            _drop_down(sheet, spec, field_name, formula, last, _("请从下拉列表中选择。"))
        if codes is not None:
            code_sheet = workbook.create_sheet(codes.title)
            append_row(code_sheet, codes.headers)
            count = 0
            for row in codes.rows:
                append_row(code_sheet, row)
                count += 1
            code_sheet.column_dimensions["A"].width = 16
            code_sheet.column_dimensions["B"].width = 30
            _drop_down(
                sheet,
                spec,
                codes.field,
                f"'{codes.title}'!$A$2:$A${count + 1}",
                last,
                _("代码不在您的管辖范围内，请从“%(sheet)s”表中选择。") % {"sheet": codes.title},
            )
        guide_sheet = workbook.create_sheet(GUIDE_SHEET, 0)
        append_row(guide_sheet, [title])
        guide_sheet["A1"].font = Font(bold=True)
        for line in guide:
            append_row(guide_sheet, [line])
        append_row(guide_sheet, [])
        append_row(guide_sheet, [_("各列填写要求（带 * 的列必填）：")])
        for column in spec.columns:
            mark = "*" if column.required else ""
            append_row(guide_sheet, [f"{column.header}{mark}：{column_help(column)}"])
        guide_sheet.column_dimensions["A"].width = 120
        workbook.active = 1
        return workbook_bytes(workbook)


def _drop_down(sheet, spec: SheetSpec, field_name: str, formula: str, last: int, error: str):
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = error
    validation.showErrorMessage = True
    letter = get_column_letter(spec.headers.index(spec.header_of(field_name)) + 1)
    validation.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(validation)


def record_row(spec: SheetSpec, record: Any, values: Mapping[str, Any] | None = None) -> list:
    """One record in the spec's columns: ``values`` first, else the attribute of that field.

    Choices are written as their labels, booleans as 是/否, dates as date
    cells, decimals as numbers, codes and text as text.
    """
    given = values or {}
    row: list = []
    for column in spec.columns:
        value = given[column.field] if column.field in given else getattr(record, column.field)
        if column.kind == "choice" and value is not None:
            value = str(column.choice_lookup()[0].get(value, value))
        elif column.kind == "bool":
            value = YES if value else NO
        elif isinstance(value, Decimal):
            value = float(value)
        elif value is None or (column.kind == "text" and value == ""):
            value = None if column.kind != "text" else ""
        elif not isinstance(value, (datetime.date, int, float)):
            value = str(value)
        row.append(value)
    return row


def export_workbook(
    spec: SheetSpec, rows: Iterable[list], *, extra_headers: Iterable[str] = (), note: str = ""
) -> bytes:
    """The records (``record_row`` lists, plus any extra cells) under the spec's headers,
    with a 说明 sheet holding ``note``; the file imports again as it is."""
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = data_sheet(workbook, spec, extra_headers)
        for row in rows:
            append_row(sheet, row)
        if note:
            note_sheet = workbook.create_sheet("说明")
            append_row(note_sheet, [note])
            note_sheet.column_dimensions["A"].width = 120
        return workbook_bytes(workbook)
