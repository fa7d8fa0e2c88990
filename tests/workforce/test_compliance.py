"""The workforce's eight rules: each flags the counties, townships, stations and workers
that break the plan or the national rules, with thresholds from policy, in a number of
queries that does not grow with the workers."""

from datetime import date

import pytest

from reports.rules import compliance_run
from stations.models import Division
from stations.registry import rules
from stations.scoping import scope_of
from stations.services import policy_value_set
from tests.factories import contract, organisation, station
from tests.helpers import assert_constant_queries
from tests.workforce.test_summary import certify, person
from workforce.assignments import assignment_create
from workforce.credentials import registration_create
from workforce.trainings import training_create

pytestmark = pytest.mark.django_db


def run(membership, as_of, code="450202"):
    division = Division.objects.get(code=code.ljust(12, "0"))
    result = compliance_run(scope_of(membership), division, as_of)
    return {outcome.rule.code: outcome.result for outcome in result.outcomes}


def post(officer, worker, facility, signed, started_on, role="stationed"):
    return assignment_create(
        actor=officer,
        worker=worker,
        facility=facility.pk,
        role=role,
        contract=signed.pk,
        started_on=started_on,
    )


def train(officer, worker, held_on, hours):
    return training_create(
        actor=officer, worker=worker, course="社会救助政策", held_on=held_on, hours=hours,
        form="offline",
    )  # fmt: skip


@pytest.fixture
def county(world):
    officer = world.county_officer
    first = station(officer, "450202001", date(2020, 6, 1))
    second = station(officer, "450202002", date(2021, 3, 1))
    runner = organisation(officer, "柳州市阳光社会工作服务中心", 18)
    signed = contract(
        officer, runner, [first, second], number="A", start_on=date(2021, 1, 1),
        end_on=date(2025, 12, 31),
    )  # fmt: skip
    employer = runner.pk
    a = person(officer, "甲", employer=employer, specialties=["elderly_care", "minor_protection"])
    b = person(officer, "乙", employer=employer)
    c = person(officer, "丙", employer=employer)
    d = person(officer, "丁", employer=employer, specialties=["minor_protection"])
    credential = certify(officer, a, "assistant", date(2021, 7, 1), registered_on=date(2022, 3, 1))
    certify(officer, d, "social_worker", date(2020, 7, 1))  # never registered
    post(officer, a, first, signed, date(2022, 1, 1))
    post(officer, b, first, signed, date(2021, 1, 1))  # two years on, no certificate
    post(officer, c, second, signed, date(2024, 3, 1))
    # A supervisor visiting the second station does not make it two.
    post(officer, d, second, signed, date(2024, 3, 1), role="supervisor")
    train(officer, a, date(2024, 3, 1), 24)
    train(officer, a, date(2024, 9, 1), 24)
    train(officer, b, date(2024, 3, 1), 10)
    return {
        "first": first, "second": second, "a": a, "b": b, "c": c, "d": d,
        "credential": credential, "signed": signed, "runner": runner,
    }  # fmt: skip


def test_the_eight_rules_are_declared_with_their_clauses():
    declared = {rule.code: rule.clause for rule in rules()}
    assert {
        "licensed_growth_rate": "一(三)2",
        "licensed_multiple_of_baseline": "一(三)2",
        "licensed_per_township_min": "一(三)2",
        "specialist_share_min": "一(三)2",
        "stationed_workers_per_station_actual": "二(三)2",
        "qualification_within_years": "二(三)2",
        "training_hours_per_year_min": "二(四)3",
        "registration_valid": "民发〔2009〕44号、民发〔2009〕123号",
    }.items() <= declared.items()


def test_stations_count_the_workers_actually_stationed_not_supervisors(world, county):
    result = run(world.county_officer, date(2024, 6, 30))["stationed_workers_per_station_actual"]
    assert result.passed is False
    assert [(f.subject, f.actual) for f in result.findings] == [(county["second"].name, "1 人")]
    assert result.findings[0].url.endswith(f"/facilities/{county['second'].pk}/")


def test_every_counted_township_needs_a_licensed_worker_stationed_in_it(world, county):
    result = run(world.county_officer, date(2024, 6, 30))["licensed_per_township_min"]
    flagged = {finding.division for finding in result.findings}
    assert "450202001" not in flagged  # 甲 is licensed and stationed there
    assert "450202002" in flagged  # 丙 is not licensed; 丁 only supervises
    assert result.passed is False


