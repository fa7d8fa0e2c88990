"""Statistical division codes (统计用区划代码): normalising, levels and township kinds.

A full code has 12 digits: province 2 + city 2 + county 2 + township 3 +
village 3. People write the significant prefix (4502, 450202, 450202001);
every function here accepts that form and pads it.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 12
# Length of the significant prefix of each level's code.
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
_SHORT_CODE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$")


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class TownshipKind(models.TextChoices):
    """Kind of a township-level unit, fixed by the range of its three-digit code."""

    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    TOWNSHIP_LIKE = "township_like", _("类似乡级单位")


# Kinds that count towards station coverage unless a tenant overrides a unit.
COUNTED_KINDS = (TownshipKind.SUBDISTRICT, TownshipKind.TOWN, TownshipKind.TOWNSHIP)


INVALID_CODE_MESSAGE = _(
    "区划代码“%(value)s”无效：应为 2、4、6、9 或 12 位数字，如 4502、450202、450202001。"
)


class InvalidDivisionCode(ValueError):
    """A division code that is not 2, 4, 6, 9 or 12 digits of a well-formed code."""

    def __init__(self, value: object):
        self.value = value
        super().__init__(INVALID_CODE_MESSAGE % {"value": value})


def is_well_formed(code: str) -> bool:
    """Twelve ASCII digits whose segments nest: no non-zero segment below a zero one.

    The one exception is the county segment: cities without counties (东莞、中山、
    儋州…) list their townships directly, as 441900003000.
    """
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        return False
    province, city, township, village = code[:2], code[2:4], code[6:9], code[9:]
    if province == "00":
        return False
    if city == "00":
        return code[4:] == "00000000"
    return not (township == "000" and village != "000")


def normalize_code(value: object) -> str:
    """Return the 12-digit code for a full or short code, or raise InvalidDivisionCode."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not (len(text) == CODE_LENGTH or _SHORT_CODE.match(text)):
        raise InvalidDivisionCode(value)
    code = text.ljust(CODE_LENGTH, "0")
    if not is_well_formed(code):
        raise InvalidDivisionCode(value)
    return code


def level_of(code: str) -> Level:
    """Level of a 12-digit code: the deepest non-zero segment."""
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.CITY
    return Level.PROVINCE


def short_code(code: str) -> str:
    """The significant prefix of a 12-digit code (450202001000 → 450202001)."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    """Code of the parent division, or None for a province."""
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    order = list(PREFIX_LENGTH)
    parent_length = PREFIX_LENGTH[order[order.index(level) - 1]]
    return code[:parent_length].ljust(CODE_LENGTH, "0")


def township_kind(code: str) -> TownshipKind | None:
    """Kind of a township-level code by its range; None for other levels.

    001–099 街道, 100–199 镇, 200–399 乡 (incl. 民族乡, 苏木), 400–599 类似乡级单位.
    """
    if level_of(code) != Level.TOWNSHIP:
        return None
    number = int(code[6:9])
    if number < 100:
        return TownshipKind.SUBDISTRICT
    if number < 200:
        return TownshipKind.TOWN
    if number < 400:
        return TownshipKind.TOWNSHIP
    return TownshipKind.TOWNSHIP_LIKE


def level_codes(code: str) -> dict[str, str]:
    """Per-level prefix columns stored on every division for grouping by ancestor."""
    return {
        "province_code": code[:2],
        "city_code": code[:4],
        "county_code": code[:6],
        "township_code": code[:9],
    }
