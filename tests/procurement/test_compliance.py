"""Procurement's seven rules: each flags what breaks the plan, with thresholds from policy
and records linked, in a number of queries that does not grow with the contracts."""

from datetime import date

import pytest

from procurement.services import evaluation_assign
from reports.rules import compliance_run
from stations.models import Division
from stations.registry import rules
from stations.scoping import scope_of
from stations.services import policy_value_set
from tests.factories import contract, organisation, station
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 30)


def run(membership, code="4502", as_of=AS_OF):
    division = Division.objects.get(code=code.ljust(12, "0"))
    result = compliance_run(scope_of(membership), division, as_of)
    return {outcome.rule.code: outcome.result for outcome in result.outcomes}


@pytest.fixture
def network(world):
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    second = station(world.county_officer, "450202002", date(2021, 3, 1))
    third = station(world.county_officer, "450202003", date(2021, 3, 1))
    runner = organisation(
        world.county_officer,
        "柳州市阳光社会工作服务中心",
        18,
        incubated_by="450202",
        incubated_on=date(2021, 5, 1),
    )
    good = contract(
        world.county_officer,
        runner,
        [first, second],
        number="GOOD",
        clauses={
            code: "第三条"
            for code in (
                "staffing",
                "service_content",
                "service_goals",
                "fund_management",
                "supervision_training",
                "evaluation",
            )
        },  # fmt: skip
        pay={"unlicensed": "2896", "assistant": "3620", "social_worker": "4163"},
    )
    return {"first": first, "second": second, "third": third, "runner": runner, "good": good}


def test_the_seven_rules_are_declared_with_their_clauses():
    declared = {rule.code: rule.clause for rule in rules()}
    assert {
        "station_under_contract": "二(三)",
        "contract_years": "三(二)",
        "contract_required_clauses": "三(二)",
        "stationed_workers_per_station_min": "二(三)2",
        "pay_floors": "二(三)2",
        "evaluator_independence": "二(三)3",
        "organisations_incubated_per_county_min": "一(三)3",
    }.items() <= declared.items()


def test_a_compliant_contract_passes_and_the_uncovered_station_is_named(world, network):
    results = run(world.county_officer, "450202")
    for code in ("contract_years", "contract_required_clauses", "pay_floors"):
        assert results[code].passed is True, (code, results[code])
    assert results["stationed_workers_per_station_min"].passed is True
    uncovered = results["station_under_contract"]
    assert uncovered.passed is False and uncovered.actual == "2/3 个站点有生效合同"
    assert [finding.subject for finding in uncovered.findings] == [network["third"].name]


def test_what_a_contract_breaks_is_flagged_not_refused(world, network):
    contract(
        world.county_officer,
        network["runner"],
        [],
        number="BAD",
        start_on=date(2024, 1, 1),
        end_on=date(2028, 6, 30),  # four and a half years
        clauses={"staffing": "第二条"},
        facilities=[{"facility": network["third"].pk, "stationed_workers": 1}],
        pay={"unlicensed": "2800", "assistant": "3620"},  # 2800 < 160% of 1810
    )
    results = run(world.county_officer, "450202")
    years = results["contract_years"]
    assert years.passed is False and years.findings[0].subject.startswith("BAD")
    assert "4 年 6 个月" in years.findings[0].actual
    clauses = results["contract_required_clauses"].findings
    assert [f.subject.split()[0] for f in clauses] == ["BAD"]
    assert "服务具体内容" in clauses[0].actual and "服务人员安排" not in clauses[0].actual
    workers = results["stationed_workers_per_station_min"].findings
    assert [f.subject for f in workers] == [network["third"].name]
    assert "承诺 1 人" in workers[0].actual
    pay = results["pay_floors"].findings
    assert len(pay) == 1 and "未持证 2800 元，低于 2896 元" in pay[0].actual
    assert "社会工作师未约定" in pay[0].actual
    assert results["station_under_contract"].passed is True


def test_thresholds_come_from_policy(world, network):
    policy_value_set(
        actor=world.city_admin,
        code="minimum_wage_monthly",
        value=2000,
        effective_from=date(2024, 1, 1),
        note="新标准",
    )
    pay = run(world.county_officer, "450202")["pay_floors"]
    assert pay.passed is False and "低于 3200 元" in pay.findings[0].actual
    policy_value_set(
        actor=world.city_admin,
        code="stationed_workers_per_station_min",
        value=3,
        effective_from=date(2024, 1, 1),
        note="提高",
    )
    workers = run(world.county_officer, "450202")["stationed_workers_per_station_min"]
    assert len(workers.findings) == 2 and "≥ 3 人" in workers.expected


def test_an_evaluator_that_later_runs_stations_is_flagged(world, network):
    assessor = organisation(world.city_admin, "广西社会组织评估中心", 501)
    evaluation_assign(
        actor=world.county_officer,
        contract=network["good"],
        organisation=assessor,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    assert run(world.county_officer, "450202")["evaluator_independence"].passed is True
    # Recorded afterwards: the evaluator runs the third station from March 2024.
    contract(
        world.county_officer,
        assessor,
        [network["third"]],
        number="LATER",
        start_on=date(2024, 3, 1),
    )
    result = run(world.county_officer, "450202")["evaluator_independence"]
    assert result.passed is False and "广西社会组织评估中心" in result.findings[0].subject


def test_incubated_organisations_per_county_within_the_plan_period(world, network):
    results = run(world.city_admin, "4502", as_of=date(2023, 12, 31))
    incubation = results["organisations_incubated_per_county_min"]
    assert incubation.passed is False
    by_county = {f.subject: f.actual for f in incubation.findings}
    assert by_county["城中区"] == "1 家" and by_county["柳江区"] == "0 家"
    after = run(world.city_admin, "4502", as_of=date(2024, 6, 30))
    assert after["organisations_incubated_per_county_min"].passed is None


def test_the_queries_do_not_grow_with_the_contracts(world, network):
    city = Division.objects.get(code="450200000000")
    scope = scope_of(world.city_admin)

    def grow():
        for index in range(4):
            contract(
                world.county_officer,
                network["runner"],
                [],
                number=f"P{index}",
                kind="project",
            )

    assert_constant_queries(lambda: compliance_run(scope, city, AS_OF), grow)


def test_a_three_year_term_from_29_february_is_three_years(world, network):
    contract(
        world.county_officer,
        network["runner"],
        [network["third"]],
        number="LEAP",
        start_on=date(2024, 2, 29),
        end_on=date(2027, 2, 28),
    )
    years = run(world.county_officer, "450202")["contract_years"]
    assert years.passed is True, years.findings


def test_required_clauses_are_judged_the_same_in_english(world, network):
    from django.utils import translation

    with translation.override("en"):
        clauses = run(world.county_officer, "450202")["contract_required_clauses"]
    assert clauses.passed is True