def test_workers_stationed_two_years_without_a_certificate(world, county):
    result = run(world.county_officer, date(2024, 6, 30))["qualification_within_years"]
    assert [finding.subject for finding in result.findings] == [
        f"乙（{county['b'].id_number_masked}）"
    ]
    assert "2023-01-01" in result.findings[0].actual
    assert county["b"].id_number_masked in result.findings[0].subject
    # The day before the deadline 乙 still has time.
    earlier = run(world.county_officer, date(2022, 12, 31))["qualification_within_years"]
    assert earlier.passed is True


def test_training_hours_of_the_year_with_the_target_pro_rata_before_its_end(world, county):
    year_end = run(world.county_officer, date(2024, 12, 31))["training_hours_per_year_min"]
    assert year_end.expected == "每年培训 ≥ 48 学时"
    assert {finding.subject[0] for finding in year_end.findings} == {"乙", "丙"}
    # On 31 March 2024 a quarter of the year has passed: 11.9 h is the pace; 甲 has 24.
    spring = run(world.county_officer, date(2024, 3, 31))["training_hours_per_year_min"]
    assert "11.9" in spring.expected
    assert {finding.subject[0] for finding in spring.findings} == {"乙", "丙"}


def test_registrations_expired_missing_or_short_of_continuing_education(world, county):
    officer = world.county_officer
    result = run(officer, date(2024, 6, 30))["registration_valid"]
    by_worker = {finding.subject[0]: finding.actual for finding in result.findings}
    assert set(by_worker) == {"丁"}
    assert "2021-07-01 前登记" in by_worker["丁"]
    expired = run(officer, date(2025, 4, 1))["registration_valid"]
    assert "2025-02-28 到期" in {f.subject[0]: f.actual for f in expired.findings}["甲"]
    # Re-registered in the window: valid again, but the period that ended had 48 h of
    # recorded training and nothing else, short of the assistant's 72.
    registration_create(
        actor=officer, credential=county["credential"], registered_on=date(2025, 1, 15)
    )
    short = {
        f.subject[0]: f.actual
        for f in run(officer, date(2025, 4, 1))["registration_valid"].findings
    }
    assert "继续教育 48.0 学时，应 ≥ 72" in short["甲"] and "到期" not in short["甲"]
    first = county["credential"].registrations.order_by("registered_on").first()
    first.continuing_education_hours = 30
    first.save()
    after = {f.subject[0] for f in run(officer, date(2025, 4, 1))["registration_valid"].findings}
    assert "甲" not in after


def test_growth_from_the_end_of_last_year_against_the_policy(world, county):
    officer = world.county_officer
    e = person(officer, "戊", employer=county["runner"].pk)
    certify(officer, e, "assistant", date(2024, 3, 1))
    # End of 2023: 甲 and 丁; 31 December 2024: 甲, 丁, 戊 (+50 %).
    growth = run(world.city_admin, date(2024, 12, 31), code="4502")["licensed_growth_rate"]
    assert growth.passed is True
    assert growth.actual == "2023 年末 2 人 → 3 人（50.0%）"
    policy_value_set(actor=world.city_admin, code="licensed_growth_rate", value="0.6",
                     effective_from=date(2024, 1, 1), note="市政府调整")  # fmt: skip
    short = run(world.city_admin, date(2024, 12, 31), code="4502")["licensed_growth_rate"]
    assert short.passed is False
    assert [finding.subject for finding in short.findings] == ["城中区"]


def test_the_multiple_of_the_baseline_is_judged_at_the_end_of_its_year(world, county):
    officer = world.county_officer
    # End of 2020: 丁 only; end of 2023: 甲 and 丁, twice as many.
    final = run(officer, date(2023, 12, 31))["licensed_multiple_of_baseline"]
    assert final.passed is True
    assert final.actual == "2020 年末 1 人 → 2 人（2.00 倍）"
    midyear = run(officer, date(2023, 6, 30))["licensed_multiple_of_baseline"]
    assert midyear.passed is None and "2023-12-31" in midyear.note
    later = run(officer, date(2024, 6, 30))["licensed_multiple_of_baseline"]
    assert later.passed is None
    policy_value_set(actor=world.city_admin, code="licensed_baseline_year", value="2021",
                     effective_from=date(2020, 1, 1), note="以 2021 年为基准")  # fmt: skip
    rebased = run(officer, date(2023, 12, 31))["licensed_multiple_of_baseline"]
    assert rebased.actual.startswith("2021 年末 2 人")
    assert rebased.passed is False


