"""Dated coverage overrides: coverage on a day uses the overrides in force that day."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports.models import JobStatus
from reports.services import job_request, job_run
from stations.coverage import coverage_at, coverage_timeline
from stations.models import CoverageOverride, Division
from stations.services import coverage_override_end, coverage_override_set
from tests.factories import station
from tests.helpers import api_for, assert_error, pdf_text, sheets

pytestmark = pytest.mark.django_db

PAST_DAYS = [date(2020, 12, 31), date(2021, 6, 30), date(2022, 1, 1), date(2024, 5, 1)]


def city():
    return Division.objects.get(code="450200000000")


def figures(actor, day):
    result = coverage_at(actor, city(), day)
    return (result.covered, result.total, len(result.uncovered))


def exclude(world, code="450202001", **dates):
    return coverage_override_set(
        actor=world.city_admin, division_code=code, counted=False, reason="整体搬迁", **dates
    )


class TestDated:
    def test_adding_an_override_today_leaves_every_earlier_day_and_the_timeline(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        station(world.county_officer, "450202002", date(2021, 3, 1))
        today = timezone.localdate()
        before = {day: figures(world.city_admin, day) for day in PAST_DAYS}
        timeline = coverage_timeline(world.city_admin, city(), date(2020, 1, 1), today)

        exclude(world)

        assert {day: figures(world.city_admin, day) for day in PAST_DAYS} == before
        after = coverage_timeline(world.city_admin, city(), date(2020, 1, 1), today)
        assert after[:-1] == timeline[:-1]  # every month end before today
        assert (timeline[-1].covered, timeline[-1].total) == (2, 118)
        assert (after[-1].covered, after[-1].total) == (1, 117)  # today: excluded
        assert figures(world.city_admin, today) == (1, 117, 116)

    def test_an_explicit_earlier_start_applies_from_that_day_on(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        exclude(world, effective_from=date(2021, 7, 1))
        assert figures(world.city_admin, date(2021, 6, 30))[:2] == (1, 118)
        assert figures(world.city_admin, date(2021, 7, 1))[:2] == (0, 117)
        points = coverage_timeline(world.city_admin, city(), date(2021, 5, 1), date(2021, 8, 31))
        assert [(p.covered, p.total) for p in points] == [(1, 118), (1, 118), (0, 117), (0, 117)]

    def test_a_bounded_override_and_a_township_like_unit_counted_for_a_while(self, world):
        """桂林 (4503) has one 类似乡级单位: counted during 2022 only."""
        admin = world.other_tenant_admin
        zone = Division.objects.get(city_code="4503", township_kind="township_like")
        guilin = Division.objects.get(code="450300000000")

        def total(day):
            return coverage_at(admin, guilin, day).total

        before = total(date(2021, 12, 31))
        coverage_override_set(
            actor=admin,
            division_code=zone.code,
            counted=True,
            reason="有常住居民",
            effective_from=date(2022, 1, 1),
            effective_to=date(2022, 12, 31),
        )
        assert (total(date(2021, 12, 31)), total(date(2022, 6, 1)), total(date(2023, 1, 1))) == (
            before,
            before + 1,
            before,
        )
        # 柳州's figures are its own.
        assert figures(world.city_admin, date(2022, 6, 1))[1] == 118

    def test_a_new_value_ends_the_open_one_the_day_before(self, world):
        first = exclude(world, effective_from=date(2021, 1, 1))
        coverage_override_set(
            actor=world.city_admin,
            division_code="450202001",
            counted=False,
            reason="新的依据",
            effective_from=date(2023, 1, 1),
        )
        first.refresh_from_db()
        assert first.effective_to == date(2022, 12, 31)
        assert CoverageOverride.objects.count() == 2

    def test_an_overlap_with_a_closed_period_is_refused_and_nothing_changes(self, world):
        exclude(world, effective_from=date(2021, 1, 1), effective_to=date(2021, 12, 31))
        with pytest.raises(ValidationError) as caught:
            exclude(world, effective_from=date(2020, 6, 1), effective_to=date(2021, 3, 1))
        assert "effective_to" in caught.value.message_dict  # its end runs into 2021
        assert CoverageOverride.objects.count() == 1

    def test_every_error_at_once(self, world):
        with pytest.raises(ValidationError) as caught:
            coverage_override_set(
                actor=world.city_admin,
                division_code="450202001",
                counted=True,
                reason=" ",
                effective_from=date(2022, 1, 1),
                effective_to=date(2021, 1, 1),
            )
        assert set(caught.value.message_dict) == {"reason", "counted", "effective_to"}

    def test_ending_restores_the_default_from_that_day(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        override = exclude(world, effective_from=date(2021, 1, 1))
        coverage_override_end(actor=world.city_admin, override=override, on=date(2022, 1, 1))
        assert figures(world.city_admin, date(2021, 12, 31))[:2] == (0, 117)
        assert figures(world.city_admin, date(2022, 1, 1))[:2] == (1, 118)
        # Ended the day it starts: it never applied, it goes; its history stays.
        today = exclude(world, code="450202002")
        assert coverage_override_end(actor=world.city_admin, override=today) is None
        assert not CoverageOverride.objects.filter(division_id="450202002000").exists()
        events = CoverageOverride.pgh_event_model.objects.filter(division_id="450202002000")
        assert {event.pgh_label for event in events} == {"insert", "delete"}


class TestPages:
    def test_the_dashboard_lists_the_units_counted_or_excluded_by_override(self, world):
        exclude(world, effective_from=date(2021, 1, 1))
        page = world.client_for(world.city_admin).get(reverse("reports:home")).content.decode()
        assert 'data-testid="overridden-list"' in page and "整体搬迁" in page
        past = world.client_for(world.city_admin).get(
            reverse("reports:home"), {"as_of": "2020-12-31"}
        )
        assert 'data-testid="overridden-list"' not in past.content.decode()
        # A county officer of another county does not see this county's unit.
        other = world.client_for(world.other_county_officer).get(reverse("reports:home"))
        assert "整体搬迁" not in other.content.decode()

    def test_the_township_page_lists_the_periods_and_sets_a_dated_override(self, world):
        client = world.client_for(world.city_admin)
        url = reverse("stations:division-detail", args=["450202001"])
        response = client.post(
            url,
            {
                "action": "set",
                "counted": "0",
                "reason": "整体搬迁",
                "effective_from": "2021-01-01",
                "effective_to": "2020-01-01",
            },
        )
        assert (
            response.status_code == 400
            and "截止日期不能早于起始日期。" in response.content.decode()
        )
        assert not CoverageOverride.objects.exists()
        client.post(
            url,
            {"action": "set", "counted": "0", "reason": "整体搬迁", "effective_from": "2021-01-01"},
        )
        page = client.get(url).content.decode()
        assert 'data-testid="override-periods"' in page and "2021-01-01 – 长期" in page

    def test_the_coverage_report_lists_them(self, world, django_capture_on_commit_callbacks):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        exclude(world, effective_from=date(2021, 1, 1))
        with django_capture_on_commit_callbacks(execute=False):
            pdf = job_request(
                actor=world.city_admin,
                kind="coverage",
                parameters={"as_of": "2022-01-01", "format": "pdf"},
            )
            xlsx = job_request(
                actor=world.city_admin,
                kind="coverage",
                parameters={"as_of": "2022-01-01", "format": "xlsx"},
            )
        pdf, xlsx = job_run(job_id=pdf.pk), job_run(job_id=xlsx.pk)
        assert pdf.status == xlsx.status == JobStatus.SUCCEEDED
        text = pdf_text(pdf.result_file.read())
        assert "口径调整（1 个）" in text and "整体搬迁" in text
        summary = sheets(xlsx.result_file.read())["概况"]
        assert ("450202001", "城中街道", "城中区", "不计入") in [row[:4] for row in summary]


class TestApi:
    url = "/api/v1/coverage/overrides/"

    def test_admin_adds_lists_and_ends(self, world):
        api = api_for(world.city_admin)
        response = api.post(
            self.url,
            {
                "division": "450202001",
                "counted": False,
                "reason": "搬迁",
                "effective_from": "2021-01-01",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["division"] == "450202001" and body["effective_to"] is None
        listed = api.get(self.url, {"as_of": "2021-06-01"}).json()["results"]
        assert [row["id"] for row in listed] == [body["id"]]
        assert api.get(self.url, {"as_of": "2020-06-01"}).json()["results"] == []
        ended = api.post(f"{self.url}{body['id']}/end/", {"on": "2022-01-01"}, format="json")
        assert ended.status_code == 200 and ended.json()["effective_to"] == "2021-12-31"
        coverage = api.get("/api/v1/coverage/", {"division": "4502", "as_of": "2021-06-01"}).json()
        assert coverage["total"] == 117

    def test_bad_input_is_400_with_every_field_and_nothing_written(self, world):
        body = assert_error(
            api_for(world.city_admin).post(
                self.url,
                {"division": "450202", "counted": True, "reason": "", "effective_from": "x"},
                format="json",
            ),
            400,
            "invalid",
        )
        assert {"reason", "effective_from"} <= set(body["fields"])
        assert not CoverageOverride.objects.exists()

    def test_only_the_city_admin_writes(self, world):
        payload = {"division": "450202001", "counted": False, "reason": "x"}
        for membership in (world.city_viewer, world.county_officer):
            response = api_for(membership).post(self.url, payload, format="json")
            assert_error(response, 403, "permission_denied")
        assert not CoverageOverride.objects.exists()

    def test_scoped_lists_and_outsiders(self, world, outsiders):
        mine = exclude(world, effective_from=date(2021, 1, 1))
        listed = api_for(world.county_officer).get(self.url).json()["results"]
        assert [row["id"] for row in listed] == [mine.pk]
        for membership in outsiders.members:
            if membership == world.contractor or membership == world.evaluator:
                continue  # they get 404 for the whole list (below)
            assert api_for(membership).get(self.url).json()["results"] == []
        outsiders.assert_api_hidden(
            f"{self.url}{mine.pk}/end/",
            method="post",
            members=[world.other_county_officer, world.other_tenant_admin],
        )
        outsiders.assert_api_hidden(self.url, members=[world.contractor, world.evaluator])
        mine.refresh_from_db()
        assert mine.effective_to is None

    def test_ending_twice_is_refused(self, world):
        override = exclude(world, effective_from=date(2021, 1, 1))
        api = api_for(world.city_admin)
        url = f"{self.url}{override.pk}/end/"
        assert api.post(url, {"on": "2022-01-01"}, format="json").status_code == 200
        body = assert_error(api.post(url, {"on": "2023-01-01"}, format="json"), 400, "invalid")
        assert "on" in body["fields"]
        override.refresh_from_db()
        assert override.effective_to == date(2021, 12, 31)


class TestPeriodEdges:
    def test_a_bounded_override_inside_an_open_one_lets_the_open_one_resume(self, world):
        station(world.county_officer, "450202001", date(2019, 6, 1))
        exclude(world, effective_from=date(2020, 1, 1))
        coverage_override_set(
            actor=world.city_admin,
            division_code="450202001",
            counted=False,
            reason="2021 年新的依据",
            effective_from=date(2021, 1, 1),
            effective_to=date(2021, 12, 31),
        )
        periods = list(
            CoverageOverride.objects.order_by("effective_from").values_list(
                "effective_from", "effective_to", "reason"
            )
        )
        assert periods == [
            (date(2020, 1, 1), date(2020, 12, 31), "整体搬迁"),
            (date(2021, 1, 1), date(2021, 12, 31), "2021 年新的依据"),
            (date(2022, 1, 1), None, "整体搬迁"),
        ]
        assert figures(world.city_admin, date(2023, 6, 1))[:2] == (0, 117)

    def test_ending_before_the_start_is_refused_and_on_the_start_removes_it(self, world):
        override = exclude(world, effective_from=date(2021, 1, 1))
        with pytest.raises(ValidationError) as caught:
            coverage_override_end(actor=world.city_admin, override=override, on=date(2000, 1, 1))
        assert "on" in caught.value.message_dict
        assert CoverageOverride.objects.filter(pk=override.pk).exists()
        coverage_override_end(actor=world.city_admin, override=override, on=date(2021, 1, 1))
        assert not CoverageOverride.objects.exists()

    def test_restoring_the_default_on_a_county_page_is_refused_politely(self, world):
        client = world.client_for(world.city_admin)
        response = client.post(
            reverse("stations:division-detail", args=["450202"]), {"action": "clear"}, follow=True
        )
        assert response.status_code == 200
        assert "只能调整乡级区划" in response.content.decode()

    def test_a_retired_township_cannot_be_overridden_after_it_was_retired(self, world):
        Division.objects.filter(code="450202007000").update(retired_on=date(2022, 1, 1))
        with pytest.raises(ValidationError) as caught:
            exclude(world, code="450202007", effective_from=date(2022, 6, 1))
        assert "effective_from" in caught.value.message_dict
        exclude(world, code="450202007", effective_from=date(2021, 6, 1))  # before: fine

    def test_absurd_dates_are_refused(self, world):
        with pytest.raises(ValidationError) as caught:
            exclude(world, effective_from=date(2021, 1, 1), effective_to=date(9999, 12, 31))
        assert "effective_to" in caught.value.message_dict
