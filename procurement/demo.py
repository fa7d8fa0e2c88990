"""The demo tenant's organisations, contracts and evaluations, built through the services.

柳州市 as the plan describes it: each county hires one social work organisation to run
its stations, under a station contract for 2021–2023 and another for 2024–2026. A few
records break the plan, so that compliance has something to show: stations of 柳江区
and 融水 without a contract for 2024–2026, 鹿寨县's 2024 contract paying unlicensed
workers below 160% of the minimum wage, 三江's 2021 contract without two required
clauses, 融安县's first contract promising one worker at two stations, and most counties
short of three incubated organisations. 柳南区's operator left in mid-2025 and another
took over. Two evaluation organisations evaluated the first contracts; 城中区's 2024 year
waits for the county's review and 鱼峰区's for its evaluator.

Deterministic: names, codes, dates and amounts follow the county's position.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from procurement.models import Organisation
from procurement.services import (
    assistance_funds_set,
    contract_create,
    contract_terminate,
    evaluation_accept,
    evaluation_assign,
    evaluation_submit,
    organisation_create,
    organisation_member_set,
)
from procurement.uscc import uscc_compose
from stations.divisions import Level
from stations.models import Division, Facility, FacilityLevel, Membership, Tenant

DEMO_ADMIN = "demo_city"
RUNNER_NAMES = {
    "450202": "柳州市城中区阳光社会工作服务中心",
    "450203": "柳州市鱼峰区同心社会工作服务中心",
    "450204": "柳州市柳南区启航社会工作服务中心",
    "450205": "柳州市柳北区和美社会工作服务中心",
    "450206": "柳州市柳江区乡音社会工作服务中心",
    "450222": "柳城县惠民社会工作服务中心",
    "450223": "鹿寨县暖心社会工作服务中心",
    "450224": "融安县金桔社会工作服务中心",
    "450225": "融水苗族自治县苗山社会工作服务中心",
    "450226": "三江侗族自治县侗乡社会工作服务中心",
}
# Organisations incubated by the county's base besides its operator (the plan asks three
# per county over 2021–2023; 城中区 and 鱼峰区 reach it).
EXTRA_INCUBATED = {
    "450202": ("柳州市城中区邻里互助社会工作服务社", "柳州市城中区青禾社会工作服务社"),
    "450203": ("柳州市鱼峰区康宁社会工作服务社", "柳州市鱼峰区晨曦社会工作服务社"),
    "450205": ("柳州市柳北区向阳社会工作服务社",),
}
SUCCESSOR = "柳州市柳南区同行社会工作服务中心"
EVALUATORS = ("柳州市明鉴社会服务评估中心", "广西正衡社会组织评估事务所")
# Stations without a 2024–2026 contract (their position in the county's list).
GAPS = {"450206": (0, 1), "450225": (0,)}
MINIMUM_CLAUSES = ("staffing", "service_content", "service_goals", "fund_management")
ALL_CLAUSES = (*MINIMUM_CLAUSES, "supervision_training", "evaluation")
PER_STATION_YEAR = Decimal("120000")  # yuan a station a year (two stationed workers and costs)
# Counties paying the contracts' last 5 % from social assistance special funds (plan 四(二)),
# and each county's funds a year: 柳城's share is above 2 %, 柳北's within it.
SOCIAL_ASSISTANCE_COUNTIES = ("450205", "450222")
ASSISTANCE_FUNDS = {"450205": Decimal("5000000"), "450222": Decimal("3000000")}
OTHER_FUNDS = Decimal("4000000")


def _report_pdf() -> SimpleUploadedFile:
    """A small evaluation report, rendered once per evaluation (WeasyPrint)."""
    from weasyprint import HTML

    html = (
        "<html><body style='font-family: Noto Sans CJK SC, sans-serif'>"
        "<h1>第三方评估报告（演示）</h1><p>评估内容：服务数量、服务质量、资金管理、"
        "督导培训、服务对象满意度。</p></body></html>"
    )
    return SimpleUploadedFile("评估报告.pdf", HTML(string=html).write_pdf())


def demo_procurement_load(tenant: Tenant) -> str | None:
    """Build the demo procurement once; None when the tenant already has organisations or
    the demo network is missing."""
    if tenant.organisations.exists() or not tenant.facilities.exists():
        return None
    memberships = {
        membership.user.username: membership
        for membership in Membership.objects.select_related("tenant", "scope", "user").filter(
            tenant=tenant, user__username__startswith="demo_"
        )
    }
    admin = memberships.get(DEMO_ADMIN)
    if admin is None:
        return None
    with transaction.atomic():
        return _build(tenant, admin, memberships)


def _uscc(county: str, serial: int) -> str:
    return uscc_compose(f"52{county}", f"MJ{int(county[-2:]) * 100 + serial:06d}")


def _organisation(admin, name, uscc, county=None, incubated_on=None, kind="social_service_agency"):
    return organisation_create(
        actor=admin,
        name=name,
        uscc=uscc,
        kind=kind,
        registration_authority=f"{county.name if county else '柳州市'}民政局",
        registered_on=datetime.date(2019, 6, 1),
        social_work_in_scope=kind == "social_service_agency",
        contact_person="张敏",
        contact_phone="0772-2800000",
        incubated_by=county.code if county and incubated_on else None,
        incubated_on=incubated_on,
    )


def _station_contract(admin, county, organisation, number, start, end, covered, **changes):
    years = end.year - start.year + 1
    amount = PER_STATION_YEAR * len(covered) * years
    budget = (amount * Decimal("0.8")).quantize(Decimal("1"))
    lottery = (amount * Decimal("0.15")).quantize(Decimal("1"))
    values = {
        "number": number,
        "title": f"{county.name}乡镇（街道）社会工作服务站运营服务项目（{start.year}–{end.year}）",
        "purchaser": county.code,
        "organisation": organisation.pk,
        "kind": "station_operation",
        "state": "signed",
        "signed_on": start - datetime.timedelta(days=12),
        "start_on": start,
        "end_on": end,
        "amount": amount,
        "funding": {
            "budget": budget,
            "welfare_lottery": lottery,
            (
                "social_assistance"
                if county.county_code in SOCIAL_ASSISTANCE_COUNTIES
                else "charity"
            ): amount - budget - lottery,
        },
        "facilities": [{"facility": f.pk, "stationed_workers": 2} for f in covered],
        "pay": {"unlicensed": "2950", "assistant": "3700", "social_worker": "4200"},
        "clauses": {code: f"第{index + 3}条" for index, code in enumerate(ALL_CLAUSES)},
        "published": True,
        "published_where": "广西壮族自治区政府采购网",
        "published_on": start - datetime.timedelta(days=5),
    }
    values.update(changes)
    return contract_create(actor=admin, **values)


def _build(tenant: Tenant, admin: Membership, memberships: dict) -> str:
    counties = list(
        Division.objects.filter(
            city_code=tenant.code, level=Level.COUNTY, retired_on__isnull=True
        ).order_by("code")
    )
    facilities = list(
        Facility.objects.filter(
            tenant=tenant,
            level__in=[FacilityLevel.TOWNSHIP_STATION, FacilityLevel.COUNTY_CENTRE],
        ).order_by("county_code", "level", "division_id")
    )
    organisations = 0
    contracts = 0
    runners: dict[str, Organisation] = {}
    first_contracts = {}
    current_contracts = {}
    for index, county in enumerate(counties):
        code = county.county_code
        name = RUNNER_NAMES.get(code, f"{county.name}社会工作服务中心")
        runners[code] = _organisation(
            admin, name, _uscc(code, 1), county, datetime.date(2021, 3 + index % 9, 1)
        )
        organisations += 1
        for serial, extra in enumerate(EXTRA_INCUBATED.get(code, ()), start=2):
            _organisation(admin, extra, _uscc(code, serial), county, datetime.date(2022, 4, serial))
            organisations += 1
        covered = [f for f in facilities if f.county_code == code]
        stations = [f for f in covered if f.level == FacilityLevel.TOWNSHIP_STATION]
        first_changes: dict = {}
        if code == "450226":  # 三江: two clauses missing
            first_changes["clauses"] = {c: f"第{i + 3}条" for i, c in enumerate(MINIMUM_CLAUSES)}
        if code == "450224":  # 融安: one worker promised at two stations
            first_changes["facilities"] = [
                {"facility": f.pk, "stationed_workers": 1 if f in stations[:2] else 2}
                for f in covered
            ]
        first_contracts[code] = _station_contract(
            admin,
            county,
            runners[code],
            f"LZ{code[-2:]}-2021-01",
            datetime.date(2021, 1, 1),
            datetime.date(2023, 12, 31),
            covered,
            **first_changes,
        )
        gaps = {
            stations[position].pk for position in GAPS.get(code, ()) if position < len(stations)
        }
        later = [f for f in covered if f.pk not in gaps]
        later_changes: dict = {}
        if code == "450223":  # 鹿寨: unlicensed pay below 160% of 1,810 yuan
            later_changes["pay"] = {
                "unlicensed": "2700",
                "assistant": "3700",
                "social_worker": "4200",
            }
        current_contracts[code] = _station_contract(
            admin,
            county,
            runners[code],
            f"LZ{code[-2:]}-2024-01",
            datetime.date(2024, 1, 1),
            datetime.date(2026, 12, 31),
            later,
            **later_changes,
        )
        contracts += 2
        if code == "450204":  # 柳南区: the operator left; another took over
            contract_terminate(
                actor=admin,
                contract=current_contracts[code],
                on=datetime.date(2025, 6, 30),
                reason="承接机构因人员调整申请解除合同，经协商一致提前终止。",
            )
            successor = _organisation(admin, SUCCESSOR, _uscc(code, 5))
            organisations += 1
            current_contracts[code] = _station_contract(
                admin,
                county,
                successor,
                f"LZ{code[-2:]}-2025-02",
                datetime.date(2025, 7, 1),
                datetime.date(2026, 12, 31),
                later,
            )
            contracts += 1
    for county in counties:
        for year in range(2021, timezone.localdate().year + 1):
            assistance_funds_set(
                actor=admin,
                division=county.code,
                year=year,
                amount=ASSISTANCE_FUNDS.get(county.county_code, OTHER_FUNDS),
                source=f"{county.name}{year}年社会救助资金预算（演示）",
            )
    assessors = [
        _organisation(admin, EVALUATORS[0], uscc_compose("52450200", "MJ090001")),
        _organisation(
            admin, EVALUATORS[1], uscc_compose("91450200", "MA0900A2"), kind="enterprise"
        ),
    ]
    organisations += 2
    contractor = memberships.get("demo_contractor")
    if contractor is not None and "450202" in runners:
        organisation_member_set(membership=contractor, uscc=runners["450202"].uscc)
    evaluators = [memberships.get("demo_evaluator"), memberships.get("demo_evaluator2")]
    for member, assessor in zip(evaluators, assessors, strict=True):
        if member is not None:
            organisation_member_set(membership=member, uscc=assessor.uscc)
            member._organisation_id = assessor.pk  # the scope of this run knows the link
    evaluations = 0
    for index, (_code, first) in enumerate(sorted(first_contracts.items())):
        assessor, member = assessors[index % 2], evaluators[index % 2]
        evaluation = evaluation_assign(
            actor=admin,
            contract=first,
            organisation=assessor,
            period_start=first.start_on,
            period_end=first.end_on,
        )
        evaluations += 1
        if member is None:
            continue
        score = Decimal(78 + (index * 7) % 17)
        evaluation_submit(
            actor=member,
            evaluation=evaluation,
            evaluated_on=datetime.date(2024, 2, 5 + index),
            score=score,
            grade="excellent" if score >= 90 else "good" if score >= 80 else "pass",
            findings=f"{first.organisation.name}按合同完成驻站服务，台账较完整；建议加强督导记录。",
            report=_report_pdf(),
        )
        evaluation_accept(actor=admin, evaluation=evaluation)
    waiting = evaluation_assign(
        actor=admin,
        contract=current_contracts["450202"],
        organisation=assessors[0],
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )
    if evaluators[0] is not None:
        evaluation_submit(
            actor=evaluators[0],
            evaluation=waiting,
            evaluated_on=datetime.date(2025, 2, 20),
            score=Decimal("88.5"),
            grade="good",
            findings="年度服务目标基本完成，个案记录规范。",
            report=_report_pdf(),
        )
    evaluation_assign(
        actor=admin,
        contract=current_contracts["450203"],
        organisation=assessors[1],
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )
    evaluations += 2
    return (
        f"政府购买服务：机构 {organisations} 家，合同 {contracts} 份，第三方评估 {evaluations} 项"
    )


DEMO_STEPS = [demo_procurement_load]
