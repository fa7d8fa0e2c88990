"""Population per division and year (the denominator of the ‰ density), kept by the city."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.history import register_actions
from stations.models import Division, Membership
from stations.services.history import acting
from workforce import permissions
from workforce.models import Population

register_actions({"population_set": gettext_lazy("登记了人口数")})

# Census figures exist from 1953; a year before is a typing mistake.
FIRST_YEAR = 1953


def population_check(
    *, actor: Membership, division: Any, year: Any, population: Any, source: Any
) -> Population:
    """The figure to set, unsaved (see population_set); every problem at once."""
    if not permissions.can_manage_population(actor):
        raise PermissionDenied(_("只有市级管理员可以登记人口数。"))
    errors: dict[str, list] = {}
    found = None
    try:
        code = normalize_code(division)
    except InvalidDivisionCode as error:
        errors.setdefault("division", []).append(str(error))
    else:
        found = Division.objects.filter(
            code=code, city_code=actor.tenant.code, level__in=[Level.CITY, Level.COUNTY]
        ).first()
        if found is None:
            errors.setdefault("division", []).append(
                _("“%(code)s”不是本市或本市的县（市、区）。") % {"code": division}
            )
    try:
        year_number = int(str(year))
    except ValueError:
        year_number = 0
    if not FIRST_YEAR <= year_number <= timezone.localdate().year:
        errors.setdefault("year", []).append(
            _("年份应在 %(first)d 至今年之间。") % {"first": FIRST_YEAR}
        )
    try:
        count = int(str(population))
    except ValueError:
        count = 0
    if not 0 < count < 200_000_000:
        errors.setdefault("population", []).append(_("人口数应为大于 0 的整数。"))
    text = str(source or "").strip()
    if not text:
        errors.setdefault("source", []).append(_("请注明数据来源，如“第七次全国人口普查”。"))
    elif len(text) > 200:
        errors.setdefault("source", []).append(_("数据来源不能超过 200 个字符。"))
    if errors:
        raise ValidationError(errors)
    assert found is not None
    return Population(
        tenant_id=actor.tenant_id, division=found, year=year_number, population=count, source=text
    )


def population_set(
    *, actor: Membership, division: Any, year: Any, population: Any, source: Any
) -> Population:
    """Set the population of the city or one of its counties in ``year`` (replacing an
    earlier figure of that year), with its source. Raises PermissionDenied (not a city
    admin) or ValidationError with every problem: a division that is not the city or one
    of its counties, a year outside 1953..this year, a population that is not a whole
    number above 0, no source."""
    figure = population_check(
        actor=actor, division=division, year=year, population=population, source=source
    )
    with acting(actor.user, action="population_set", tenant=actor.tenant.code):
        row, _created = Population.objects.update_or_create(
            tenant_id=actor.tenant_id,
            division=figure.division,
            year=figure.year,
            defaults={"population": figure.population, "source": figure.source},
        )
    return row
