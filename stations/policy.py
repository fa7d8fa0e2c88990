"""The policy catalogue (DESIGN.md §5): every threshold the platform checks, with its clause.

Codes are fixed: rules, the API and the policy page use them. Values and the
periods they apply to are each tenant's (``PolicyValue`` rows, seeded from the
defaults below when a tenant is created, changed by city admins). The defaults
come from 柳州's three-year plan (seeds/liuzhou-three-year-plan-2021-2023.txt).

Reading: ``policy_value(actor, code, on)`` gives the value in force on a day
and raises ``PolicyMissing`` (with a Chinese message naming the code) when the
tenant has none: a rule never falls back to a number written in code.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise
OPEN = None  # an open end: the value applies until another replaces it


class Unit(models.TextChoices):
    FRACTION = "fraction", _("比例（0–1）")
    YEAR = "year", _("年份")
    COUNT = "count", _("个（人）")
    YEARS = "years", _("年")
    PERCENT_OF_MINIMUM_WAGE = "percent_of_minimum_wage", _("% 最低工资")
    YUAN_PER_MONTH = "yuan_per_month", _("元/月")
    HOURS = "hours", _("小时")
    DAY_OF_MONTH = "day_of_month", _("日（次月）")
    MULTIPLE = "multiple", _("倍")
    BOOLEAN = "boolean", _("是/否")
    CLAUSES = "clauses", _("条款清单")


class Kind(models.TextChoices):
    """How a value is written and checked."""

    FRACTION = "fraction", _("比例")
    NUMBER = "number", _("数值")
    INTEGER = "integer", _("整数")
    RANGE = "range", _("区间")
    BOOLEAN = "boolean", _("是/否")
    TEXT_LIST = "text_list", _("清单")


@dataclass(frozen=True)
class Default:
    effective_from: datetime.date
    effective_to: datetime.date | None
    value: Any


@dataclass(frozen=True)
class PolicyDefinition:
    code: str
    title: StrOrPromise
    kind: str
    unit: str
    clause: str
    defaults: tuple[Default, ...]

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)


def _year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


PLAN_START = datetime.date(2020, 1, 1)


def _always(value: Any, start: datetime.date = PLAN_START) -> tuple[Default, ...]:
    return (Default(start, OPEN, value),)


CATALOGUE: tuple[PolicyDefinition, ...] = (
    PolicyDefinition(
        "coverage_target",
        _("乡镇（街道）社工站覆盖率目标"),
        Kind.FRACTION,
        Unit.FRACTION,
        "一(三)1",
        (
            Default(*_year(2020), 0.35),  # the baseline the plan starts from
            Default(*_year(2021), 0.70),
            Default(*_year(2022), 1.0),
            Default(datetime.date(2023, 1, 1), OPEN, 1.0),
        ),
    ),
    PolicyDefinition(
        "standardisation_year",
        _("社工站全部达到“六有”标准的年份"),
        Kind.INTEGER,
        Unit.YEAR,
        "一(三)1、二(一)3",
        _always(2023),
    ),
    PolicyDefinition(
        "licensed_growth_rate",
        _("持证社工年增长率"),
        Kind.FRACTION,
        Unit.FRACTION,
        "一(三)2",
        _always(0.25),
    ),
    PolicyDefinition(
        "licensed_multiple_of_baseline",
        _("持证社工数为基准年年末的倍数（2023 年为 2020 年的 2 倍）"),
        Kind.NUMBER,
        Unit.MULTIPLE,
        "一(三)2",
        (Default(*_year(2023), 2.0),),
    ),
    PolicyDefinition(
        "licensed_baseline_year",
        _("持证社工倍数目标的基准年（取该年年末人数）"),
        Kind.INTEGER,
        Unit.YEAR,
        "一(三)2",
        _always(2020),
    ),
    PolicyDefinition(
        "licensed_per_township_min",
        _("每个乡镇（街道）持证社工最少人数"),
        Kind.INTEGER,
        Unit.COUNT,
        "一(三)2",
        _always(1),
    ),
    PolicyDefinition(
        "specialist_share_min",
        _("各专业领域持证社工占比下限（未成年人保护、社会救助、养老服务、司法保护，各自）"),
        Kind.FRACTION,
        Unit.FRACTION,
        "一(三)2",
        _always(0.10),
    ),
    PolicyDefinition(
        "organisations_incubated_per_county_min",
        _("每个县（市、区）孵化社工机构最少数量（2021–2023 年累计）"),
        Kind.INTEGER,
        Unit.COUNT,
        "一(三)3",
        (Default(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31), 3),),
    ),
    PolicyDefinition(
        "demonstration_stations_per_county",
        _("每个县（市、区）示范社工站数量"),
        Kind.RANGE,
        Unit.COUNT,
        "二(一)2",
        _always({"min": 1, "max": 2}),
    ),
    PolicyDefinition(
        "stationed_workers_per_station_min",
        _("每个社工站驻站社工最少人数"),
        Kind.INTEGER,
        Unit.COUNT,
        "二(三)2",
        _always(2),
    ),
    PolicyDefinition(
        "qualification_within_years",
        _("驻站社工取得职业资格的期限"),
        Kind.INTEGER,
        Unit.YEARS,
        "二(三)2",
        _always(2),
    ),
    PolicyDefinition(
        "pay_floor_unlicensed_pct",
        _("未持证驻站社工薪酬下限"),
        Kind.INTEGER,
        Unit.PERCENT_OF_MINIMUM_WAGE,
        "二(三)2",
        _always(160),
    ),
    PolicyDefinition(
        "pay_floor_assistant_pct",
        _("助理社会工作师薪酬下限"),
        Kind.INTEGER,
        Unit.PERCENT_OF_MINIMUM_WAGE,
        "二(三)2",
        _always(200),
    ),
    PolicyDefinition(
        "pay_floor_social_worker_pct",
        _("社会工作师薪酬下限"),
        Kind.INTEGER,
        Unit.PERCENT_OF_MINIMUM_WAGE,
        "二(三)2",
        _always(230),
    ),
    PolicyDefinition(
        "minimum_wage_monthly",
        _("当地月最低工资标准（请按本市公布标准填写）"),
        Kind.NUMBER,
        Unit.YUAN_PER_MONTH,
        "二(三)2",
        _always(1810),
    ),
    PolicyDefinition(
        "evaluator_independence",
        _("第三方评估机构不得承接社工站项目"),
        Kind.BOOLEAN,
        Unit.BOOLEAN,
        "二(三)3",
        _always(True),
    ),
    PolicyDefinition(
        "supervision_sessions_per_station_month_min",
        _("每站每月督导最少次数"),
        Kind.INTEGER,
        Unit.COUNT,
        "二(四)3",
        _always(1),
    ),
    PolicyDefinition(
        "supervision_hours_per_session_min",
        _("每次督导最少时长"),
        Kind.NUMBER,
        Unit.HOURS,
        "二(四)3",
        _always(16),
    ),
    PolicyDefinition(
        "stations_per_supervisor",
        _("每名督导负责的社工站数量"),
        Kind.RANGE,
        Unit.COUNT,
        "二(四)3",
        _always({"min": 2, "max": 8}),
    ),
    PolicyDefinition(
        "training_hours_per_year_min",
        _("驻站社工每年培训最少学时"),
        Kind.NUMBER,
        Unit.HOURS,
        "二(四)3",
        _always(48),
    ),
    PolicyDefinition(
        "contract_years",
        _("购买服务合同期限"),
        Kind.RANGE,
        Unit.YEARS,
        "三(二)",
        _always({"min": 1, "max": 3}),
    ),
    PolicyDefinition(
        "contract_required_clauses",
        _("购买服务合同必备条款"),
        Kind.TEXT_LIST,
        Unit.CLAUSES,
        "三(二)",
        _always(["服务人员安排", "服务具体内容", "服务目标", "资金管理", "督导培训", "评估要求"]),
    ),
    PolicyDefinition(
        "social_assistance_funds_share_max",
        _("社会救助专项经费用于购买服务的比例上限"),
        Kind.FRACTION,
        Unit.FRACTION,
        "四(二)",
        _always(0.02),
    ),
    PolicyDefinition(
        "supervision_hours_per_day_max",
        _("一名督导一天记录的督导时长上限（超过时提示审核人）"),
        Kind.INTEGER,
        Unit.HOURS,
        "平台默认",
        _always(12),
    ),
    PolicyDefinition(
        "submission_deadline_day",
        _("月度督导填报截止日（次月）"),
        Kind.INTEGER,
        Unit.DAY_OF_MONTH,
        "平台默认",
        _always(10),
    ),
)

DEFINITIONS: dict[str, PolicyDefinition] = {definition.code: definition for definition in CATALOGUE}


class PolicyMissing(LookupError):
    """The tenant has no value of a policy code in force on the day asked."""


class InvalidPolicyValue(ValueError):
    """A value that its code's kind does not accept; the message is for the user."""


