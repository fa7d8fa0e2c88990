"""The demo city's supervision: most station-months have a session, every supervision rule
has findings, completeness is below 100 % with one month missing, one month was returned
and submitted again, and last month waits for demo_county with flags to look at."""

import datetime
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from reports.rules import compliance_run
from stations.demo import demo_load
from stations.models import Division, Role
from stations.scoping import scope_of
from stations.selectors import memberships_of
from supervision.models import MonthlySubmission, SupervisionSession
from supervision.selectors import completeness, contractor_months, review_queue

pytestmark = pytest.mark.django_db


def member(username, role):
    return memberships_of(get_user_model().objects.get(username=username)).get(role=role)


def test_the_demo_supervision_gives_every_rule_and_page_something_to_show():
    demo_load(password="demo-password-123")
    admin = member("demo_city", Role.CITY_ADMIN)
    scope = scope_of(admin)
    city = Division.objects.get(code="450200000000")
    assert SupervisionSession.objects.count() > 3000
    as_of = date(2025, 12, 31)
    results = {
        outcome.rule.code: outcome.result for outcome in compliance_run(scope, city, as_of).outcomes
    }
    for code in (
        "supervision_sessions_per_station_month_min",
        "supervision_hours_per_session_min",
        "stations_per_supervisor",
    ):
        assert results[code].passed is False and results[code].findings, code
    figures = completeness(scope, city, date(2023, 1, 1), date(2025, 12, 1))
    assert 0.9 < figures.rate < 1 and figures.on_time < figures.submitted
    assert [m["month"] for m in figures.missing] == ["2025-06"]
    this = timezone.localdate().replace(day=1)
    three_ago = date(this.year, this.month, 1)
    for _step in range(3):
        three_ago = (three_ago - datetime.timedelta(days=1)).replace(day=1)
    returned = MonthlySubmission.objects.get(month=three_ago, contract__county_code="450202")
    actions = [event.pgh_context.metadata.get("action") for event in
               returned.events.select_related("pgh_context").order_by("pgh_id")
               if event.pgh_context]  # fmt: skip
    assert "submission_return" in actions and returned.state == "accepted"
    county = member("demo_county", Role.COUNTY_OFFICER)
    queue = review_queue(county)
    last = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert [item.month for item in queue] == [last] and queue[0].flagged >= 2
    contractor = member("demo_contractor", Role.CONTRACTOR)
    months = contractor_months(scope_of(contractor), timezone.localdate())
    assert [item.state for item in months] == ["submitted", "draft"]
    assert months[1].session_count == 0 and months[1].without
