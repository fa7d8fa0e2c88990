"""Readable history and corrections: one entry per action, sentences, display values."""

from datetime import date

import pytest
from django.urls import reverse

from stations.coverage import coverage_at
from stations.models import Facility, FacilityOperatingPeriod
from stations.selectors import facility_history
from stations.services import facilities as facility_services
from tests.factories import station
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world):
    facility = station(world.county_officer, "450202001", date(2021, 4, 1), has_site=True)
    facility_services.facility_update(
        actor=world.county_officer, facility=facility, phone="0772-2812345"
    )
    facility_services.facility_close(
        actor=world.county_officer, facility=facility, on=date(2022, 5, 1), reason="场地装修"
    )
    return facility


class TestReadableHistory:
    def test_one_entry_per_action_in_sentences(self, world, closed):
        entries = facility_history(closed)
        assert [entry.action for entry in entries] == [
            "facility_close",
            "facility_update",
            "facility_create",
        ]
        close = entries[0].summary
        assert close.startswith("lz_chengzhong 于 ") and "停止了本站运营" in close
        assert "状态 运营中 → 已关闭" in close and "2022-05-01" in close
        assert "场地装修" in close
        assert entries[1].summary.endswith("修改了本站信息：联系电话 0772-2812345")
        created = entries[2]
        labels = {change.label for change in created.changes}
        assert "层级" in labels and "有场地" in labels
        text = " ".join(f"{c.label} {c.old} {c.new}" for e in entries for c in e.changes)
        for technical in ("租户", "township_station", "operating", "True", "county_code"):
            assert technical not in text
        assert "城中街道" in text and "是" in text

    def test_the_api_gives_the_same_entries(self, world, closed, outsiders):
        url = f"/api/v1/facilities/{closed.pk}/history/"
        body = api_for(world.city_viewer).get(url).json()
        assert [entry["action"] for entry in body][0] == "facility_close"
        first = body[0]
        assert set(first) >= {"at", "actor", "action", "summary", "changes"}
        assert {"field", "label", "old", "new"} == set(first["changes"][0])
        outsiders.assert_api_hidden(url)


class TestCorrections:
    def test_an_opening_date_corrected_moves_coverage_of_those_days_only(self, world, closed):
        city = world.city_admin.scope_division

        def covered(day):
            return coverage_at(world.city_admin, city, day).covered

        before = covered(date(2021, 2, 1))
        api = api_for(world.county_officer)
        response = api.post(
            f"/api/v1/facilities/{closed.pk}/correct/",
            {"established_on": "2021-01-15", "reason": "录入时把 1 月写成了 4 月"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["established_on"] == "2021-01-15"
        period = FacilityOperatingPeriod.objects.get(facility=closed)
        assert (period.started_on, period.ended_on) == (date(2021, 1, 15), date(2022, 5, 1))
        assert covered(date(2021, 2, 1)) == before + 1
        assert covered(date(2021, 1, 14)) == 0 and covered(date(2022, 6, 1)) == 0
        entry = facility_history(closed)[0]
        assert entry.action == "facility_correct" and entry.reason == "录入时把 1 月写成了 4 月"
        assert "建成运营日期 2021-04-01 → 2021-01-15" in entry.summary
        assert "更正了本站信息" in entry.summary

    def test_a_division_and_level_corrected_together(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 4, 1))
        corrected = facility_services.facility_correct(
            actor=world.county_officer,
            facility=facility,
            division_code="450202002",
            reason="选错了街道",
        )
        assert corrected.division_id == "450202002000"
        assert corrected.name == "城中区公园街道社会工作服务站"
        assert FacilityOperatingPeriod.objects.get().division_id == "450202002000"

    def test_every_problem_at_once_and_nothing_changes(self, world, closed):
        station(world.county_officer, "450202002", date(2020, 1, 1))
        response = api_for(world.county_officer).post(
            f"/api/v1/facilities/{closed.pk}/correct/",
            {"established_on": "2030-01-01", "division": "450202002", "reason": ""},
            format="json",
        )
        body = assert_error(response, 400, "invalid")
        assert set(body["fields"]) == {"established_on", "reason", "division"}
        closed.refresh_from_db()
        assert closed.established_on == date(2021, 4, 1) and closed.division_id == "450202001000"

    def test_a_correction_needs_something_to_correct(self, world, closed):
        response = api_for(world.county_officer).post(
            f"/api/v1/facilities/{closed.pk}/correct/",
            {"established_on": "2021-04-01", "reason": "核对"},
            format="json",
        )
        assert "non_field_errors" in assert_error(response, 400, "invalid")["fields"]

    def test_only_those_who_keep_the_station_correct_it(self, world, closed, outsiders):
        url = f"/api/v1/facilities/{closed.pk}/correct/"
        data = {"established_on": "2021-01-15", "reason": "x"}
        outsiders.assert_api_hidden(url, method="post", data=data)
        assert api_for(world.city_viewer).post(url, data, format="json").status_code == 403
        assert api_for(world.city_admin).post(url, data, format="json").status_code == 200

    def test_the_page_corrects_with_a_reason(self, world, closed):
        client = world.client_for(world.county_officer)
        url = reverse("stations:facility-status", args=[closed.pk])
        refused = client.post(url, {"action": "correct", "established_on": "2021-01-15"})
        assert refused.status_code == 400 and "更正须写明原因" in refused.content.decode()
        client.post(url, {"action": "correct", "established_on": "2021-01-15", "reason": "笔误"})
        assert Facility.objects.get().established_on == date(2021, 1, 15)
