"""The coverage engine: any scope, any date, constant queries, past dates give past answers."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.coverage import coverage_at, coverage_timeline, month_ends
from stations.models import Division
from stations.services import coverage_override_set
from stations.services.facilities import facility_close, facility_create
from tests.factories import station

pytestmark = pytest.mark.django_db


def city(world):
    return Division.objects.get(code="450200000000")


def test_coverage_counts_operating_township_stations_on_the_date(world):
    station(world.county_officer, "450202001", date(2020, 6, 1))
    station(world.county_officer, "450202002", date(2021, 6, 1))
    station(world.other_county_officer, "450206100", date(2021, 6, 1))
    facility_create(
        actor=world.county_officer, level="township_station", division_code="450202003"
    )  # planned

    today = coverage_at(world.city_admin, city(world), date(2022, 1, 1))
    assert (today.covered, today.total, today.rate) == (3, 118, round(3 / 118, 4))
    chengzhong = next(c for c in today.children if c.division.code == "450202000000")
    assert (chengzhong.covered, chengzhong.total) == (2, 7)
    assert today.facilities["township_station"] == 3
    assert len(today.uncovered) == 115
    assert "450202003000" in {row["code"] for row in today.uncovered}

    past = coverage_at(world.city_admin, city(world), date(2020, 12, 31))
    assert (past.covered, past.total) == (1, 118)


def test_closing_a_station_changes_later_dates_only(world):
    facility = station(world.county_officer, "450202001", date(2020, 6, 1))
    facility_close(
        actor=world.county_officer, facility=facility, on=date(2022, 3, 1), reason="撤并"
    )
    county = Division.objects.get(code="450202000000")
    assert coverage_at(world.county_officer, county, date(2022, 2, 28)).covered == 1
    assert coverage_at(world.county_officer, county, date(2022, 3, 1)).covered == 0


def test_excluded_units_leave_numerator_and_denominator(world):
    station(world.county_officer, "450202001", date(2020, 6, 1))
    coverage_override_set(
        actor=world.city_admin,
        division_code="450202001",
        counted=False,
        reason="无常住人口（2020 年起）",
        effective_from=date(2020, 1, 1),  # an override applies only from its start
    )
    figures = coverage_at(world.city_admin, city(world), date(2022, 1, 1))
    assert (figures.covered, figures.total) == (0, 117)


def test_a_county_scope_sees_only_its_townships(world):
    station(world.other_county_officer, "450206100", date(2021, 6, 1))
    county = Division.objects.get(code="450202000000")
    figures = coverage_at(world.county_officer, county, date(2022, 1, 1))
    assert (figures.covered, figures.total) == (0, 7)
    assert all(row["code"].startswith("450202") for row in figures.uncovered)


def test_the_query_count_does_not_grow_with_the_scope(world):
    for code in ("450202001", "450202002", "450202003"):
        station(world.county_officer, code, date(2021, 1, 1))
    from stations.selectors import memberships_of

    # As a request sees them: memberships loaded with their tenant and scope.
    officer = memberships_of(world.county_officer.user).get()
    admin = memberships_of(world.city_admin.user).get()
    county = Division.objects.get(code="450202000000")
    whole_city = city(world)
    with CaptureQueriesContext(connection) as small:
        coverage_at(officer, county, date(2022, 1, 1))
    with CaptureQueriesContext(connection) as large:
        coverage_at(admin, whole_city, date(2022, 1, 1))
    assert len(small) == len(large) <= 4
    with CaptureQueriesContext(connection) as timeline:
        coverage_timeline(admin, whole_city, date(2019, 1, 1), date(2023, 12, 31))
    assert len(timeline) <= 2


def test_the_timeline_has_a_point_per_month_end(world):
    station(world.county_officer, "450202001", date(2020, 6, 15))
    station(world.county_officer, "450202002", date(2021, 1, 1))
    points = coverage_timeline(world.city_admin, city(world), date(2020, 5, 1), date(2021, 2, 10))
    assert [p.date for p in points][:2] == [date(2020, 5, 31), date(2020, 6, 30)]
    assert points[-1].date == date(2021, 2, 10)
    assert [p.covered for p in points] == [0, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    assert all(p.total == 118 for p in points)


def test_month_ends_handles_december_and_a_short_span():
    assert month_ends(date(2020, 12, 5), date(2021, 1, 3)) == [date(2020, 12, 31), date(2021, 1, 3)]
    assert month_ends(date(2021, 2, 1), date(2021, 1, 1)) == []
