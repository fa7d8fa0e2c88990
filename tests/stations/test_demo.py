"""The demo tenant 柳州市: its station network follows the city's published path."""

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from stations.coverage import coverage_at
from stations.demo import demo_load
from stations.models import (
    Division,
    Facility,
    FacilityOperatingPeriod,
    FacilityRating,
    FacilityStatus,
    Role,
)
from stations.selectors import memberships_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    done = demo_load(password="demo-password-123")
    user = get_user_model().objects.get(username="demo_city")
    admin = memberships_of(user).get(role=Role.CITY_ADMIN)
    return done, admin


def covered(admin, as_of):
    result = coverage_at(admin, Division.objects.get(code="450200000000"), as_of)
    return result.covered, result.total


def test_the_demo_network_follows_the_published_path(demo, client):
    # One test for the whole network: loading it takes seconds, so it is loaded once.
    done, admin = demo
    check_coverage(admin)
    check_levels(admin, done)
    check_dates(admin)
    check_ratings(admin)
    check_demonstrations(admin)
    check_suspension(admin)
    check_dashboard_and_api_agree(admin, client)
    check_compliance(admin, client)
    check_procurement(admin, client)


def check_coverage(admin):
    assert covered(admin, timezone.localdate()) == (118, 118)
    assert covered(admin, date(2020, 12, 31)) == (42, 118)
    at_end_of_2021, total = covered(admin, date(2021, 12, 31))
    assert at_end_of_2021 >= 83 and total == 118
    assert covered(admin, date(2022, 9, 30)) == (118, 118)
    assert covered(admin, date(2022, 8, 31))[0] < 118
    assert covered(admin, date(2019, 12, 31)) == (0, 118)


def check_levels(admin, done):
    facilities = Facility.objects.filter(tenant=admin.tenant)
    levels = Counter(facilities.values_list("level", flat=True))
    assert levels["city_centre"] == 1
    assert levels["county_centre"] == 10
    assert levels["township_station"] == 118
    assert 6 <= levels["village_room"] <= 10
    counties = Division.objects.filter(city_code="4502", level="county")
    assert set(
        facilities.filter(level="county_centre").values_list("division__code", flat=True)
    ) == set(counties.values_list("code", flat=True))
    assert not facilities.exclude(status=FacilityStatus.OPERATING).exists()
    assert not facilities.filter(established_on__gt=timezone.localdate()).exists()
    assert facilities.filter(level="township_station", six_haves_complete=False).exists()
    assert facilities.filter(level="township_station", six_haves_complete=True).count() > 90
    assert not facilities.filter(address="").exists() and not facilities.filter(phone="").exists()
    assert any(line.startswith("站点网络") for line in done)


def check_dates(admin):
    stations = Facility.objects.filter(tenant=admin.tenant, level="township_station")
    dates = sorted(stations.values_list("established_on", flat=True))
    assert date(2022, 9, 1) <= dates[-1] <= date(2022, 9, 30)
    assert len({(day.year, day.month) for day in dates}) >= 25


def check_ratings(admin):
    ratings = FacilityRating.objects.filter(
        tenant=admin.tenant, rated_on__year=2023, facility__level="township_station"
    )
    assert ratings.values("facility").distinct().count() == 50
    stars = Counter(ratings.values_list("stars", flat=True))
    assert set(stars) <= {1, 2, 3, 4, 5} and len(stars) >= 4
    assert Facility.objects.filter(tenant=admin.tenant, current_stars__isnull=False).count() == 50


def check_demonstrations(admin):
    demonstrations = Facility.objects.filter(
        tenant=admin.tenant, level="township_station", is_demonstration=True
    )
    per_county = Counter(demonstrations.values_list("county_code", flat=True))
    assert len(per_county) == 10
    assert all(1 <= count <= 2 for count in per_county.values())
    for facility in demonstrations:
        assert facility.demonstration_year in (2021, 2022)
        assert facility.established_on.year <= facility.demonstration_year


def check_suspension(admin):
    # One station moved in 2021: two operating periods, the gap not counted.
    periods = Counter(
        FacilityOperatingPeriod.objects.filter(tenant=admin.tenant).values_list(
            "facility", flat=True
        )
    )
    assert Counter(periods.values()) == {1: len(periods) - 1, 2: 1}


def test_loading_again_changes_nothing(demo):
    _done, admin = demo
    counts = (
        Facility.objects.count(),
        FacilityRating.objects.count(),
        FacilityOperatingPeriod.objects.count(),
    )
    assert demo_load(password="demo-password-123") == []
    assert (
        Facility.objects.count(),
        FacilityRating.objects.count(),
        FacilityOperatingPeriod.objects.count(),
    ) == counts


