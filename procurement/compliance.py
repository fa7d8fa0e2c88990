"""Rules of procurement (plan 一(三)3, 二(三), 二(三)2, 二(三)3, 三(二)), each with its clause.

Each check takes the scope, the city or county it is for and a day, reads its thresholds
from the tenant's policy values, and returns the figures and the offending records in a
fixed number of queries. Contracts are judged as signed: the platform records them
whatever they say and these rules flag what breaks the plan.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least, TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import (
    AssistanceFunds,
    Contract,
    ContractClause,
    ContractFacility,
    ContractFunding,
    ContractKind,
    ContractState,
    FundingSource,
    Organisation,
)
from procurement.selectors import (
    contracts_visible,
    evaluations_visible,
    live_on,
    live_station_coverage,
    stations_operating,
)
from stations.calendar import add_years
from stations.compliance import counties_in, missing_policy
from stations.divisions import Level
from stations.models import Division
from stations.policy import PolicyMissing
from stations.registry import Finding, Rule, RuleResult
from stations.scoping import Scope
from stations.selectors import (
    in_force_on,
    policy_value,
    policy_values_visible,
)


def _contract_url(contract_id: int) -> str:
    return reverse("procurement:contract-detail", args=[contract_id])


def _contracts_in(scope: Scope, division: Division) -> QuerySet[Contract]:
    """Contracts in scope bought by ``division`` (a county) or covering a facility in it;
    every contract in scope for the city."""
    contracts = contracts_visible(scope)
    if division.level == Level.COUNTY:
        covers = ContractFacility.objects.filter(
            contract=OuterRef("pk"), facility__county_code=division.county_code
        )
        contracts = contracts.filter(Q(county_code=division.county_code) | Exists(covers))
    return contracts


def _division_of(contract: Contract) -> str:
    return contract.county_code or contract.purchaser.short_code


def _term(contract: Contract) -> str:
    """The agreed term as a person reads it: 3 年, 1 年 6 个月, 8 个月 15 天."""
    end = contract.end_on + datetime.timedelta(days=1)
    months = (end.year - contract.start_on.year) * 12 + end.month - contract.start_on.month
    if end.day < contract.start_on.day:
        months -= 1
    anchor_year, anchor_month = divmod(contract.start_on.month - 1 + months, 12)
    try:
        anchor = contract.start_on.replace(
            year=contract.start_on.year + anchor_year, month=anchor_month + 1
        )
    except ValueError:
        anchor = end
    days = (end - anchor).days
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(_("%(n)d 年") % {"n": years})
    if months:
        parts.append(_("%(n)d 个月") % {"n": months})
    if days:
        parts.append(_("%(n)d 天") % {"n": days})
    return " ".join(parts) or _("0 天")


def check_contract_years(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """Contracts in force on the day run between the policy's ``contract_years`` minimum and
    maximum (plan 三(二): one to three years), counted from start to end as signed."""
    try:
        wanted = policy_value(scope, "contract_years", as_of)
    except PolicyMissing as error:
        return missing_policy(error)
    low, high = int(wanted["min"]), int(wanted["max"])
    contracts = list(_contracts_in(scope, division).filter(live_on(as_of)).order_by("number"))
    expected = _("合同期限 %(low)d–%(high)d 年") % {"low": low, "high": high}
    findings = []
    for contract in contracts:
        shortest = add_years(contract.start_on, low) - datetime.timedelta(days=1)
        longest = add_years(contract.start_on, high) - datetime.timedelta(days=1)
        if shortest <= contract.end_on <= longest:
            continue
        findings.append(
            Finding(
                subject=f"{contract.number} {contract.title}",
                division=_division_of(contract),
                expected=expected,
                actual=_("%(term)s（%(start)s 至 %(end)s）")
                % {"term": _term(contract), "start": contract.start_on, "end": contract.end_on},
                url=_contract_url(contract.pk),
            )
        )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 份生效合同期限合规")
        % {"ok": len(contracts) - len(findings), "total": len(contracts)},
        findings=findings,
        note="" if contracts else _("当日没有生效的合同。"),
    )


def check_contract_required_clauses(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Contracts in force on the day state every clause policy ``contract_required_clauses``
    names (plan 三(二): staffing, content, goals, funds, supervision and training,
    evaluation)."""
    try:
        required = [str(name) for name in policy_value(scope, "contract_required_clauses", as_of)]
    except PolicyMissing as error:
        return missing_policy(error)
    # The policy names the clauses by their Chinese labels, whatever the page's language.
    with translation.override("zh-hans"):
        codes = {str(label): code for code, label in ContractClause.choices}
    contracts = list(_contracts_in(scope, division).filter(live_on(as_of)).order_by("number"))
    expected = _("载明：%(names)s") % {"names": _("、").join(required)}
    findings = []
    for contract in contracts:
        missing = [name for name in required if codes.get(name) not in contract.clauses]
        if missing:
            findings.append(
                Finding(
                    subject=f"{contract.number} {contract.title}",
                    division=_division_of(contract),
                    expected=_("载明全部 %(n)d 项必备条款") % {"n": len(required)},
                    actual=_("未载明：%(names)s") % {"names": _("、").join(missing)},
                    url=_contract_url(contract.pk),
                )
            )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 份生效合同条款齐全")
        % {"ok": len(contracts) - len(findings), "total": len(contracts)},
        findings=findings,
        note="" if contracts else _("当日没有生效的合同。"),
    )


