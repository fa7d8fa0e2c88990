"""Rules of the station network (plan 一(三)1, 二(一)2, 二(一)3), each with its clause.

Every check takes the scope, the city or county it is for and a day, reads its
thresholds from the tenant's policy values, and returns the figures and the
offending records in a fixed number of queries. ``reports`` runs them.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.coverage import coverage_at, operating_on
from stations.divisions import Level
from stations.models import Division, FacilityLevel, FacilityOperatingPeriod
from stations.models.facilities import SIX_HAVES
from stations.policy import PolicyMissing
from stations.registry import Finding, Rule, RuleResult
from stations.scoping import Scope
from stations.selectors import (
    divisions_visible,
    facilities_visible,
    facility_states_on,
    policy_value,
)


def percent(rate: float | None) -> str:
    """A fraction as a percentage with one decimal (0.3559 → 35.6%); — for none."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def division_url(code: str) -> str:
    """The division page of a short code (6 digits a county, 9 a township)."""
    return reverse("stations:division-detail", args=[code])


def missing_policy(error: PolicyMissing) -> RuleResult:
    """The failing result of a rule whose policy value is missing on the day; the note
    names the code."""
    return RuleResult(passed=False, expected="—", actual="—", note=str(error))


def counties_in(scope: Scope, division: Division, as_of: datetime.date) -> list[Division]:
    """The counties the rule looks at: the division itself, or the city's counties that day."""
    if division.level == Level.COUNTY:
        return [division]
    return list(
        divisions_visible(scope)
        .filter(parent=division, level=Level.COUNTY)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=as_of))
        .order_by("code")
    )


