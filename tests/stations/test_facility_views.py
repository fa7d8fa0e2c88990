"""Facility pages and the dashboard: forms, actions, history, scoping, query ceilings."""

from datetime import date

import pytest
from django.urls import reverse

from stations.models import Facility, FacilityStatus
from tests.factories import station
from tests.helpers import get

pytestmark = pytest.mark.django_db


class TestDashboard:
    def test_city_dashboard_shows_coverage_by_county_and_the_gaps(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        station(world.other_county_officer, "450206100", date(2021, 6, 1))
        body = get(
            world.client_for(world.city_admin), reverse("reports:home"), ceiling=14
        ).content.decode()
        assert 'data-testid="coverage-rate">1.7%<' in body
        assert "已覆盖 2 / 计入 118 个乡镇（街道）" in body
        assert 'data-testid="facilities-township_station">2<' in body
        assert 'data-testid="uncovered-count">116<' in body
        assert "融水苗族自治县" in body and 'id="timeline-chart"' in body

    def test_a_past_date_gives_the_past_answer(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        station(world.county_officer, "450202002", date(2021, 6, 1))
        body = (
            world.client_for(world.county_officer)
            .get(reverse("reports:home") + "?as_of=2020-12-31")
            .content.decode()
        )
        assert "已覆盖 1 / 计入 7 个乡镇（街道）" in body
        assert "柳江区" not in body

    def test_a_future_or_malformed_date_shows_an_error_and_today(self, world):
        client = world.client_for(world.city_admin)
        for value in ("2999-01-01", "2021-02-30", "yesterday"):
            body = client.get(reverse("reports:home") + f"?as_of={value}").content.decode()
            assert "is-invalid" in body and "计入 118" in body


class TestFacilityPages:
    def test_county_officer_creates_edits_closes_and_reopens_in_the_browser_forms(self, world):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("stations:facility-create"),
            {
                "level": "township_station",
                "division": "450202001",
                "status": "operating",
                "established_on": "2021-04-01",
                "name": "",
                "office_area_m2": "90",
                "has_site": "on",
            },
        )
        facility = Facility.objects.get()
        assert response["Location"] == reverse("stations:facility-detail", args=[facility.pk])
        assert facility.name == "城中区城中街道社会工作服务站"
        response = client.post(
            reverse("stations:facility-edit", args=[facility.pk]),
            {"name": facility.name, "phone": "0772-2812345", "remarks": "新址"},
        )
        assert response.status_code == 302
        client.post(
            reverse("stations:facility-status", args=[facility.pk]),
            {"action": "close", "status": "suspended", "on": "2022-01-01", "reason": "装修"},
        )
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.SUSPENDED
        client.post(
            reverse("stations:facility-status", args=[facility.pk]),
            {"action": "open", "on": "2022-03-01"},
        )
        client.post(
            reverse("stations:facility-status", args=[facility.pk]),
            {"action": "rate", "stars": "4", "rated_on": "2023-05-01"},
        )
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.OPERATING and facility.current_stars == 4
        body = get(
            client, reverse("stations:facility-detail", args=[facility.pk]), ceiling=16
        ).content.decode()
        assert "2021-04-01 — 2022-01-01" in body and "2022-03-01 — 至今" in body
        assert 'data-testid="history"' in body and "lz_chengzhong" in body
        assert "0772-2812345" in body and "装修" in body

    def test_create_errors_are_shown_on_the_fields_and_nothing_is_written(self, world):
        client = world.client_for(world.county_officer)
        cases = [
            (
                {"level": "township_station", "division": "450206001", "status": "planned"},
                "division",
                "不在您的管辖范围内",
            ),
            (
                {"level": "township_station", "division": "450202", "status": "planned"},
                "division",
                "必须设在乡级区划上",
            ),
            (
                {"level": "township_station", "division": "450202001", "status": "operating"},
                "established_on",
                "须填写建成运营日期",
            ),
            (
                {
                    "level": "township_station",
                    "division": "450202001",
                    "status": "planned",
                    "office_area_m2": "-5",
                },
                "office_area_m2",
                "",
            ),
        ]
        for data, field, message in cases:
            response = client.post(reverse("stations:facility-create"), data)
            assert response.status_code == 400
            body = response.content.decode()
            assert f'data-testid="error-{field}"' in body and message in body
        assert not Facility.objects.exists()

    def test_closing_before_opening_is_shown_on_the_form(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 6, 1))
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("stations:facility-status", args=[facility.pk]),
            {"action": "close", "status": "closed", "on": "2021-01-01", "reason": "x"},
        )
        assert response.status_code == 400 and "须晚于开始运营日期" in response.content.decode()
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.OPERATING

    def test_list_filters_and_search(self, world):
        station(
            world.county_officer,
            "450202001",
            date(2021, 1, 1),
            is_demonstration=True,
            demonstration_year=2022,
        )
        station(world.other_county_officer, "450206100", date(2021, 1, 1))
        client = world.client_for(world.city_viewer)
        body = get(client, reverse("stations:facility-list")).content.decode()
        assert "城中街道社会工作服务站" in body and "拉堡镇社会工作服务站" in body
        body = get(client, reverse("stations:facility-list") + "?county=450206").content.decode()
        assert "城中街道社会工作服务站" not in body and "拉堡镇" in body
        body = get(
            client, reverse("stations:facility-list") + "?demonstration=true&q=城中"
        ).content.decode()
        assert "共 1 个站点" in body
        assert 'data-testid="facility-new"' not in body

    @pytest.mark.parametrize(
        "who", ["other_county_officer", "other_tenant_admin", "contractor", "evaluator"]
    )
    def test_other_scopes_get_404_and_see_nothing(self, world, who):
        facility = station(world.county_officer, "450202001", date(2021, 1, 1))
        client = world.client_for(getattr(world, who))
        listing = client.get(reverse("stations:facility-list"))
        assert listing.status_code == 404 or facility.name not in listing.content.decode()
        for name in (
            "stations:facility-detail",
            "stations:facility-edit",
            "stations:facility-status",
        ):
            assert client.get(reverse(name, args=[facility.pk])).status_code == 404
        response = client.post(
            reverse("stations:facility-status", args=[facility.pk]),
            {"action": "close", "status": "closed", "on": "2022-01-01", "reason": "x"},
        )
        assert response.status_code == 404
        facility.refresh_from_db()
        assert facility.status == FacilityStatus.OPERATING

    def test_viewers_read_but_cannot_change(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 1, 1))
        client = world.client_for(world.city_viewer)
        body = client.get(reverse("stations:facility-detail", args=[facility.pk])).content.decode()
        assert 'data-testid="facility-edit"' not in body and 'data-testid="close-form"' not in body
        assert client.get(reverse("stations:facility-edit", args=[facility.pk])).status_code == 403
        assert client.get(reverse("stations:facility-create")).status_code == 404
