"""The workforce summary: licensed totals by level, ‰ density, growth, specialty shares,
stations without a licensed worker and registrations to renew, in constant queries."""

from datetime import date

import pytest

from stations.models import Division
from stations.scoping import scope_of
from tests.factories import contract, organisation, station
from tests.helpers import api_for, assert_constant_queries, assert_error
from workforce.assignments import assignment_create
from workforce.credentials import credential_create, registration_create
from workforce.population import population_set
from workforce.services import social_worker_create
from workforce.summary import workforce_summary

pytestmark = pytest.mark.django_db

NUMBERS = iter(
    f"450202{year}0101{serial:03d}" for year in range(1970, 2000) for serial in range(100, 130)
)


def person(actor, name, *, employer=None, specialties=()):
    from stdnum.cn import ric

    body = next(NUMBERS)
    return social_worker_create(
        actor=actor,
        name=name,
        id_number=body + ric.calc_check_digit(body + "0"),
        employer=employer,
        specialties=list(specialties),
    )


def certify(actor, worker, level, passed_on, registered_on=None):
    credential = credential_create(
        actor=actor,
        worker=worker,
        level=level,
        certificate_number=f"{level}-{worker.pk}",
        exam_year=passed_on.year,
        passed_on=passed_on,
    )
    if registered_on:
        registration_create(actor=actor, credential=credential, registered_on=registered_on)
    return credential


@pytest.fixture
def city(world):
    officer = world.county_officer
    first = station(officer, "450202001", date(2020, 6, 1))
    second = station(officer, "450202002", date(2021, 3, 1))
    sunshine = organisation(officer, "柳州市阳光社会工作服务中心", 18)
    signed = contract(officer, sunshine, [first, second], number="A")
    a = person(officer, "甲", employer=sunshine.pk, specialties=["elderly_care"])
    b = person(
        officer, "乙", employer=sunshine.pk, specialties=["elderly_care", "minor_protection"]
    )
    c = person(officer, "丙", employer=sunshine.pk)
    certify(officer, a, "assistant", date(2021, 7, 1), registered_on=date(2024, 2, 1))
    certify(officer, b, "assistant", date(2023, 7, 1))
    certify(officer, b, "social_worker", date(2024, 7, 1))
    # c holds none: not licensed. a is stationed at the first station only.
    assignment_create(actor=officer, worker=a, facility=first.pk, role="stationed",
                      contract=signed.pk, started_on=date(2024, 3, 1))  # fmt: skip
    assignment_create(actor=officer, worker=c, facility=second.pk, role="stationed",
                      contract=signed.pk, started_on=date(2024, 3, 1))  # fmt: skip
    population_set(actor=world.city_admin, division="4502", year=2020,
                   population=4157934, source="第七次全国人口普查")  # fmt: skip
    return {"first": first, "second": second, "a": a, "b": b, "c": c}


def test_the_figures_of_the_city(world, city):
    liuzhou = Division.objects.get(code="450200000000")
    summary = workforce_summary(scope_of(world.city_admin), liuzhou, date(2024, 12, 31))
    assert summary.licensed == 2
    assert summary.by_level == {"assistant": 1, "social_worker": 1, "senior": 0}
    assert summary.population == 4157934 and summary.population_year == 2020
    assert round(summary.per_thousand, 6) == round(2 / 4157934 * 1000, 6)
    assert (summary.growth_since, summary.growth_from, summary.growth_rate) == (2023, 2, 0.0)
    assert summary.specialties["elderly_care"] == 1.0
    assert summary.specialties["minor_protection"] == 0.5
    assert [row["name"] for row in summary.townships_without_licensed] == [city["second"].name]
    earlier = workforce_summary(scope_of(world.city_admin), liuzhou, date(2022, 12, 31), since=2021)
    assert earlier.licensed == 1 and earlier.growth_rate == 0.0
    # a's registration runs to 2027-01-31: 90 days ahead from 2026-11-02.
    far = workforce_summary(scope_of(world.city_admin), liuzhou, date(2026, 11, 1))
    assert far.expiring_registrations == 0
    soon = workforce_summary(scope_of(world.city_admin), liuzhou, date(2026, 11, 2))
    assert soon.expiring_registrations == 1


def test_the_api_and_its_scope(world, city, outsiders):
    body = (
        api_for(world.county_officer)
        .get("/api/v1/workforce/summary/", {"as_of": "2024-12-31"})
        .json()
    )
    assert body["division"] == "450202" and body["licensed"] == 2
    assert body["growth"] == {"since": 2023, "from": 2, "to": 2, "rate": 0.0}
    assert body["specialties"]["elderly_care"] == 1.0
    other = api_for(world.other_county_officer).get(
        "/api/v1/workforce/summary/", {"division": "450202"}
    )
    assert other.status_code == 404
    township = api_for(world.city_admin).get(
        "/api/v1/workforce/summary/", {"division": "450202001"}
    )
    assert "division" in assert_error(township, 400, "invalid")["fields"]
    # Every problem at once: a township, a day in the future and a growth year not before it.
    several = api_for(world.city_admin).get(
        "/api/v1/workforce/summary/", {"division": "450202001", "as_of": "2999-01-01"}
    )
    assert set(assert_error(several, 400, "invalid")["fields"]) == {"division", "as_of"}
    late = api_for(world.city_admin).get(
        "/api/v1/workforce/summary/", {"as_of": "2024-06-30", "since": "2024", "division": "x"}
    )
    assert late.status_code == 404  # a malformed division is not found, like a foreign one
    since = api_for(world.city_admin).get(
        "/api/v1/workforce/summary/", {"as_of": "2024-06-30", "since": "2024"}
    )
    assert assert_error(since, 400, "invalid")["fields"]["since"] == [
        "增长起算年份应早于统计日期所在年份 2024。"
    ]
    garbled = api_for(world.city_admin).get(
        "/api/v1/workforce/summary/", {"as_of": "yesterday", "since": "1900"}
    )
    assert set(assert_error(garbled, 400, "invalid")["fields"]) == {"as_of", "since"}
    for outsider in (world.contractor, world.evaluator):
        assert api_for(outsider).get("/api/v1/workforce/summary/").status_code == 404


def test_the_queries_do_not_grow_with_the_workers(world, city):
    liuzhou = Division.objects.get(code="450200000000")
    scope = scope_of(world.city_admin)

    def grow():
        for index in range(4):
            worker = person(world.county_officer, f"丁{index}", specialties=["other"])
            certify(world.county_officer, worker, "assistant", date(2022, 7, 1), date(2022, 8, 1))

    assert_constant_queries(lambda: workforce_summary(scope, liuzhou, date(2024, 12, 31)), grow)
