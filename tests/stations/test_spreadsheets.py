"""The spreadsheet kit: the files offices send, cells as people type them, safe writing."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from stations.spreadsheets import (
    CellError,
    FileRefused,
    append_row,
    normalise,
    read_table,
    to_bool,
    to_choice,
    to_code,
    to_date,
    to_decimal,
    workbook_bytes,
)
from tests.config.test_bad_input import xlsx_with_doctype
from tests.helpers import csv_bytes, ods_bytes, xls_bytes, xlsx_bytes

ROWS = [
    ["代码", "名称", "日期"],
    ["450202001", "城中街道", "2023/1/1"],
    [None, None, None],
    ["450202002", "公园街道", "2023年2月3日"],
]


def read(content: bytes, name: str, **options):
    return read_table(io.BytesIO(content), name, **options)


class TestFormats:
    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("a.xlsx", xlsx_bytes(ROWS)),
            ("a.xls", xls_bytes(ROWS)),
            ("a.ods", ods_bytes(ROWS)),
            ("a.csv", csv_bytes(ROWS, encoding="gb18030")),
            ("a.csv", csv_bytes(ROWS, encoding="utf-8")),
            ("a.csv", csv_bytes(ROWS, encoding="utf-8-sig")),
            ("A.XLSX", xlsx_bytes(ROWS)),
        ],
    )
    def test_every_format_gives_the_same_table(self, name, content):
        table = read(content, name)
        assert table.headers == ["代码", "名称", "日期"]
        assert [(number, [str(cell) for cell in cells]) for number, cells in table.rows] == [
            (2, ["450202001", "城中街道", "2023/1/1"]),
            (4, ["450202002", "公园街道", "2023年2月3日"]),
        ]

    def test_real_dates_and_numbers_survive_xls(self):
        table = read(xls_bytes([["日期", "代码"], [datetime.date(2023, 1, 1), 450202001]]), "a.xls")
        date_cell, code_cell = table.rows[0][1]
        assert to_date(date_cell) == datetime.date(2023, 1, 1)
        assert to_code(code_cell) == "450202001"

    def test_full_width_digits_and_odd_spaces_are_normalised(self):
        table = read(csv_bytes([["代码"], ["\u3000３２０７２２\u00a0"]]), "a.csv")
        assert table.rows[0][1] == ["320722"]


class TestRefused:
    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("a.pdf", b"%PDF-1.4", "不支持的文件类型"),
            ("a", b"x", "不支持的文件类型"),
            ("a.xlsx", b"", "文件是空的"),
            ("a.xlsx", b"this is not a workbook", "无法读取该文件"),
            ("a.xls", b"\xd0\xcf\x11\xe0 broken", "无法读取该文件"),
            ("a.csv", "代码\n1\n".encode("utf-16"), "UTF-16"),
            ("a.csv", b"\n\n", "没有列名行"),
            ("a.csv", "代码\n".encode(), "没有数据行"),
        ],
    )
    def test_a_clear_message(self, name, content, message):
        with pytest.raises(FileRefused, match=message):
            read(content, name)

    def test_too_big_and_too_many_rows(self):
        with pytest.raises(FileRefused, match="超过 1 MB"):
            read(b"x" * (1024 * 1024 + 1), "a.csv", max_bytes=1024 * 1024)
        rows = [["代码"]] + [[str(n)] for n in range(20_001)]
        with pytest.raises(FileRefused, match="超过 20000 行"):
            read(csv_bytes(rows), "a.csv")

    def test_a_cell_of_100000_characters(self):
        with pytest.raises(FileRefused, match="第 2 行有超过 5000 个字"):
            read(xlsx_bytes([["名称"], ["长" * 100_000]]), "a.xlsx")

    def test_a_hidden_first_sheet(self):
        workbook = Workbook()
        workbook.active.append(["代码"])
        workbook.active.append(["1"])
        workbook.active.sheet_state = "hidden"
        workbook.create_sheet("可见").append(["x"])
        with pytest.raises(FileRefused, match="被隐藏"):
            read(workbook_bytes(workbook), "a.xlsx")

    def test_merged_header_cells(self):
        workbook = Workbook()
        workbook.active.append(["代码", "", "名称"])
        workbook.active.append(["1", "2", "3"])
        workbook.active.merge_cells("A1:B1")
        with pytest.raises(FileRefused, match="合并单元格"):
            read(workbook_bytes(workbook), "a.xlsx")

    def test_a_doctype_with_an_external_entity(self):
        with pytest.raises(FileRefused, match="DOCTYPE"):
            read(xlsx_with_doctype(), "a.xlsx")

    def test_a_zip_that_is_not_a_workbook(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(FileRefused, match="无法读取该文件"):
            read(buffer.getvalue(), "a.xlsx")


class TestCells:
    @pytest.mark.parametrize(
        "value",
        [
            "2023-01-01",
            "2023-1-1",
            "2023/1/1",
            "2023.1.1",
            "2023年1月1日",
            "2023 年 1 月 1 日",
            "2023/01/01 00:00:00",
            44927,
            44927.0,
            "44927",
            datetime.datetime(2023, 1, 1, 8, 30),
            datetime.date(2023, 1, 1),
        ],
    )
    def test_dates_as_offices_write_them(self, value):
        assert to_date(normalise(value)) == datetime.date(2023, 1, 1)

    @pytest.mark.parametrize("value", ["2023/13/01", "2023-02-30", "明年", "20230101", 12.5, 0])
    def test_impossible_dates_are_errors(self, value):
        with pytest.raises(CellError):
            to_date(value)

    def test_codes_keep_their_zeros_and_refuse_scientific_notation(self):
        assert to_code(normalise("０３２０")) == "0320"
        assert to_code(450202001000.0) == "450202001000"
        assert to_code("450202001.0") == "450202001"
        for bad in ("4.50202E+11", "4.50202e11", 4.5e20, 12.5):
            with pytest.raises(CellError, match="文本"):
                to_code(bad)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("是", True), ("√", True), ("Y", True), ("y", True), (1.0, True), ("1", True),
         ("否", False), ("×", False), ("N", False), ("0", False), (False, False)],
    )  # fmt: skip
    def test_yes_and_no(self, value, expected):
        assert to_bool(normalise(value)) is expected

    def test_yes_and_no_refuse_anything_else(self):
        with pytest.raises(CellError, match="是”或“否"):
            to_bool("也许")

    def test_choices_by_code_label_or_short_label(self):
        choices = {
            "township_station": "乡镇（街道）社会工作服务站",
            "village_room": "村（社区）社工室",
        }
        aliases = {"社工站": "township_station", "社工室": "village_room"}
        assert to_choice("township_station", choices, aliases) == "township_station"
        assert to_choice("乡镇（街道）社会工作服务站", choices, aliases) == "township_station"
        assert to_choice("社工室", choices, aliases) == "village_room"
        with pytest.raises(CellError, match="应为以下之一"):
            to_choice("站", choices, aliases)

    def test_decimals(self):
        assert to_decimal("1,234.5") == Decimal("1234.5")
        for bad in ("NaN", "Infinity", "1e40", "abc", True):
            with pytest.raises(CellError):
                to_decimal(bad)


class TestWriting:
    TYPED = ['=HYPERLINK("http://x","查看")', "+86 772", "-5", "@SUM(A1)", "\tx", "普通"]

    @pytest.mark.parametrize("write_only", [False, True])
    def test_text_that_looks_like_a_formula_is_written_and_read_back_as_text(self, write_only):
        workbook = Workbook(write_only=write_only)
        sheet = workbook.create_sheet("数据") if write_only else workbook.active
        append_row(sheet, ["名称", "数值"])
        for text in self.TYPED:
            append_row(sheet, [text, 1])
        content = workbook_bytes(workbook)
        written = load_workbook(io.BytesIO(content))
        cells = [row[0] for row in written.worksheets[0].iter_rows(min_row=2)]
        assert [cell.data_type for cell in cells] == ["s"] * len(self.TYPED)
        assert [cell.value for cell in cells] == self.TYPED
        table = read(content, "a.xlsx")
        assert [cells[0] for _number, cells in table.rows] == [text.strip() for text in self.TYPED]


class TestSpec:
    def spec(self):
        from stations.spreadsheets.spec import Column, SheetSpec

        return SheetSpec(
            name="数据",
            key=("code",),
            columns=(
                Column("代码", "code", "code", required=True),
                Column("类别", "kind", "choice", choices={"a": "甲类"}, aliases={"甲": "a"},
                       rule="应为甲类"),
                Column("日期", "day", "date"),
            ),
        )  # fmt: skip

    def test_rows_keep_only_the_columns_the_file_has(self):
        table = read(csv_bytes([["代码", "备注"], ["０１２", "x"]]), "a.csv")
        assert self.spec().rows(table) == [
            {"row": 2, "values": {"code": "012"}, "cells": {"code": "012"}}
        ]

    def test_a_missing_required_column_refuses_the_file(self):
        table = read(csv_bytes([["类别"], ["甲"]]), "a.csv")
        with pytest.raises(FileRefused, match="缺少必填列：代码"):
            self.spec().rows(table)

    def test_each_column_converts_by_its_kind(self):
        code, kind, day = self.spec().columns
        assert kind.convert("甲") == "a" and kind.convert("甲类") == "a"
        with pytest.raises(CellError, match="应为甲类"):
            kind.convert("乙")
        with pytest.raises(CellError, match="必填"):
            code.convert("")
        assert day.convert("") is None and day.convert(44927) == datetime.date(2023, 1, 1)


@pytest.mark.parametrize(
    "cell, expected",
    [
        (datetime.datetime(2024, 3, 5, 9, 30, 12), datetime.datetime(2024, 3, 5, 9, 30)),
        ("2024-03-05 09:30", datetime.datetime(2024, 3, 5, 9, 30)),
        ("2024/3/5 9:30", datetime.datetime(2024, 3, 5, 9, 30)),
        ("2024年3月5日 9时30分", datetime.datetime(2024, 3, 5, 9, 30)),
        ("2024-03-05T09:30:15", datetime.datetime(2024, 3, 5, 9, 30)),
        (45356.5, datetime.datetime(2024, 3, 5, 12, 0)),  # an Excel serial with its time
    ],
)
def test_a_datetime_cell_in_its_usual_spellings(cell, expected):
    from stations.spreadsheets.cells import to_datetime

    assert to_datetime(cell) == expected


@pytest.mark.parametrize(
    "cell",
    [
        datetime.date(2024, 3, 5),  # a date alone is never taken as midnight
        "2024-03-05",
        "2024-02-30 09:00",
        "2024-03-05 25:00",
        45356,
        "2024-1-1" + " " * 4000 + "x",  # refused at once, whatever its length
    ],
)
def test_a_datetime_cell_without_a_valid_time_is_refused(cell):
    from stations.spreadsheets.cells import CellError, to_datetime

    with pytest.raises(CellError, match="日期和时间"):
        to_datetime(cell)
