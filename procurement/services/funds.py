"""Writes of the social assistance special funds (社会救助专项经费) a county has in a year:
the base of rule social_assistance_funds_share_max (plan 四(二))."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement import permissions
from procurement.models import AssistanceFunds
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.history import register_actions
from stations.models import Division, Membership
from stations.services.history import acting

# Budgets are recorded from the platform's era to next year's (set before it starts).
FIRST_YEAR = 2000
# At most 16 digits with 2 decimals (the column), i.e. below 10^14 yuan.
AMOUNT_BELOW = Decimal("1e14")

register_actions({"assistance_funds_set": gettext_lazy("登记了社会救助专项经费")})


def assistance_funds_check(
    *, actor: Membership, division: Any, year: Any, amount: Any, source: Any
) -> AssistanceFunds:
    """The figure to set, unsaved (see assistance_funds_set); every problem at once."""
    if not permissions.can_manage_contracts(actor):
        raise PermissionDenied(_("您的角色不能登记社会救助专项经费。"))
    errors: dict[str, list] = {}
    county = None
    try:
        code = normalize_code(division)
    except InvalidDivisionCode as error:
        errors.setdefault("division", []).append(str(error))
    else:
        county = Division.objects.filter(
            code=code, city_code=actor.tenant.code, level=Level.COUNTY, retired_on__isnull=True
        ).first()
        own = actor.scope.county_code if actor.scope and actor.scope.level == Level.COUNTY else None
        if county is None:
            errors.setdefault("division", []).append(
                _("“%(code)s”不是本市的县（市、区）。") % {"code": division}
            )
        elif own and county.county_code != own:
            errors.setdefault("division", []).append(_("只能登记本县（市、区）的经费。"))
    try:
        year_number = int(str(year).strip())
    except ValueError:
        year_number = 0
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year_number <= last:
        errors.setdefault("year", []).append(
            _("年度应在 %(first)d 至 %(last)d 之间。") % {"first": FIRST_YEAR, "last": last}
        )
    try:
        money = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation:
        money = None
    if money is None or not money.is_finite() or not 0 < money < AMOUNT_BELOW:
        errors.setdefault("amount", []).append(_("金额应为大于 0 的数字（元）。"))
    elif money != money.quantize(Decimal("0.01")):
        errors.setdefault("amount", []).append(_("金额最多两位小数（元、角、分）。"))
    text = str(source or "").strip()
    if "\x00" in text:
        errors.setdefault("source", []).append(_("不能包含空字符。"))
    elif not text:
        errors.setdefault("source", []).append(_("请注明数据来源（如预算文件文号）。"))
    elif len(text) > 200:
        errors.setdefault("source", []).append(_("不能超过 %(limit)d 个字符。") % {"limit": 200})
    if errors:
        raise ValidationError(errors)
    assert county is not None and money is not None
    return AssistanceFunds(
        tenant=actor.tenant, division=county, year=year_number, amount=money, source=text
    )


def assistance_funds_set(
    *, actor: Membership, division: Any, year: Any, amount: Any, source: Any
) -> AssistanceFunds:
    """Set a county's social assistance special funds of ``year`` in yuan (replacing the
    year's earlier figure), with its source. A city admin sets any county of the city, a
    county officer its own. Raises PermissionDenied (other roles), or ValidationError with
    every problem: a division that is not a county of the city (or not the officer's), a
    year outside 2000..next year, an amount that is not a number of yuan above 0 with at
    most two decimals, a missing or too long source."""
    figure = assistance_funds_check(
        actor=actor, division=division, year=year, amount=amount, source=source
    )
    with acting(actor.user, action="assistance_funds_set", tenant=actor.tenant.code):
        row, _created = AssistanceFunds.objects.update_or_create(
            tenant_id=actor.tenant_id,
            division=figure.division,
            year=figure.year,
            defaults={"amount": figure.amount, "source": figure.source},
        )
    return row