def seed_defaults(apps, code: str, note: str) -> None:
    """Give every tenant without a value of ``code`` the catalogue's defaults, with ``note``:
    the data migration of a code added after tenants exist (``apps`` is the migration's
    app registry)."""
    definition = DEFINITIONS[code]
    Tenant = apps.get_model("stations", "Tenant")  # noqa: N806 - a model class
    PolicyValue = apps.get_model("stations", "PolicyValue")  # noqa: N806
    for tenant in Tenant.objects.exclude(policy_values__code=code):
        PolicyValue.objects.bulk_create(
            PolicyValue(
                tenant=tenant,
                code=code,
                value=default.value,
                unit=str(definition.unit),
                clause=definition.clause,
                effective_from=default.effective_from,
                effective_to=default.effective_to,
                note=note,
            )
            for default in definition.defaults
        )


def definition(code: str) -> PolicyDefinition:
    """The catalogue entry of ``code``; KeyError for a code that is not in it."""
    return DEFINITIONS[code]


# No threshold of the plan comes near this (the largest is a monthly wage in yuan);
# a bound keeps a typo like 1e5000 from becoming a 5,000-digit number.
MAX_NUMBER = 1_000_000_000


def _has_control_characters(raw: Any) -> bool:
    if isinstance(raw, dict):
        return any(_has_control_characters(item) for item in raw.values())
    if isinstance(raw, list):
        return any(_has_control_characters(item) for item in raw)
    if isinstance(raw, str):
        return any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in raw)
    return False