def _operating_stations(scope: Scope, division: Division, as_of: datetime.date):
    county = division.county_code if division.level == Level.COUNTY else None
    return stations_operating(scope, as_of, county)


def check_stationed_workers_promised(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each operating township station's live station contract promises at least policy
    ``stationed_workers_per_station_min`` stationed social workers (plan 二(三)2)."""
    try:
        minimum = int(policy_value(scope, "stationed_workers_per_station_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    rows = list(
        ContractFacility.objects.filter(
            live_station_coverage(as_of),
            tenant_id=scope.tenant_id,
            facility__in=_operating_stations(scope, division, as_of).values("pk"),
        )
        .select_related("facility", "contract")
        .order_by("facility__county_code", "facility__division_id")
    )
    expected = _("每站承诺驻站社工 ≥ %(n)d 人") % {"n": minimum}
    findings = [
        Finding(
            subject=row.facility.name,
            division=row.facility.division_id[:9],
            expected=expected,
            actual=_("合同 %(number)s 承诺 %(n)d 人")
            % {"number": row.contract.number, "n": row.stationed_workers},
            url=_contract_url(row.contract_id),
        )
        for row in rows
        if row.stationed_workers < minimum
    ]
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个有合同的站点达标")
        % {"ok": len(rows) - len(findings), "total": len(rows)},
        findings=findings,
    )


PAY_FLOORS = (
    ("pay_unlicensed", "pay_floor_unlicensed_pct", gettext_lazy("未持证")),
    ("pay_assistant", "pay_floor_assistant_pct", gettext_lazy("助理社会工作师")),
    ("pay_social_worker", "pay_floor_social_worker_pct", gettext_lazy("社会工作师")),
)


def check_pay_floors(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """Live station contracts promise stationed workers monthly pay of at least policy
    ``pay_floor_*_pct`` percent of the year's ``minimum_wage_monthly`` (plan 二(三)2:
    160% unlicensed, 200% 助理社会工作师, 230% 社会工作师); pay not stated is flagged."""
    try:
        wage = Decimal(str(policy_value(scope, "minimum_wage_monthly", as_of)))
        floors = {
            field: wage * Decimal(int(policy_value(scope, code, as_of))) / 100
            for field, code, _label in PAY_FLOORS
        }
    except PolicyMissing as error:
        return missing_policy(error)
    contracts = list(
        _contracts_in(scope, division)
        .filter(live_on(as_of), kind=ContractKind.STATION_OPERATION)
        .order_by("number")
    )
    expected = _("月薪下限：%(items)s（当年最低工资 %(wage)s 元）") % {
        "items": _("、").join(
            _("%(label)s %(amount)s 元") % {"label": label, "amount": f"{floors[field]:.0f}"}
            for field, _c, label in PAY_FLOORS
        ),
        "wage": f"{wage:.0f}",
    }
    findings = []
    for contract in contracts:
        short = []
        for field, _code, label in PAY_FLOORS:
            promised = getattr(contract, field)
            if promised is None:
                short.append(_("%(label)s未约定") % {"label": label})
            elif promised < floors[field]:
                short.append(
                    _("%(label)s %(pay)s 元，低于 %(floor)s 元")
                    % {"label": label, "pay": f"{promised:.0f}", "floor": f"{floors[field]:.0f}"}
                )
        if short:
            findings.append(
                Finding(
                    subject=f"{contract.number} {contract.title}",
                    division=_division_of(contract),
                    expected=_("不低于薪酬下限"),
                    actual=_("；").join(short),
                    url=_contract_url(contract.pk),
                )
            )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 份站点运营合同薪酬达标")
        % {"ok": len(contracts) - len(findings), "total": len(contracts)},
        findings=findings,
        note="" if contracts else _("当日没有生效的站点运营合同。"),
    )


def check_evaluator_independence(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """No evaluation begun by the day is by an organisation that held a live station contract
    of the tenant on a day of the evaluated period (plan 二(三)3, ``evaluator_independence``)."""
    try:
        required = bool(policy_value(scope, "evaluator_independence", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    expected = _("第三方评估机构不承接社工站运营合同")
    if not required:
        return RuleResult(passed=None, expected=expected, actual="—", note=_("本市未要求。"))
    # The days the assignment service looks at: the evaluated period and the day it was
    # assigned (services.evaluations.evaluation_assign_check).
    held = ContractFacility.objects.filter(
        tenant_id=scope.tenant_id,
        kind=ContractKind.STATION_OPERATION,
        live_from__isnull=False,
        contract__organisation_id=OuterRef("organisation_id"),
        live_from__lte=OuterRef("window_end"),
        live_until__gte=OuterRef("window_start"),
    )
    assigned_on = TruncDate("created_at", tzinfo=timezone.get_current_timezone())
    evaluations = (
        evaluations_visible(scope)
        .annotate(
            window_start=Least("period_start", assigned_on),
            window_end=Greatest("period_end", assigned_on),
        )
        .select_related("contract__purchaser")
        .filter(contract__in=_contracts_in(scope, division).values("pk"), period_start__lte=as_of)
        .order_by("contract__number", "period_start")
    )
    total = evaluations.count()
    offending = list(evaluations.filter(Exists(held)))
    findings = [
        Finding(
            subject=f"{evaluation.contract.number} · {evaluation.organisation.name}",
            division=_division_of(evaluation.contract),
            expected=expected,
            actual=_("评估期 %(start)s 至 %(end)s 内承接站点运营合同")
            % {"start": evaluation.period_start, "end": evaluation.period_end},
            url=reverse("procurement:evaluation-detail", args=[evaluation.pk]),
        )
        for evaluation in offending
    ]
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 项评估由独立机构承担")
        % {"ok": total - len(findings), "total": total},
        findings=findings,
    )


def check_organisations_incubated(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each county incubated at least policy ``organisations_incubated_per_county_min``
    social work organisations over the policy's period (plan 一(三)3: three over 2021–2023),
    counted up to the day."""
    value = (
        policy_values_visible(scope)
        .filter(in_force_on(as_of), code="organisations_incubated_per_county_min")
        .first()
    )
    if value is None:
        return RuleResult(
            passed=None,
            expected="—",
            actual="—",
            note=_("该日不在本市规定的孵化目标期内（%(code)s）。")
            % {"code": "organisations_incubated_per_county_min"},
        )
    minimum = int(value.value)
    start = value.effective_from
    end = min(as_of, value.effective_to or as_of)
    counties = counties_in(scope, division, as_of)
    counts = dict(
        Organisation.objects.filter(
            tenant_id=scope.tenant_id,
            incubated_by__in=[county.code for county in counties],
            incubated_on__gte=start,
            incubated_on__lte=end,
        )
        .values_list("incubated_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    expected = _("%(start)s 起每县（市、区）孵化 ≥ %(n)d 家") % {"start": start, "n": minimum}
    findings = [
        Finding(
            subject=county.name,
            division=county.short_code,
            expected=expected,
            actual=_("%(n)d 家") % {"n": counts.get(county.code, 0)},
            url=reverse("procurement:organisation-list") + f"?incubated_by={county.short_code}",
        )
        for county in counties
        if counts.get(county.code, 0) < minimum
    ]
    return RuleResult(
        passed=bool(counties) and not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个县（市、区）达标")
        % {"ok": len(counties) - len(findings), "total": len(counties)},
        findings=findings,
    )


def check_station_under_contract(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Every operating township station is run under a live station-operation contract
    on the day (plan 二(三): stations are run by organisations the county hires)."""
    covered = ContractFacility.objects.filter(
        live_station_coverage(as_of), facility_id=OuterRef("pk")
    )
    stations = list(
        _operating_stations(scope, division, as_of)
        .annotate(covered=Exists(covered))
        .order_by("county_code", "division_id")
        .values("pk", "name", "division_id", "covered")
    )
    expected = _("运营中的社工站均有生效的站点运营合同")
    findings = [
        Finding(
            subject=row["name"],
            division=row["division_id"][:9],
            expected=expected,
            actual=_("无生效合同"),
            url=reverse("stations:facility-detail", args=[row["pk"]]),
        )
        for row in stations
        if not row["covered"]
    ]
    return RuleResult(
        passed=bool(stations) and not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个站点有生效合同")
        % {"ok": len(stations) - len(findings), "total": len(stations)},
        findings=findings,
    )


class Days(Func):
    """Whole days from the second date to the first (PostgreSQL ``date - date``)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def check_social_assistance_funds_share(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Services each county buys with social assistance special funds in the day's year stay
    within policy ``social_assistance_funds_share_max`` of its funds that year (plan 四(二):
    2 %). A contract's social-assistance funding counts in a year in proportion to the days
    of its term in that year. A county that spends none is not judged; one that spends some
    without its year's funds recorded is a finding (it cannot be checked). A contract
    terminated early counts its signed amount per day of its signed term, for the days it
    ran. Not applicable
    when no county spends any. Three queries whatever the number of contracts."""
    try:
        share_max = Decimal(str(policy_value(scope, "social_assistance_funds_share_max", as_of)))
    except PolicyMissing as error:
        return missing_policy(error)
    first, last = datetime.date(as_of.year, 1, 1), datetime.date(as_of.year, 12, 31)
    counties = counties_in(scope, division, as_of)
    # The signed term prices the service; a contract ended early spent only its days.
    term = Days(F("contract__end_on"), F("contract__start_on")) + 1
    in_year = (
        Days(
            Least(F("contract__live_until"), Value(last, output_field=DateField())),
            Greatest(F("contract__start_on"), Value(first, output_field=DateField())),
        )
        + 1
    )
    spent = dict(
        ContractFunding.objects.filter(
            source=FundingSource.SOCIAL_ASSISTANCE,
            contract__in=contracts_visible(scope)
            .exclude(state=ContractState.DRAFT)
            .filter(start_on__lte=last, live_until__gte=first)
            .values("pk"),
            contract__county_code__in=[county.county_code for county in counties],
        )
        .values_list("contract__county_code")
        .annotate(
            spent=Sum(
                ExpressionWrapper(
                    F("amount") * in_year / term, output_field=DecimalField(decimal_places=2)
                )
            )
        )
        .order_by()
    )
    funds = {
        row.division_id: row.amount
        for row in AssistanceFunds.objects.filter(
            tenant_id=scope.tenant_id,
            division__in=[county.code for county in counties],
            year=as_of.year,
        )
    }
    expected = _("社会救助专项经费用于购买服务 ≤ %(share)s（合同金额按当年履行天数分摊）") % {
        "share": f"{share_max:.1%}"
    }
    judged, findings = 0, []
    for county in counties:
        used = spent.get(county.county_code)
        if not used:
            continue
        judged += 1
        base = funds.get(county.code)
        url = reverse("procurement:assistance-funds") + f"?year={as_of.year}"
        if base is None:
            actual = _("%(year)d 年列支 %(used)s 元，未登记当年社会救助专项经费，无法核对") % {
                "year": as_of.year,
                "used": f"{used:,.0f}",
            }
        elif used > base * share_max:
            actual = _("%(year)d 年列支 %(used)s 元，占专项经费 %(base)s 元的 %(share)s") % {
                "year": as_of.year,
                "used": f"{used:,.0f}",
                "base": f"{base:,.0f}",
                "share": f"{used / base:.2%}",
            }
        else:
            continue
        findings.append(
            Finding(
                subject=county.name,
                division=county.short_code,
                expected=expected,
                actual=actual,
                url=url,
            )
        )
    if not judged:
        return RuleResult(
            passed=None,
            expected=expected,
            actual="—",
            note=_("%(year)d 年没有以社会救助专项经费购买服务的合同。") % {"year": as_of.year},
        )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个列支的县（市、区）在比例内")
        % {"ok": judged - len(findings), "total": judged},
        findings=findings,
    )


RULES = [
    Rule(
        code="station_under_contract",
        title=gettext_lazy("运营中的社工站均由生效的购买服务合同覆盖"),
        clause="二(三)",
        check=check_station_under_contract,
    ),
    Rule(
        code="contract_years",
        title=gettext_lazy("购买服务合同期限符合规定"),
        clause="三(二)",
        check=check_contract_years,
    ),
    Rule(
        code="contract_required_clauses",
        title=gettext_lazy("购买服务合同载明六项必备条款"),
        clause="三(二)",
        check=check_contract_required_clauses,
    ),
    Rule(
        code="stationed_workers_per_station_min",
        title=gettext_lazy("合同承诺的每站驻站社工人数达到下限"),
        clause="二(三)2",
        check=check_stationed_workers_promised,
    ),
    Rule(
        code="pay_floors",
        title=gettext_lazy("合同承诺的驻站社工薪酬不低于最低工资的规定比例"),
        clause="二(三)2",
        check=check_pay_floors,
    ),
    Rule(
        code="evaluator_independence",
        title=gettext_lazy("第三方评估机构不承接社工站项目"),
        clause="二(三)3",
        check=check_evaluator_independence,
    ),
    Rule(
        code="organisations_incubated_per_county_min",
        title=gettext_lazy("每个县（市、区）孵化社工机构数量达到目标"),
        clause="一(三)3",
        check=check_organisations_incubated,
    ),
    Rule(
        code="social_assistance_funds_share_max",
        title=gettext_lazy("社会救助专项经费用于购买服务不超过规定比例"),
        clause="四(二)",
        check=check_social_assistance_funds_share,
    ),
]
