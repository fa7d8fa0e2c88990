"""The demo city's workforce reproduces 柳州's published figures and gives every rule
something to show."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from reports.rules import compliance_run
from stations.demo import demo_load
from stations.models import Division, Role
from stations.scoping import scope_of
from stations.selectors import memberships_of
from workforce.models import Assignment, SocialWorker
from workforce.summary import workforce_summary

pytestmark = pytest.mark.django_db
END_2023 = date(2023, 12, 31)


def test_the_published_figures_and_the_rules_findings():
    demo_load(password="demo-password-123")
    admin = memberships_of(get_user_model().objects.get(username="demo_city")).get(
        role=Role.CITY_ADMIN
    )
    scope = scope_of(admin)
    city = Division.objects.get(code="450200000000")
    summary = workforce_summary(scope, city, END_2023)
    assert summary.licensed == 3054
    assert (summary.population, summary.population_year) == (4157934, 2020)
    assert round(summary.per_thousand, 2) == 0.73
    # 917 passed in 2023, 642 in 2022: +42.83 % (published, rounded up, as 42.9 %).
    assert summary.passes == {"year": 2023, "count": 917, "previous": 642, "rate": 275 / 642}
    assert summary.growth_from == 2443 and round(summary.growth_rate, 3) == 0.25
    plan = ("minor_protection", "social_assistance", "elderly_care", "judicial_protection")
    assert all(summary.specialties[code] >= 0.10 for code in plan)
    assert 0 < len(summary.townships_without_licensed) < 10

    results = {
        outcome.rule.code: outcome.result
        for outcome in compliance_run(scope, city, END_2023).outcomes
    }
    assert results["licensed_multiple_of_baseline"].passed is True
    assert results["licensed_multiple_of_baseline"].actual.startswith("2020 年末 1527 人 → 3054 人")
    assert results["licensed_growth_rate"].passed is True
    assert results["specialist_share_min"].passed is True
    for code in (
        "licensed_per_township_min",
        "stationed_workers_per_station_actual",
        "qualification_within_years",
        "training_hours_per_year_min",
        "registration_valid",
    ):
        assert results[code].passed is False and results[code].findings, code
    rongan = [f for f in results["stationed_workers_per_station_actual"].findings]
    assert {finding.division[:6] for finding in rongan} == {"450224"}

    # Every worker is stationed under a contract of the employer of the day's county.
    posts = Assignment.objects.filter(tenant=admin.tenant).select_related("contract")
    assert posts.exists()
    assert all(post.contract.start_on <= post.started_on for post in posts)
    assert all(post.ended_on <= post.contract.live_until for post in posts)

    client = Client()
    assert client.login(username="demo_city", password="demo-password-123")
    page = client.get("/workforce/", {"as_of": "2023-12-31"}).content.decode()
    assert 'data-testid="licensed">3054<' in page
    assert 'data-testid="per-thousand">0.73‰<' in page
    assert "2022 年 642 人，增幅 +42.8%" in page
    body = client.get("/api/v1/workforce/summary/", {"as_of": "2023-12-31"}).json()
    assert (body["licensed"], body["passes"]["count"], body["passes"]["previous"]) == (
        3054, 917, 642)  # fmt: skip

    count = SocialWorker.objects.count()
    assert demo_load(password="demo-password-123") == []
    assert SocialWorker.objects.count() == count
