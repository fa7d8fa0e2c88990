"""One cell as offices type it, into the value a service takes.

Every cell is normalised first (NFKC: full-width digits, letters and spaces;
non-breaking spaces removed; trimmed), then converted by the column's kind.
A conversion that fails raises ``CellError`` whose message is the rule, in
Chinese, for the row error (row, column, value, rule).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Excel's day 0 for serial dates (1900 system, with its phantom 1900-02-29).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers of 1900-03-01 … 2100-12-31: anything else is not a date someone meant.
SERIAL_RANGE = (61, 73415)
MAX_CELL_CHARACTERS = 5000

YES_WORDS = frozenset({"是", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "对", "有"})
NO_WORDS = frozenset({"否", "×", "✗", "✘", "X", "N", "NO", "0", "FALSE", "无", "没有"})

# 2023-01-01 and the usual Chinese ways: 2023-1-1, 2023/1/1, 2023.1.1, 2023年1月1日.
# A time after the date (a datetime typed as text, or exported by WPS) is ignored.
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# One rule for every date that cannot be read (also an impossible one, 2023-02-30); the
# template's help names the other spellings accepted.
DATE_RULE = gettext_noop("应为日期，格式 YYYY-MM-DD")
DATETIME_RULE = gettext_noop("应为日期和时间，格式 YYYY-MM-DD HH:MM")
# Matched against text with its blanks collapsed to single spaces and at most
# DATETIME_CHARACTERS long, so no cell can make the match slow.
_DATETIME = re.compile(
    r"(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2})(?: ?日)?(?: ?T ?| )?"
    r"(\d{1,2}) ?[:：时] ?(\d{1,2})(?: ?[:：分] ?(\d{1,2}))?(?: ?[分秒])?"
)
DATETIME_CHARACTERS = 40


class CellError(ValueError):
    """A cell that cannot become its column's value; the message is the rule broken."""


def normalise(value: object) -> object:
    """A raw cell (str, int, float, bool, date, datetime, None) made comparable.

    Text is NFKC-normalised (full-width ３２０７２２ → 320722, full-width
    spaces and letters too), with non-breaking and zero-width spaces removed
    and surrounding blanks trimmed; other values are returned as they are.
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
        return text.strip()
    return value


def cell_text(value: object) -> str:
    """The text of a normalised cell: '' for empty; 12.0 → '12'; dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            return f"{value:%Y-%m-%d %H:%M}"
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_text(value: object, *, max_length: int | None = None) -> str:
    text = cell_text(value)
    if _CONTROL.search(text):
        raise CellError(_("含有不可见的控制字符"))
    if max_length is not None and len(text) > max_length:
        raise CellError(_("不能超过 %(n)d 个字") % {"n": max_length})
    return text


def to_code(value: object) -> str:
    """A code (division, USCC, ID number…): digits and letters kept as typed.

    Leading zeros stay; a number cell that Excel turned into 4.50202E+11 or
    a float with a fraction is refused rather than guessed.
    """
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 1e15:
            raise CellError(_("代码被 Excel 当作数字改写了，请把该列设为“文本”后重新填写"))
        return str(int(value))
    text = cell_text(value)
    if _SCIENTIFIC.match(text):
        raise CellError(_("代码被 Excel 写成了科学计数法，请把该列设为“文本”后重新填写"))
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def to_date(value: object) -> datetime.date:
    """A date cell, an Excel serial number, or text in one of the usual spellings."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_(DATE_RULE))
    text = cell_text(value)
    if text.isdigit() and SERIAL_RANGE[0] <= int(text) <= SERIAL_RANGE[1] and len(text) == 5:
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))  # a serial pasted as text
    match = _DATE.fullmatch(text)
    if match is None:
        raise CellError(_(DATE_RULE))
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_(DATE_RULE)) from None  # 2023/13/01, 2023-02-30


def to_datetime(value: object) -> datetime.datetime:
    """A date-and-time cell (naive, as typed: the caller knows the time zone), an Excel
    serial with its fraction of a day, or text like ``2024-03-05 09:30``. A date without
    a time is refused, never taken as midnight."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, datetime.date):
        raise CellError(_(DATETIME_RULE))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and not float(value).is_integer():
            moment = datetime.datetime.combine(EXCEL_EPOCH, datetime.time()) + datetime.timedelta(
                days=float(value)
            )
            return (moment + datetime.timedelta(seconds=30)).replace(second=0, microsecond=0)
        raise CellError(_(DATETIME_RULE))
    text = " ".join(cell_text(value).split())
    match = _DATETIME.fullmatch(text) if len(text) <= DATETIME_CHARACTERS else None
    if match is None:
        raise CellError(_(DATETIME_RULE))
    year, month, day, hour, minute, second = match.groups()
    try:
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        raise CellError(_(DATETIME_RULE)) from None  # 2024-02-30, 25:00


def to_bool(value: object) -> bool:
    """是/否, √/×, Y/N, 1/0, TRUE/FALSE (and a real boolean cell)."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).upper()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(_("只能填“是”或“否”"))


def to_decimal(value: object, *, minimum: Decimal | None = None) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    text = cell_text(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("应为数字")) from None
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise CellError(_("应为数字"))
    if minimum is not None and number < minimum:
        raise CellError(_("不能小于 %(min)s") % {"min": minimum})
    return number


def to_year(value: object) -> int:
    text = cell_text(value)
    if not (text.isdigit() and len(text) == 4):
        raise CellError(_("应为四位年份，如 2023"))
    return int(text)


def choice_labels(choices: dict, aliases: dict | None = None) -> dict[str, str]:
    """Normalised label → code for ``choices`` (code → label) and ``aliases`` (short → code)."""
    # Labels compared as normalised cells are: （） typed or pasted either way.
    by_label = {str(normalise(str(label))): code for code, label in choices.items()}
    by_label.update({str(normalise(short)): code for short, code in (aliases or {}).items()})
    return by_label


def to_choice(
    value: object, choices: dict, aliases: dict | None = None, *, labels: dict | None = None
) -> str:
    """The code of a choice given as its code, its Chinese label or a common short label.

    ``choices`` maps code → label; ``aliases`` maps a short label → code;
    ``labels`` is ``choice_labels(choices, aliases)`` when the caller keeps it.
    """
    text = cell_text(normalise(value))
    if text in choices:
        return text
    by_label = labels if labels is not None else choice_labels(choices, aliases)
    if text in by_label:
        return by_label[text]
    raise CellError(
        _("应为以下之一：%(choices)s")
        % {"choices": "、".join(str(label) for label in choices.values())}
    )