def test_specialty_shares_of_the_licensed(world, county):
    result = run(world.county_officer, date(2024, 6, 30))["specialist_share_min"]
    # 甲 (养老服务, 未成年人保护) and 丁 (未成年人保护): 社会救助 and 司法保护 at 0 %.
    assert result.passed is False
    assert [(f.subject, f.actual) for f in result.findings] == [
        ("社会救助", "0.0%（0/2 人）"),
        ("司法保护", "0.0%（0/2 人）"),
    ]
    assert result.findings[0].url.endswith("?specialty=social_assistance")


def test_another_county_sees_none_of_these_workers(world, county):
    results = run(world.other_county_officer, date(2024, 12, 31), code="450206")
    for code in ("qualification_within_years", "training_hours_per_year_min", "registration_valid"):
        assert results[code].findings == [], code


def test_the_queries_do_not_grow_with_the_workers(world, county):
    officer = world.county_officer
    city = Division.objects.get(code="450200000000")
    scope = scope_of(world.city_admin)
    serial = iter(range(100))

    def grow():
        for _ in range(3):
            worker = person(officer, f"新{next(serial)}", employer=county["runner"].pk)
            certify(officer, worker, "assistant", date(2022, 7, 1), registered_on=date(2022, 8, 1))
            post(officer, worker, county["second"], county["signed"], date(2023, 1, 1))
            train(officer, worker, date(2024, 5, 1), 8)

    assert_constant_queries(lambda: compliance_run(scope, city, date(2024, 12, 31)), grow)


def test_a_late_first_registration_is_flagged_while_it_runs(world, county):
    officer = world.county_officer
    late = person(officer, "己", employer=county["runner"].pk)
    certify(officer, late, "assistant", date(2020, 7, 1), registered_on=date(2022, 3, 1))
    post(officer, late, county["first"], county["signed"], date(2022, 3, 1))
    findings = {f.subject[0]: f.actual for f in
                run(officer, date(2024, 6, 30))["registration_valid"].findings}  # fmt: skip
    assert "首次登记于 2022-03-01，晚于规定的 2021-07-01" in findings["己"]
    # Once that registration has run out, what is said is that it expired.
    after = {f.subject[0]: f.actual for f in
             run(officer, date(2025, 4, 1))["registration_valid"].findings}  # fmt: skip
    assert "2025-02-28 到期" in after["己"] and "首次登记" not in after["己"]


def test_training_before_a_re_registration_period_counts_for_the_old_one_only(world, county):
    from django.urls import reverse

    officer = world.county_officer
    credential = county["credential"]  # 甲: registered 2022-03-01, valid to 2025-02-28
    registration_create(actor=officer, credential=credential, registered_on=date(2025, 1, 15))
    train(officer, county["a"], date(2025, 2, 1), 24)  # after re-registering, old period
    # The old period has 48 + 24 = 72 hours: enough for an assistant.
    findings = {f.subject[0]: f.actual for f in
                run(officer, date(2025, 4, 1))["registration_valid"].findings}  # fmt: skip
    assert "甲" not in findings
    # The new period (from 2025-03-01) has none of them, on the worker's page too.
    page = world.client_for(officer).get(reverse("workforce:worker-detail", args=[county["a"].pk]))
    shown = page.content.decode()
    assert "登记 0.0 + 平台培训 72.0 学时" in shown and "登记 0.0 + 平台培训 0 学时" in shown


def test_an_open_ended_multiple_target_is_judged_on_31_december(world, county):
    policy_value_set(actor=world.city_admin, code="licensed_multiple_of_baseline", value="2.0",
                     effective_from=date(2023, 1, 1), note="不设终止日期")  # fmt: skip
    officer = world.county_officer
    assert run(officer, date(2023, 6, 30))["licensed_multiple_of_baseline"].passed is None
    assert run(officer, date(2023, 12, 31))["licensed_multiple_of_baseline"].passed is True
