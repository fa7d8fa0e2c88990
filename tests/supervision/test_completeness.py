"""Completeness and timeliness never exceed 100 %: expected submissions are the months a
contract was in force on at least one day, whatever opens or closes mid-month."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from procurement.services import contract_terminate, organisation_member_set
from stations.models import Division
from supervision.models import MonthlySubmission
from supervision.selectors import completeness
from supervision.services import submission_accept, submission_submit
from tests.factories import contract, member, organisation, station

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def city(world):
    officer, other = world.county_officer, world.other_county_officer
    first = station(officer, "450202001", date(2020, 6, 1))
    liujiang = station(other, "450206100", date(2021, 3, 1))
    runner = organisation(officer, "柳州市城中区阳光社会工作服务中心", 18)
    # In force from 15 January to 10 March 2024: January, February and March expected.
    short = contract(officer, runner, [first], number="SHORT", start_on=date(2024, 1, 15),
                     end_on=date(2024, 3, 10))  # fmt: skip
    # 柳江区: from 2024-02-01, terminated on 2024-02-14: February only.
    cut = contract(other, runner, [liujiang], number="CUT", start_on=date(2024, 2, 1),
                   end_on=date(2025, 1, 31))  # fmt: skip
    contract_terminate(actor=other, contract=cut, on=date(2024, 2, 14), reason="提前终止")
    staff = member("runner_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=runner.uscc)
    return {"short": short, "cut": cut, "staff": staff}


def test_rates_are_over_the_months_in_force_and_never_above_100(world, city):
    staff = city["staff"]
    january = submission_submit(actor=staff, contract=city["short"], month=date(2024, 1, 1))
    submission_accept(actor=world.county_officer, submission=january)
    submission_submit(actor=staff, contract=city["cut"], month=date(2024, 2, 1))
    # On time: the first submission of January dated 2024-02-05, before the 10th.
    MonthlySubmission.objects.filter(pk=january.pk).update(
        first_submitted_at=datetime(2024, 2, 5, 9, tzinfo=SHANGHAI)
    )
    # A stray row for a month the contract was not in force counts for nothing.
    MonthlySubmission.objects.create(tenant_id=world.city_admin.tenant_id,
                                     contract=city["cut"], month=date(2024, 4, 1),
                                     state="submitted", first_submitted_at=datetime(
                                         2024, 5, 1, tzinfo=SHANGHAI))  # fmt: skip
    liuzhou = Division.objects.get(code="450200000000")
    result = completeness(world.city_admin, liuzhou, date(2023, 12, 1), date(2024, 6, 1))
    assert (result.expected, result.submitted, result.accepted, result.on_time) == (4, 2, 1, 1)
    assert result.rate == 0.5 and result.on_time_rate == 0.25
    assert [(m["number"], m["month"]) for m in result.missing] == [
        ("SHORT", "2024-02"), ("SHORT", "2024-03")]  # fmt: skip
    children = {child.name: (child.expected, child.submitted) for child in result.children}
    assert children == {"城中区": (3, 1), "柳江区": (1, 1)}
    assert all(child.rate is None or child.rate <= 1 for child in result.children)
    county = completeness(world.county_officer, Division.objects.get(code="450202000000"),
                          date(2024, 1, 1), date(2024, 12, 1))  # fmt: skip
    assert (county.expected, county.submitted, county.children) == (3, 1, [])


def test_another_county_sees_none_of_these_contracts(world, city):
    other = completeness(world.other_county_officer, Division.objects.get(code="450206000000"),
                         date(2024, 1, 1), date(2024, 12, 1))  # fmt: skip
    assert [m["number"] for m in other.missing] == ["CUT"]
    assert all(m["number"] != "SHORT" for m in other.missing)


def test_station_months_count_stations_operating_on_a_day_of_the_month(world):
    from supervision.models import SupervisionSession
    from workforce.services import social_worker_create

    officer = world.county_officer
    first = station(officer, "450202001", date(2020, 6, 1))
    late = station(officer, "450202002", date(2024, 2, 20))  # opens on 20 February
    runner = organisation(officer, "柳州市城中区阳光社会工作服务中心", 18)
    signed = contract(officer, runner, [first, late], number="BOTH", start_on=date(2024, 1, 1))
    supervisor = social_worker_create(actor=officer, name="韦督导", employer=runner.pk,
                                      id_number="45020219850303002X")  # fmt: skip

    def held(facility, month):
        start = datetime(month.year, month.month, 3, 9, tzinfo=SHANGHAI)
        SupervisionSession.objects.create(
            tenant_id=officer.tenant_id, contract=signed, facility=facility,
            supervisor=supervisor, month=month, started_at=start,
            ended_at=start.replace(hour=17), hours=8, form="on_site", topics="x")  # fmt: skip

    held(first, date(2024, 1, 1))
    held(late, date(2024, 2, 1))
    held(late, date(2024, 1, 1))  # a stray row before the station opened counts for nothing
    result = completeness(world.city_admin, Division.objects.get(code="450200000000"),
                          date(2024, 1, 1), date(2024, 3, 1))  # fmt: skip
    assert (result.station_months, result.supervised, result.supervised_rate) == (5, 2, 0.4)
    by_month = {key: (m.station_months, m.supervised) for key, m in result.months.items()}
    assert by_month == {"2024-01": (1, 1), "2024-02": (2, 1), "2024-03": (2, 0)}
