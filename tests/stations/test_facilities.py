"""Facilities: creating, editing, closing, reopening and rating, with every refusal."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stations.models import (
    Division,
    Facility,
    FacilityOperatingPeriod,
    FacilityRating,
    FacilityStatus,
    FacilityStatusChange,
)
from stations.services.facilities import (
    BatchInvalid,
    facilities_create,
    facilities_update,
    facility_close,
    facility_create,
    facility_open,
    facility_rate,
    facility_update,
    signboard_name,
)
from tests.factories import station

pytestmark = pytest.mark.django_db


def test_the_signboard_name_follows_the_official_format(world):
    township = Division.objects.select_related("parent").get(code="450202001000")
    assert signboard_name(township, "township_station") == "城中区城中街道社会工作服务站"
    county = Division.objects.get(code="450202000000")
    assert signboard_name(county, "county_centre") == "城中区社会工作服务站指导中心"
    village = Division.objects.select_related("parent").get(code="450202001001")
    assert signboard_name(village, "village_room") == "城中街道龙城社区社工室"


def test_a_county_officer_creates_an_operating_station_with_the_proposed_name(world):
    facility = station(world.county_officer, "450202001", date(2021, 3, 1), office_area_m2="85.5")
    assert facility.name == "城中区城中街道社会工作服务站"
    assert facility.status == FacilityStatus.OPERATING and facility.county_code == "450202"
    period = FacilityOperatingPeriod.objects.get(facility=facility)
    assert (period.started_on, period.ended_on) == (date(2021, 3, 1), None)
    assert FacilityStatusChange.objects.filter(facility=facility).count() == 1
    event = Facility.pgh_event_model.objects.get(pgh_obj_id=facility.pk)
    assert event.pgh_context.metadata["username"] == "lz_chengzhong"


def test_six_haves_complete_is_computed_by_the_database(world):
    items = {f"has_{stem}": True for stem in ("site", "equipment", "staff", "services", "workflow")}
    facility = station(world.city_admin, "450202001", date(2021, 1, 1), **items)
    facility.refresh_from_db()
    assert facility.six_haves_complete is False
    facility_update(
        actor=world.city_admin, facility=facility, has_rules=True, has_rules_note="制度上墙"
    )
    facility.refresh_from_db()
    assert facility.six_haves_complete is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": "township_station", "division_code": "450202"}, "division"),
        ({"level": "county_centre", "division_code": "450202001"}, "division"),
        ({"level": "village_room", "division_code": "450202001"}, "division"),
        ({"level": "township_station", "division_code": "450206001"}, "division"),
        ({"level": "township_station", "division_code": "450302001"}, "division"),
        ({"level": "township_station", "division_code": "45020x"}, "division"),
        ({"level": "moon_base", "division_code": "450202001"}, "level"),
        (
            {"level": "township_station", "division_code": "450202001", "status": "operating"},
            "established_on",
        ),
        ({"level": "township_station", "division_code": "450202001", "status": "closed"}, "status"),
        (
            {"level": "township_station", "division_code": "450202001", "office_area_m2": "-3"},
            "office_area_m2",
        ),
        (
            {"level": "township_station", "division_code": "450202001", "office_area_m2": "abc"},
            "office_area_m2",
        ),
        (
            {"level": "township_station", "division_code": "450202001", "is_demonstration": True},
            "demonstration_year",
        ),
    ],
)
def test_bad_facilities_are_refused_with_the_field_and_nothing_written(world, kwargs, field):
    with pytest.raises(ValidationError) as raised:
        facility_create(actor=world.county_officer, **kwargs)
    assert field in raised.value.message_dict
    assert not Facility.objects.exists()


def test_a_future_establishment_date_is_refused(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        station(world.county_officer, "450202001", tomorrow)
    assert "established_on" in raised.value.message_dict


@pytest.mark.parametrize("who", ["city_viewer", "contractor", "evaluator", "other_tenant_admin"])
def test_roles_without_rights_cannot_create(world, who):
    with pytest.raises((PermissionDenied, ValidationError)):
        station(getattr(world, who), "450202001", date(2021, 1, 1))
    assert not Facility.objects.exists()


def test_only_city_admins_create_the_city_centre(world):
    with pytest.raises((PermissionDenied, ValidationError)):
        facility_create(actor=world.county_officer, level="city_centre", division_code="4502")
    centre = facility_create(actor=world.city_admin, level="city_centre", division_code="4502")
    assert centre.name == "柳州市社会工作发展中心" and centre.county_code == ""


def test_a_second_operating_station_in_one_township_is_refused(world):
    station(world.county_officer, "450202001", date(2021, 1, 1))
    with pytest.raises(ValidationError) as raised:
        station(world.city_admin, "450202001", date(2022, 1, 1), name="第二个站")
    assert "同一时间只能有一个" in raised.value.message_dict["division"][0]
    assert Facility.objects.count() == 1


def test_the_database_refuses_overlapping_periods_even_past_the_service(world):
    from django.db import DatabaseError, transaction

    first = station(world.county_officer, "450202001", date(2021, 1, 1))
    second = facility_create(
        actor=world.county_officer,
        level="township_station",
        division_code="450202001",
        name="另一个",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        FacilityOperatingPeriod.objects.create(
            tenant=first.tenant,
            facility=second,
            division_id=first.division_id,
            level="township_station",
            started_on=date(2022, 1, 1),
        )


def test_close_and_reopen_keep_every_period(world):
    facility = station(world.county_officer, "450202001", date(2020, 6, 1))
    facility_close(
        actor=world.county_officer,
        facility=facility,
        on=date(2021, 6, 1),
        reason="场地装修",
        status="suspended",
    )
    facility.refresh_from_db()
    assert facility.status == FacilityStatus.SUSPENDED and facility.closed_on == date(2021, 6, 1)
    # Another station may operate there while this one is suspended…
    other = station(world.city_admin, "450202001", date(2021, 7, 1), name="临时站")
    facility_close(actor=world.city_admin, facility=other, on=date(2021, 9, 1), reason="临时站撤销")
    # …and the first reopens afterwards.
    facility_open(actor=world.county_officer, facility=facility, on=date(2021, 9, 1))
    periods = list(
        FacilityOperatingPeriod.objects.filter(facility=facility).values_list(
            "started_on", "ended_on"
        )
    )
    assert periods == [(date(2020, 6, 1), date(2021, 6, 1)), (date(2021, 9, 1), None)]
    statuses = list(
        FacilityStatusChange.objects.filter(facility=facility).values_list("status", flat=True)
    )
    assert statuses == ["operating", "suspended", "operating"]


def test_closing_before_opening_or_without_a_reason_is_refused(world):
    facility = station(world.county_officer, "450202001", date(2021, 6, 1))
    for on, reason, field in [
        (date(2021, 5, 1), "x", "on"),
        (date(2021, 6, 1), "x", "on"),
        (date(2022, 1, 1), "  ", "reason"),
        (timezone.localdate() + timedelta(days=2), "x", "on"),
    ]:
        with pytest.raises(ValidationError) as raised:
            facility_close(actor=world.county_officer, facility=facility, on=on, reason=reason)
        assert field in raised.value.message_dict
    facility.refresh_from_db()
    assert facility.status == FacilityStatus.OPERATING
    assert FacilityOperatingPeriod.objects.get(facility=facility).ended_on is None


def test_reopening_before_the_close_is_refused(world):
    facility = station(world.county_officer, "450202001", date(2021, 1, 1))
    facility_close(
        actor=world.county_officer, facility=facility, on=date(2022, 1, 1), reason="撤并"
    )
    with pytest.raises(ValidationError):
        facility_open(actor=world.county_officer, facility=facility, on=date(2021, 12, 1))


def test_another_county_cannot_touch_the_station(world):
    facility = station(world.county_officer, "450202001", date(2021, 1, 1))
    with pytest.raises(PermissionDenied):
        facility_update(actor=world.other_county_officer, facility=facility, phone="123")
    with pytest.raises(PermissionDenied):
        facility_close(
            actor=world.other_tenant_admin, facility=facility, on=date(2022, 1, 1), reason="x"
        )


def test_ratings_keep_their_history_and_the_newest_is_current(world):
    facility = station(world.county_officer, "450202001", date(2021, 1, 1))
    facility_rate(actor=world.city_admin, facility=facility, stars=3, rated_on=date(2023, 5, 1))
    facility_rate(
        actor=world.city_admin, facility=facility, stars="4", rated_on=date(2024, 5, 1), note="复评"
    )
    facility.refresh_from_db()
    assert facility.current_stars == 4
    assert FacilityRating.objects.filter(facility=facility).count() == 2
    for stars in (0, 6, "五", None):
        with pytest.raises(ValidationError):
            facility_rate(
                actor=world.city_admin, facility=facility, stars=stars, rated_on=date(2024, 6, 1)
            )
    assert FacilityRating.objects.filter(facility=facility).count() == 2


class TestBatches:
    """facilities_create / facilities_update: the form's rules for a whole file, all or none."""

    def test_every_refused_item_is_named_with_every_field_error_and_nothing_is_written(self, world):
        items = [
            {"level": "township_station", "division_code": "450202001", "status": "operating",
             "established_on": date(2021, 1, 1)},
            {"level": "township_station", "division_code": "450202001", "status": "operating",
             "established_on": date(2022, 1, 1)},
            {"level": "township_station", "division_code": "4502020019", "office_area_m2": "-5",
             "is_demonstration": True},
            {"level": "village_room", "division_code": "450206100001"},
        ]  # fmt: skip
        with pytest.raises(BatchInvalid) as raised:
            facilities_create(actor=world.county_officer, items=items)
        errors = raised.value.errors
        assert sorted(errors) == [1, 2, 3]
        assert "同一时间只能有一个" in errors[1].message_dict["division"][0]
        assert set(errors[2].message_dict) == {"division", "office_area_m2", "demonstration_year"}
        assert isinstance(errors[3], ValidationError) and "管辖范围" in str(errors[3])
        assert not Facility.objects.exists() and not FacilityOperatingPeriod.objects.exists()

    def test_a_batch_costs_the_same_queries_for_three_items_as_for_thirty(
        self, world, django_assert_max_num_queries
    ):
        villages = list(
            Division.objects.filter(county_code="450202", level="village")
            .order_by("code")
            .values_list("code", flat=True)[:33]
        )
        assert len(villages) == 33

        def items(codes):
            return [
                {"level": "village_room", "division_code": code, "status": "operating",
                 "established_on": date(2022, 1, 1), "address": "村委会"}
                for code in codes
            ]  # fmt: skip

        with django_assert_max_num_queries(12) as small:
            facilities_create(actor=world.county_officer, items=items(villages[:3]))
        with django_assert_max_num_queries(len(small.captured_queries)):
            created = facilities_create(actor=world.county_officer, items=items(villages[3:]))
        assert len(created) == 30 and FacilityOperatingPeriod.objects.count() == 33
        assert FacilityStatusChange.objects.count() == 33
        event = Facility.pgh_event_model.objects.filter(pgh_obj_id=created[-1].pk).get()
        assert event.pgh_context.metadata["action"] == "facility_create"

        changes = [(facility, {"phone": "0772-1234567"}) for facility in created]
        with django_assert_max_num_queries(len(small.captured_queries)):
            facilities_update(actor=world.county_officer, changes=changes)
        assert Facility.objects.filter(phone="0772-1234567").count() == 30

    def test_an_update_batch_is_all_or_none(self, world):
        first = station(world.county_officer, "450202001", date(2021, 1, 1))
        second = station(world.county_officer, "450202002", date(2021, 1, 1))
        changes = [(first, {"address": "新址"}), (second, {"office_area_m2": "abc", "nope": 1})]
        with pytest.raises(BatchInvalid) as raised:
            facilities_update(actor=world.county_officer, changes=changes)
        assert set(raised.value.errors[1].message_dict) == {"office_area_m2", "nope"}
        assert not Facility.objects.filter(address="新址").exists()