def check_dashboard_and_api_agree(admin, client):
    client.force_login(admin.user)
    for as_of, covered_count in (("2020-12-31", 42), (timezone.localdate().isoformat(), 118)):
        page = client.get("/", {"as_of": as_of}).content.decode()
        assert f"已覆盖 {covered_count} / 计入 118 个乡镇（街道）" in page
        squeezed = "".join(page.split())
        body = client.get("/api/v1/coverage/", {"division": "4502", "as_of": as_of}).json()
        assert (body["covered"], body["total"]) == (covered_count, 118)
        rows = {row["name"]: (row["covered"], row["total"]) for row in body["children"]}
        for name, (child_covered, child_total) in rows.items():
            assert f'{name}</a></td><tdclass="num">{child_covered}</td>' in squeezed
            assert child_total > 0
    assert body["rate"] == 1.0 and body["uncovered"] == []


def check_compliance(admin, client):
    """The demo city meets its coverage targets and the county rule; the API agrees."""
    from reports.rules import compliance_run
    from stations.scoping import scope_of

    city = Division.objects.get(code="450200000000")
    results = {
        outcome.rule.code: outcome.result
        for outcome in compliance_run(scope_of(admin), city, timezone.localdate()).outcomes
    }
    assert results["coverage_target"].passed is True
    assert results["coverage_target"].actual == "100.0% (118/118)"
    assert results["county_centre_and_demonstration"].passed is True
    assert results["county_centre_and_demonstration"].actual == "10/10 个县（市、区）达标"
    # 2021: the target was 70 %; the city reached 72 % but two counties did not.
    end_2021 = compliance_run(scope_of(admin), city, date(2021, 12, 31)).outcomes[0].result
    assert end_2021.expected.startswith("覆盖率 ≥ 70.0%") and end_2021.passed is False
    assert end_2021.actual == "72.0% (85/118)；2 个县（市、区）未达标"
    counties = [f for f in end_2021.findings if len(f.division) == 6]
    assert len(counties) == 2 and all(f.expected == "≥ 70.0%" for f in counties)
    assert client.login(username="demo_city", password="demo-password-123")
    body = client.get("/api/v1/compliance/", {"division": "4502"}).json()
    assert [rule["passed"] for rule in body["rules"]][:2] == [True, True]


def check_procurement(admin, client):
    """Every county's operator, two contracts each, the planned gaps and flags, evaluations,
    and the demo contractor and evaluator tied to their organisations."""
    from procurement.models import Contract, Evaluation, Organisation, OrganisationMember
    from reports.rules import compliance_run
    from stations.scoping import scope_of

    assert Organisation.objects.filter(tenant=admin.tenant).count() >= 12
    assert Contract.objects.filter(tenant=admin.tenant).count() == 21
    assert Contract.objects.filter(state="terminated").count() == 1
    statuses = Counter(Evaluation.objects.values_list("status", flat=True))
    assert statuses == {"accepted": 10, "submitted": 1, "assigned": 1}
    links = dict(
        OrganisationMember.objects.values_list("membership__user__username", "organisation__name")
    )
    assert links["demo_contractor"] == "柳州市城中区阳光社会工作服务中心"
    assert set(links) == {"demo_contractor", "demo_evaluator", "demo_evaluator2"}
    city = Division.objects.get(code="450200000000")
    results = {
        outcome.rule.code: outcome.result
        for outcome in compliance_run(scope_of(admin), city, date(2024, 6, 30)).outcomes
    }
    unrun = results["station_under_contract"]
    assert unrun.passed is False and len(unrun.findings) == 3
    assert {f.division[:6] for f in unrun.findings} == {"450206", "450225"}
    pay = results["pay_floors"]
    assert [f.subject.split()[0] for f in pay.findings] == ["LZ23-2024-01"]
    assert results["contract_years"].passed is True
    assert results["evaluator_independence"].passed is True
    earlier = {
        outcome.rule.code: outcome.result
        for outcome in compliance_run(scope_of(admin), city, date(2022, 6, 30)).outcomes
    }
    assert [f.subject.split()[0] for f in earlier["contract_required_clauses"].findings] == [
        "LZ26-2021-01"
    ]
    assert len(earlier["stationed_workers_per_station_min"].findings) == 2
    incubation = {f.subject for f in earlier["organisations_incubated_per_county_min"].findings}
    assert "城中区" not in incubation and "鱼峰区" not in incubation and len(incubation) == 8
    assert client.login(username="demo_contractor", password="demo-password-123")
    home = client.get("/").content.decode()
    assert home.count('data-testid="home-station"') == 8  # 城中区's centre and its 7 stations
