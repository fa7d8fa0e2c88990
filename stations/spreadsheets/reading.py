"""Reading the files Chinese offices send: .xlsx, .xls, .ods (python-calamine) and .csv.

A CSV is decoded as UTF-8 (with or without BOM), else GB18030 (what
"CSV (逗号分隔)" from Chinese Excel and WPS writes); UTF-16 and other
encodings are refused with a message. Every problem with the file as a whole
raises ``FileRefused`` with a Chinese message the page and the API show as
they are; nothing is written before a file has been read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from stations.spreadsheets.cells import MAX_CELL_CHARACTERS, cell_text, normalise

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


class FileRefused(ValueError):
    """The file as a whole cannot be used; the message says why, in Chinese."""


@dataclass
class Table:
    """The header row and the data rows of one sheet, cells normalised.

    ``rows`` holds (row number as the office sees it, cells); blank rows are
    skipped but keep their numbers counted.
    """

    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    sheet: str = ""
    # The cells exactly as in the file (before normalising), for the error workbook.
    raw_headers: list[object] = field(default_factory=list)
    raw_rows: dict[int, list[object]] = field(default_factory=dict)

    def position(self, header: str) -> int | None:
        """The index of the column named ``header`` (compared normalised), or None."""
        wanted = cell_text(normalise(header))
        return self.headers.index(wanted) if wanted in self.headers else None


def read_table(
    file,
    filename: str,
    *,
    sheet_name: str | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
) -> Table:
    """The first visible sheet (or ``sheet_name`` when the file has it) of an upload.

    Raises FileRefused for an unknown type, a file over ``max_bytes``, an
    unreadable or damaged file, a hidden first sheet, merged header cells, no
    header or no data row, more than ``max_rows`` rows, or a cell over
    MAX_CELL_CHARACTERS characters.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRefused(
            _("不支持的文件类型“%(suffix)s”：请上传 .xlsx、.xls、.ods 或 .csv 文件。")
            % {"suffix": suffix or _("无扩展名")}
        )
    content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileRefused(
            _("文件超过 %(mb)d MB，请分批导入。") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not content:
        raise FileRefused(_("文件是空的。"))
    if suffix == ".csv":
        raw_rows = _csv_rows(content)
        sheet = ""
    else:
        raw_rows, sheet = _workbook_rows(content, sheet_name)
    return _table(raw_rows, sheet, max_rows)


def _csv_rows(content: bytes) -> list[list[object]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or content[:200].count(b"\x00") > 10:
        raise FileRefused(
            _("CSV 是 UTF-16 编码：请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”。")
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise FileRefused(_("无法识别 CSV 文件的编码，请另存为 UTF-8 后上传。"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise FileRefused(_("CSV 文件格式有误：%(error)s") % {"error": error}) from error


def _refuse_xml_declarations(content: bytes) -> None:
    """Refuse a zipped workbook (.xlsx, .ods) whose XML parts declare a DOCTYPE or an entity.

    No office program writes them; they are how XXE and "billion laughs" files
    are built. Only the prolog of each part is read (a DOCTYPE must precede the
    root element), so a zip bomb is not inflated.
    """
    if not content.startswith(b"PK"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(member) as part:
                prolog = part.read(4096)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise FileRefused(
                    _("文件含有不允许的内容（DOCTYPE 或实体声明）；请用 Excel 或 WPS 重新保存。")
                )
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return  # the reader says the file is damaged


def _workbook_rows(content: bytes, sheet_name: str | None) -> tuple[list[list[object]], str]:
    _refuse_xml_declarations(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, ValueError, OSError) as error:
        raise FileRefused(
            _("无法读取该文件：已损坏、有密码，或不是 Excel 文件；请用 Excel 或 WPS 重新保存。")
        ) from error
    try:
        metadata = workbook.sheets_metadata
        visible = [sheet for sheet in metadata if sheet.visible == SheetVisibleEnum.Visible]
        names = [sheet.name for sheet in metadata]
        if sheet_name and sheet_name in names:
            chosen = next(sheet for sheet in metadata if sheet.name == sheet_name)
            if chosen.visible != SheetVisibleEnum.Visible:
                raise FileRefused(
                    _("工作表“%(name)s”被隐藏了：请在 Excel 中取消隐藏后再上传。")
                    % {"name": sheet_name}
                )
        elif metadata and metadata[0].visible != SheetVisibleEnum.Visible:
            raise FileRefused(
                _("第一个工作表“%(name)s”被隐藏了：请取消隐藏，或把要导入的数据放在第一个工作表。")
                % {"name": metadata[0].name}
            )
        elif not visible:
            raise FileRefused(_("文件中没有可见的工作表。"))
        else:
            chosen = visible[0]
        sheet = workbook.get_sheet_by_name(chosen.name)
        merged = [
            merge
            for merge in (getattr(sheet, "merged_cell_ranges", None) or [])
            if merge[0][0] == 0  # a merge that starts in the header row
        ]
        if merged:
            raise FileRefused(_("第一行（列名）有合并单元格：请取消合并，每列一个列名后再上传。"))
        return [list(row) for row in sheet.iter_rows()], chosen.name
    except FileRefused:
        raise
    except (CalamineError, ValueError, OSError) as error:
        raise FileRefused(
            _("文件已损坏或含有不允许的内容（如 DOCTYPE），请用 Excel 或 WPS 重新保存后上传。")
        ) from error
    finally:
        workbook.close()


def _table(raw_rows: list[list[object]], sheet: str, max_rows: int) -> Table:
    rows = iter(enumerate(raw_rows, start=1))
    headers: list[str] = []
    raw_headers: list[object] = []
    for _number, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            headers = [cell_text(normalise(cell)) for cell in cells]
            raw_headers = list(cells)
            break
    if not headers:
        raise FileRefused(_("文件中没有列名行（第一行应为列名）。"))
    table = Table(headers=headers, sheet=sheet, raw_headers=raw_headers)
    for number, cells in rows:
        values = [normalise(cell) for cell in cells]
        if all(value in (None, "") for value in values):
            continue
        if len(table.rows) == max_rows:
            raise FileRefused(_("文件超过 %(limit)d 行数据，请分批导入。") % {"limit": max_rows})
        for value in values:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
                raise FileRefused(
                    _("第 %(row)d 行有超过 %(n)d 个字的单元格，请检查文件。")
                    % {"row": number, "n": MAX_CELL_CHARACTERS}
                )
        table.rows.append((number, values))
        table.raw_rows[number] = list(cells)
    if not table.rows:
        raise FileRefused(_("文件中没有数据行。"))
    return table