_RANGE = re.compile(r"^\s*(\d+)\s*[-–—~～至到]\s*(\d+)\s*$")


def parse_value(code: str, raw: Any) -> Any:
    """``raw`` (typed by a user or sent by an API) as the stored value of ``code``.

    Fractions accept ``0.7`` or ``70%``; ranges ``1-2`` (or ``1–2``, ``1至2``) or
    ``{"min": 1, "max": 2}``; lists one item a line; booleans 是/否, true/false.
    Raises InvalidPolicyValue with a Chinese message.
    """
    kind = definition(code).kind
    if isinstance(raw, str):  # full-width digits, ％ and spaces as Chinese input methods type them
        raw = unicodedata.normalize("NFKC", raw)
    if _has_control_characters(raw):
        raise InvalidPolicyValue(_("取值不能包含控制字符。"))
    if kind == Kind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"是", "true", "1", "yes", "y"}:
            return True
        if text in {"否", "false", "0", "no", "n"}:
            return False
        raise InvalidPolicyValue(_("请填写“是”或“否”。"))
    if kind == Kind.TEXT_LIST:
        items = raw if isinstance(raw, list) else str(raw).splitlines()
        cleaned = [str(item).strip()[:100] for item in items if str(item).strip()][:50]
        if not cleaned:
            raise InvalidPolicyValue(_("请至少填写一项（每行一项）。"))
        return cleaned
    if kind == Kind.RANGE:
        if isinstance(raw, dict):
            low, high = raw.get("min"), raw.get("max")
        else:
            match = _RANGE.match(str(raw))
            if match is None:
                raise InvalidPolicyValue(_("请按“最小值-最大值”填写，如 1-2。"))
            low, high = match.groups()
        try:
            low, high = int(str(low)), int(str(high))
        except ValueError:
            raise InvalidPolicyValue(_("区间的两端必须是整数。")) from None
        if high > MAX_NUMBER:
            raise InvalidPolicyValue(_("数值过大：不能超过 %(max)s。") % {"max": f"{MAX_NUMBER:,}"})
        if low < 0 or high < low:
            raise InvalidPolicyValue(_("区间的最小值不能为负，也不能大于最大值。"))
        return {"min": low, "max": high}
    text = str(raw).strip().replace(",", "")
    percent = kind == Kind.FRACTION and text.endswith("%")
    try:
        number = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise InvalidPolicyValue(_("请填写数字。")) from None
    if not number.is_finite() or number < 0:
        raise InvalidPolicyValue(_("请填写不小于 0 的数字。"))
    if number > MAX_NUMBER:
        raise InvalidPolicyValue(_("数值过大：不能超过 %(max)s。") % {"max": f"{MAX_NUMBER:,}"})
    if percent:
        number = number / 100
    if kind == Kind.FRACTION:
        if number > 1:
            raise InvalidPolicyValue(_("比例应在 0 到 1 之间（或 0% 到 100%）。"))
        return float(number)
    if kind == Kind.INTEGER:
        if number != number.to_integral_value():
            raise InvalidPolicyValue(_("请填写整数。"))
        return int(number)
    return float(number) if number != number.to_integral_value() else int(number)


def display_value(code: str, value: Any) -> str:
    """A value as a person reads it: ``70%``, ``1–2``, ``是``, ``16 小时``, a list joined by 、."""
    unit = definition(code).unit
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if isinstance(value, dict):
        return f"{value.get('min')}–{value.get('max')}"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if unit == Unit.FRACTION:
        return f"{Decimal(str(value)) * 100:f}".rstrip("0").rstrip(".") + "%"
    if unit in (Unit.YEAR, Unit.COUNT):
        return str(value)
    return f"{value} {Unit(unit).label}"
