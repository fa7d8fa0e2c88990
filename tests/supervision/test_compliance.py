"""Supervision's three rules on accepted months, with thresholds from policy."""

from datetime import date

import pytest

from reports.rules import compliance_run
from stations.models import Division
from stations.registry import rules
from stations.scoping import scope_of
from supervision.services import submission_accept, submission_submit, supervisor_assign
from tests.supervision.test_sessions import MARCH, at, session, setting  # noqa: F401

pytestmark = pytest.mark.django_db


def run(membership, as_of=date(2024, 12, 31), code="450202"):
    division = Division.objects.get(code=code.ljust(12, "0"))
    result = compliance_run(scope_of(membership), division, as_of)
    return {outcome.rule.code: outcome.result for outcome in result.outcomes}


def test_the_three_rules_are_declared_with_their_clause():
    declared = {rule.code: rule.clause for rule in rules()}
    for code in ("supervision_sessions_per_station_month_min",
                 "supervision_hours_per_session_min", "stations_per_supervisor"):  # fmt: skip
        assert declared[code] == "二(四)3"


def test_accepted_months_are_judged_open_ones_are_not(world, setting):  # noqa: F811
    session(setting, started_at=at(date(2024, 3, 5), 9), ended_at=at(date(2024, 3, 5), 17))
    before = run(world.county_officer)
    assert before["supervision_sessions_per_station_month_min"].passed is None
    submitted = submission_submit(actor=setting["staff"], contract=setting["contract"],
                                  month=MARCH)  # fmt: skip
    submission_accept(actor=world.county_officer, submission=submitted)
    results = run(world.county_officer)
    # March: the first station had one session (enough); the late one did not yet operate.
    per_month = results["supervision_sessions_per_station_month_min"]
    assert per_month.passed is True and per_month.actual == "1/1 个站点月份达标"
    # 8 hours, short of 16.
    hours = results["supervision_hours_per_session_min"]
    assert hours.passed is False and [f.actual for f in hours.findings] == ["8.0 小时"]


def test_a_supervisor_with_one_station_is_flagged(world, setting):  # noqa: F811
    supervisor_assign(actor=setting["staff"], supervisor=setting["supervisor"],
                      contract=setting["contract"], facility=setting["first"],
                      started_on=date(2024, 2, 1))  # fmt: skip
    result = run(world.county_officer, as_of=date(2024, 6, 30))["stations_per_supervisor"]
    assert result.passed is False and result.findings[0].actual == "1 个站点"
    supervisor_assign(actor=setting["staff"], supervisor=setting["supervisor"],
                      contract=setting["contract"], facility=setting["late"],
                      started_on=date(2024, 2, 1))  # fmt: skip
    assert run(world.county_officer, as_of=date(2024, 6, 30))["stations_per_supervisor"].passed
    other = run(world.other_county_officer, as_of=date(2024, 6, 30), code="450206")
    assert other["stations_per_supervisor"].findings == []