def check_coverage_target(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """The year's coverage target (policy ``coverage_target``) for the city and each county.

    Findings, when the target is missed: each county below it, then the counted
    townships without an operating station that day (of those counties only,
    when the city as a whole reaches the target).
    """
    try:
        target = float(policy_value(scope, "coverage_target", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    figures = coverage_at(scope, division, as_of)
    findings: list[Finding] = []
    county_children = [child for child in figures.children if child.division.level == Level.COUNTY]
    failing_counties = [
        child for child in county_children if child.total and (child.rate or 0) < target
    ]
    for child in failing_counties:
        findings.append(
            Finding(
                subject=child.division.name,
                division=child.division.short_code,
                expected=f"≥ {percent(target)}",
                actual=f"{percent(child.rate)} ({child.covered}/{child.total})",
                url=division_url(child.division.short_code),
            )
        )
    rate = figures.rate
    city_short = rate is None or rate < target
    passed = not city_short and not failing_counties
    # The townships that make the figure miss: all uncovered ones when the division
    # itself is short, else those of the counties below target.
    failing_codes = {child.division.county_code for child in failing_counties}
    offending = [
        unit
        for unit in ([] if passed else figures.uncovered)
        if city_short or unit["code"][:6] in failing_codes
    ]
    for unit in offending:
        findings.append(
            Finding(
                subject=f"{unit['parent__name']} {unit['name']}".strip(),
                division=unit["code"][:9],
                expected=_("有运营中的乡镇（街道）社工站"),
                actual=_("无"),
                url=division_url(unit["code"][:9]),
            )
        )
    actual = (
        f"{percent(rate)} ({figures.covered}/{figures.total})"
        if figures.total
        else _("没有计入覆盖率的乡镇（街道）")
    )
    if failing_counties:
        actual += _("；%(n)d 个县（市、区）未达标") % {"n": len(failing_counties)}
    return RuleResult(
        passed=passed,
        expected=_("覆盖率 ≥ %(target)s（全市及各县（市、区））") % {"target": percent(target)},
        actual=actual,
        findings=findings,
    )


def check_county_centre_and_demonstration(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each county has an operating county guidance centre and 1–2 demonstration stations.

    The number of demonstration stations comes from policy
    ``demonstration_stations_per_county``; a demonstration station counts from
    the year it was recognised, while it operates. Cities without counties
    (东莞, 中山…) are not concerned.
    """
    counties = counties_in(scope, division, as_of)
    if not counties:
        return RuleResult(
            passed=None,
            expected="—",
            actual="—",
            note=_("本市不设县（市、区），本规则不适用。"),
        )
    try:
        wanted = policy_value(scope, "demonstration_stations_per_county", as_of)
    except PolicyMissing as error:
        return missing_policy(error)
    low, high = int(wanted["min"]), int(wanted["max"])
    operating = list(
        FacilityOperatingPeriod.objects.filter(
            operating_on(as_of),
            tenant_id=scope.tenant_id,
            level__in=[FacilityLevel.COUNTY_CENTRE, FacilityLevel.TOWNSHIP_STATION],
            facility__county_code__in=[county.county_code for county in counties],
            facility__in=facilities_visible(scope).values("pk"),
        )
        .order_by()
        .values_list("facility_id", "level", "facility__county_code")
        .distinct()
    )
    stations = [
        facility for facility, level, _county in operating if level != FacilityLevel.COUNTY_CENTRE
    ]
    # Demonstration status as recorded at the end of that day.
    states = facility_states_on(stations, as_of, ("is_demonstration", "demonstration_year"))
    by_county: dict[str, dict[str, int]] = {}
    for facility, level, county_code in operating:
        counts = by_county.setdefault(county_code, {"centres": 0, "demonstrations": 0})
        if level == FacilityLevel.COUNTY_CENTRE:
            counts["centres"] += 1
            continue
        state = states.get(facility, {})
        year = state.get("demonstration_year")
        if state.get("is_demonstration") and year is not None and year <= as_of.year:
            counts["demonstrations"] += 1
    expected = _("县级指导中心运营中；示范站 %(low)d–%(high)d 个") % {"low": low, "high": high}
    findings = []
    for county in counties:
        counts = by_county.get(county.county_code, {})
        centres, demonstrations = counts.get("centres", 0), counts.get("demonstrations", 0)
        if centres and low <= demonstrations <= high:
            continue
        centre_text = _("有指导中心") if centres else _("无运营中的指导中心")
        findings.append(
            Finding(
                subject=county.name,
                division=county.short_code,
                expected=expected,
                actual=_("%(centre)s；示范站 %(n)d 个")
                % {"centre": centre_text, "n": demonstrations},
                url=division_url(county.short_code),
            )
        )
    met = len(counties) - len(findings)
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(met)d/%(total)d 个县（市、区）达标") % {"met": met, "total": len(counties)},
        findings=findings,
    )


def check_six_haves(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """From the year in policy ``standardisation_year``, every operating township station
    meets all of 六有 (有场地、有设备、有人员、有服务功能、有工作流程、有规章制度)."""
    try:
        year = int(policy_value(scope, "standardisation_year", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    expected = _("运营中的乡镇（街道）社工站全部“六有”齐全（%(year)d 年起）") % {"year": year}
    if as_of.year < year:
        return RuleResult(
            passed=None,
            expected=expected,
            actual="—",
            note=_("%(year)d 年起检查。") % {"year": year},
        )
    operating = FacilityOperatingPeriod.objects.filter(
        operating_on(as_of), facility_id=OuterRef("pk")
    )
    stations = (
        facilities_visible(scope)
        .filter(level=FacilityLevel.TOWNSHIP_STATION)
        .filter(Exists(operating))
        .select_related(None)
    )
    if division.level == Level.COUNTY:
        stations = stations.filter(county_code=division.county_code)
    rows = list(stations.order_by("county_code", "division_id").values("pk", "name", "division_id"))
    flags = [f"has_{stem}" for stem, _label in SIX_HAVES]
    # 六有 as recorded at the end of that day, so a past day keeps its answer.
    states = facility_states_on([row["pk"] for row in rows], as_of, flags)
    findings = []
    for row in rows:
        state = states.get(row["pk"], {})
        missing = [str(label) for stem, label in SIX_HAVES if not state.get(f"has_{stem}")]
        if not missing:
            continue
        findings.append(
            Finding(
                subject=row["name"],
                division=row["division_id"][:9],
                expected=_("六有齐全"),
                actual=_("缺：%(items)s") % {"items": _("、").join(missing)},
                url=reverse("stations:facility-detail", args=[row["pk"]]),
            )
        )
    total, complete = len(rows), len(rows) - len(findings)
    return RuleResult(
        passed=bool(total) and not findings,
        expected=expected,
        actual=_("%(complete)d/%(total)d 个站点六有齐全") % {"complete": complete, "total": total},
        findings=findings,
    )


RULES = [
    Rule(
        code="coverage_target",
        title=gettext_lazy("乡镇（街道）社工站覆盖率达到年度目标"),
        clause="一(三)1",
        check=check_coverage_target,
    ),
    Rule(
        code="county_centre_and_demonstration",
        title=gettext_lazy("每个县（市、区）有运营中的县级指导中心和示范站"),
        clause="二(一)2",
        check=check_county_centre_and_demonstration,
    ),
    Rule(
        code="six_haves",
        title=gettext_lazy("运营中的乡镇（街道）社工站全部达到“六有”标准"),
        clause="二(一)3",
        check=check_six_haves,
    ),
]
