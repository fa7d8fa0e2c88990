"""Every problem of a submission at once: forms, API, status actions; and phone numbers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stations.models import Facility
from stations.validation import phone_normalize
from tests.factories import station
from tests.helpers import api_for

pytestmark = pytest.mark.django_db

FOUR_WRONGS = {
    "level": "township_station",
    "division": "4502029",  # not a division code
    "status": "operating",
    "established_on": "2030-01-01",
    "office_area_m2": "-50",
    "is_demonstration": "on",
    "demonstration_year": "1800",
}


def errors_on_page(body: str) -> set[str]:
    import re

    return set(re.findall(r'data-testid="error-([a-z0-9_]+)"', body))


class TestTheFacilityForm:
    def test_four_wrong_fields_are_reported_in_one_save(self, world):
        client = world.client_for(world.county_officer)
        response = client.post(reverse("stations:facility-create"), FOUR_WRONGS)
        assert response.status_code == 400
        body = response.content.decode()
        assert errors_on_page(body) == {
            "division",
            "established_on",
            "office_area_m2",
            "demonstration_year",
        }
        assert "不能为负数" in body and "2000 年至今年" in body and "不能晚于今天" in body
        assert "共 4 处需要修改" in body
        assert not Facility.objects.exists()

    def test_a_field_the_form_cannot_read_does_not_hide_the_others(self, world):
        client = world.client_for(world.county_officer)
        data = {**FOUR_WRONGS, "office_area_m2": "很大", "phone": "abc"}
        body = client.post(reverse("stations:facility-create"), data).content.decode()
        assert errors_on_page(body) == {
            "division",
            "established_on",
            "office_area_m2",
            "demonstration_year",
            "phone",
        }
        assert "11 位手机号" in body
        assert not Facility.objects.exists()

    def test_editing_reports_every_problem_and_changes_nothing(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 6, 1))
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("stations:facility-edit", args=[facility.pk]),
            {"name": facility.name, "phone": "0772-1", "office_area_m2": "x", "remarks": "新"},
        )
        assert response.status_code == 400
        assert errors_on_page(response.content.decode()) == {"phone", "office_area_m2"}
        facility.refresh_from_db()
        assert facility.remarks == "" and facility.phone == ""

    def test_the_browser_is_told_the_limits_it_can_check(self, world):
        body = (
            world.client_for(world.county_officer)
            .get(reverse("stations:facility-create"))
            .content.decode()
        )
        today = date.today().year
        assert 'type="tel"' in body and 'inputmode="tel"' in body and "pattern=" in body
        assert 'min="2000-01-01"' in body and 'name="office_area_m2"' in body
        assert 'min="0"' in body and f'max="{today}"' in body


class TestTheApi:
    def test_create_reports_every_field_at_once(self, world):
        data = {**FOUR_WRONGS, "is_demonstration": True, "phone": "abc", "office_area_m2": "很大"}
        response = api_for(world.county_officer).post("/api/v1/facilities/", data, format="json")
        assert response.status_code == 400
        fields = response.json()["error"]["fields"]
        assert set(fields) == {
            "division",
            "established_on",
            "office_area_m2",
            "demonstration_year",
            "phone",
        }
        assert not Facility.objects.exists()

    def test_patch_reports_every_field_at_once(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 6, 1))
        response = api_for(world.county_officer).patch(
            f"/api/v1/facilities/{facility.pk}/",
            {"phone": "123", "office_area_m2": "x", "demonstration_year": 1800},
            format="json",
        )
        assert set(response.json()["error"]["fields"]) == {
            "phone",
            "office_area_m2",
            "demonstration_year",
        }

    def test_a_rating_reports_stars_and_date_together(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 6, 1))
        response = api_for(world.county_officer).post(
            f"/api/v1/facilities/{facility.pk}/ratings/",
            {"stars": 9, "rated_on": "1999-12-31"},
            format="json",
        )
        assert response.status_code == 400
        assert {"stars", "rated_on"} <= set(response.json()["error"]["fields"])


class TestPhones:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("13800138000", "13800138000"),
            ("138 0013 8000", "13800138000"),
            ("+86 138-0013-8000", "13800138000"),
            ("0772-2812345", "0772-2812345"),
            ("07722812345", "0772-2812345"),
            ("010-12345678", "010-12345678"),
            ("", ""),
        ],
    )
    def test_mobiles_and_landlines_are_stored_in_their_usual_form(self, typed, stored):
        assert phone_normalize(typed) == stored

    @pytest.mark.parametrize(
        "typed", ["abc", "2812345", "0772-28", "12345678901", "+1 202 555 0100"]
    )
    def test_anything_else_is_refused_in_chinese(self, typed):
        with pytest.raises(ValidationError, match="11 位手机号"):
            phone_normalize(typed)

    def test_the_service_stores_the_usual_form(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 6, 1), phone="07722812345")
        assert facility.phone == "0772-2812345"
