"""Policy as dated data: seeded defaults, values in force on a day, changes with history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from stations.models import PolicyValue
from stations.policy import CATALOGUE, PolicyMissing, display_value, parse_value
from stations.selectors import policy_value
from stations.services import policy_value_set
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


class TestDefaults:
    def test_a_new_tenant_has_every_code_of_design_section_5(self, world):
        codes = set(
            PolicyValue.objects.filter(tenant=world.city_admin.tenant).values_list(
                "code", flat=True
            )
        )
        assert codes == {definition.code for definition in CATALOGUE}
        assert "coverage_target" in codes and "submission_deadline_day" in codes

    def test_the_coverage_target_follows_the_plans_path(self, world):
        target = {
            year: policy_value(world.city_admin, "coverage_target", date(year, 12, 31))
            for year in (2020, 2021, 2022, 2023, 2026)
        }
        assert target == {2020: 0.35, 2021: 0.70, 2022: 1.0, 2023: 1.0, 2026: 1.0}
        per_county = policy_value(
            world.county_officer, "demonstration_stations_per_county", date(2023, 1, 1)
        )
        assert per_county == {"min": 1, "max": 2}

    def test_a_day_without_a_value_names_the_code(self, world):
        with pytest.raises(PolicyMissing, match="coverage_target"):
            policy_value(world.city_admin, "coverage_target", date(2019, 6, 1))


class TestParse:
    @pytest.mark.parametrize(
        ("code", "raw", "value"),
        [
            ("coverage_target", "70%", 0.7),
            ("coverage_target", "０.８", 0.8),  # full-width digits, as Chinese IMEs type them
            ("coverage_target", "８０％", 0.8),
            ("coverage_target", "0.9", 0.9),
            ("demonstration_stations_per_county", "1-3", {"min": 1, "max": 3}),
            ("demonstration_stations_per_county", "1至2", {"min": 1, "max": 2}),
            ("evaluator_independence", "否", False),
            ("contract_required_clauses", "甲\n\n乙 ", ["甲", "乙"]),
            ("minimum_wage_monthly", "1,950", 1950),
            ("supervision_hours_per_session_min", "12.5", 12.5),
        ],
    )
    def test_values_are_read_as_people_write_them(self, code, raw, value):
        assert parse_value(code, raw) == value

    @pytest.mark.parametrize(
        ("code", "raw"),
        [
            ("coverage_target", "1.5"),
            ("coverage_target", "-0.1"),
            ("coverage_target", "NaN"),
            ("stations_per_supervisor", "8-2"),
            ("stationed_workers_per_station_min", "2.5"),
            ("evaluator_independence", "maybe"),
            ("contract_required_clauses", "  "),
        ],
    )
    def test_impossible_values_are_refused(self, code, raw):
        with pytest.raises(ValueError):
            parse_value(code, raw)

    def test_display(self):
        assert display_value("coverage_target", 0.7) == "70%"
        assert display_value("stations_per_supervisor", {"min": 2, "max": 8}) == "2–8"
        assert display_value("supervision_hours_per_session_min", 16) == "16 小时"


class TestChange:
    def test_a_new_value_from_a_date_ends_the_open_period_the_day_before(self, world):
        start = date(2025, 1, 1)
        row = policy_value_set(
            actor=world.city_admin,
            code="training_hours_per_year_min",
            value="60",
            effective_from=start,
            note="市民政局 2024 年 12 月通知",
        )
        assert (row.value, row.clause, row.updated_by) == (60, "二(四)3", world.city_admin.user)
        assert policy_value(world.city_admin, "training_hours_per_year_min", start) == 60
        day_before = start - timedelta(days=1)
        assert policy_value(world.city_admin, "training_hours_per_year_min", day_before) == 48
        # The other tenant is untouched.
        assert policy_value(world.other_tenant_admin, "training_hours_per_year_min", start) == 48

    def test_a_bounded_value_lets_the_old_one_resume(self, world):
        policy_value_set(
            actor=world.city_admin,
            code="minimum_wage_monthly",
            value="1950",
            effective_from=date(2024, 3, 1),
            effective_to=date(2024, 12, 31),
            note="2024 年标准",
        )
        read = lambda day: policy_value(world.city_admin, "minimum_wage_monthly", day)  # noqa: E731
        assert (read(date(2024, 2, 29)), read(date(2024, 6, 1)), read(date(2025, 1, 1))) == (
            1810,
            1950,
            1810,
        )

    def test_every_error_at_once_and_nothing_written(self, world):
        before = list(PolicyValue.objects.values_list("pk", "value", "effective_to"))
        with pytest.raises(ValidationError) as caught:
            policy_value_set(
                actor=world.city_admin,
                code="coverage_target",
                value="150%",
                effective_from=date(2025, 6, 1),
                effective_to=date(2025, 1, 1),
                note="",
            )
        assert set(caught.value.message_dict) == {"value", "effective_to", "note"}
        assert list(PolicyValue.objects.values_list("pk", "value", "effective_to")) == before

    def test_only_a_city_admin_changes_policy(self, world):
        for membership in (world.city_viewer, world.county_officer, world.contractor):
            with pytest.raises(PermissionDenied):
                policy_value_set(
                    actor=membership,
                    code="coverage_target",
                    value="0.9",
                    effective_from=date(2025, 1, 1),
                    note="x",
                )


class TestPage:
    def test_everyone_of_the_network_reads_it_only_the_admin_sees_forms(self, world):
        for membership in (world.city_admin, world.city_viewer, world.county_officer):
            page = world.client_for(membership).get(reverse("stations:policy")).content.decode()
            assert "乡镇（街道）社工站覆盖率目标" in page and "一(三)1" in page
            assert ('data-testid="policy-form-coverage_target"' in page) is (
                membership == world.city_admin
            )

    def test_the_admin_changes_a_value_and_the_history_says_who(self, world):
        client = world.client_for(world.city_admin)
        response = client.post(
            reverse("stations:policy"),
            {
                "code": "submission_deadline_day",
                "value": "15",
                "effective_from": "2026-01-01",
                "note": "市局通知",
            },
        )
        assert response.status_code == 302
        page = client.get(reverse("stations:policy")).content.decode()
        assert "15 日（次月）" in page and "lz_admin" in page and "市局通知" in page

    def test_a_bad_form_shows_every_error_and_changes_nothing(self, world):
        before = PolicyValue.objects.count()
        response = world.client_for(world.city_admin).post(
            reverse("stations:policy"),
            {"code": "coverage_target", "value": "abc", "effective_from": "2026-13-01"},
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "请填写数字。" in page  # the value
        assert "输入一个有效的日期。" in page  # the start
        assert "该字段是必填项。" in page  # the note
        assert PolicyValue.objects.count() == before

    def test_a_viewer_cannot_post(self, world):
        response = world.client_for(world.city_viewer).post(
            reverse("stations:policy"),
            {
                "code": "coverage_target",
                "value": "0.5",
                "effective_from": "2026-01-01",
                "note": "x",
            },
        )
        assert response.status_code == 403
        assert policy_value(world.city_admin, "coverage_target", timezone.localdate()) == 1.0

    def test_outsiders(self, world, outsiders):
        outsiders.assert_page_hidden(
            reverse("stations:policy"), members=[world.contractor, world.evaluator]
        )


class TestApi:
    def test_the_year_gives_the_values_in_force_that_year(self, world):
        body = api_for(world.county_officer).get("/api/v1/policy/?year=2021").json()
        targets = [row for row in body if row["code"] == "coverage_target"]
        assert targets == [
            {
                "code": "coverage_target",
                "title": "乡镇（街道）社工站覆盖率目标",
                "value": 0.7,
                "unit": "fraction",
                "clause": "一(三)1",
                "effective_from": "2021-01-01",
                "effective_to": "2021-12-31",
            }
        ]
        assert {row["code"] for row in body} >= {"organisations_incubated_per_county_min"}

    def test_a_bad_year_is_400(self, world):
        for year in ("1800", "abc", "99999"):
            body = assert_error(
                api_for(world.city_admin).get(f"/api/v1/policy/?year={year}"), 400, "invalid"
            )
            assert "year" in body["fields"]

    def test_each_tenant_sees_its_own(self, world):
        policy_value_set(
            actor=world.city_admin,
            code="minimum_wage_monthly",
            value="1990",
            effective_from=date(2026, 1, 1),
            note="x",
        )
        body = api_for(world.other_tenant_admin).get("/api/v1/policy/?year=2026").json()
        wages = [row["value"] for row in body if row["code"] == "minimum_wage_monthly"]
        assert wages == [1810]

    def test_post_by_admin_and_refusals(self, world):
        payload = {
            "code": "coverage_target",
            "value": "90%",
            "effective_from": "2026-01-01",
            "note": "x",
        }
        response = api_for(world.city_admin).post("/api/v1/policy/", payload, format="json")
        assert response.status_code == 201 and response.json()["value"] == 0.9
        assert_error(
            api_for(world.county_officer).post("/api/v1/policy/", payload, format="json"),
            403,
            "permission_denied",
        )
        body = assert_error(
            api_for(world.city_admin).post(
                "/api/v1/policy/", {**payload, "value": "x", "note": ""}, format="json"
            ),
            400,
            "invalid",
        )
        assert "note" in body["fields"]

    def test_outsiders(self, world, outsiders):
        outsiders.assert_api_hidden("/api/v1/policy/", members=[world.contractor, world.evaluator])


class TestPeriods:
    """A change never leaves a gap and never touches another period silently."""

    def periods(self, world, code):
        return list(
            PolicyValue.objects.filter(tenant=world.city_admin.tenant, code=code)
            .order_by("effective_from")
            .values_list("effective_from", "effective_to", "value")
        )

    def test_correcting_a_period_with_an_earlier_end_lets_the_old_value_resume(self, world):
        policy_value_set(
            actor=world.city_admin,
            code="licensed_growth_rate",
            value="30%",
            effective_from=date(2020, 1, 1),
            effective_to=date(2020, 12, 31),
            note="2020 年口径更正",
        )
        assert self.periods(world, "licensed_growth_rate") == [
            (date(2020, 1, 1), date(2020, 12, 31), 0.3),
            (date(2021, 1, 1), None, 0.25),
        ]
        assert policy_value(world.city_admin, "licensed_growth_rate", date(2024, 1, 1)) == 0.25

    def test_a_period_overlapping_a_later_one_is_refused_and_nothing_changes(self, world):
        before = self.periods(world, "coverage_target")
        with pytest.raises(ValidationError) as caught:
            policy_value_set(
                actor=world.city_admin,
                code="coverage_target",
                value="0.5",
                effective_from=date(2020, 6, 1),
                effective_to=date(2021, 6, 30),  # runs into the 2021 period
                note="x",
            )
        assert "effective_to" in caught.value.message_dict
        assert self.periods(world, "coverage_target") == before

    def test_a_value_before_the_first_period(self, world):
        policy_value_set(
            actor=world.city_admin,
            code="licensed_multiple_of_baseline",
            value="1.5",
            effective_from=date(2022, 1, 1),
            effective_to=date(2022, 12, 31),
            note="2022 年中期目标",
        )
        assert self.periods(world, "licensed_multiple_of_baseline") == [
            (date(2022, 1, 1), date(2022, 12, 31), 1.5),
            (date(2023, 1, 1), date(2023, 12, 31), 2.0),
        ]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"effective_to": date(9999, 12, 31)}, "effective_to"),
            ({"effective_from": date(9999, 1, 1)}, "effective_from"),
            ({"value": "1e5000"}, "value"),
            ({"value": "1E+999999999"}, "value"),
            ({"value": "99999999999"}, "value"),
        ],
    )
    def test_absurd_dates_and_numbers_are_refused(self, world, changes, field):
        arguments = {
            "code": "minimum_wage_monthly",
            "value": "1900",
            "effective_from": date(2024, 1, 1),
            "note": "x",
        } | changes
        with pytest.raises(ValidationError) as caught:
            policy_value_set(actor=world.city_admin, **arguments)
        assert field in caught.value.message_dict

    def test_the_api_refuses_them_with_400_too(self, world):
        api = api_for(world.city_admin)
        for payload in (
            {"code": "licensed_growth_rate", "value": 0.3, "effective_to": "9999-12-31"},
            {"code": "minimum_wage_monthly", "value": "1e5000"},
            {"code": "contract_required_clauses", "value": ["a\u0000b"]},
            {"code": "demonstration_stations_per_county", "value": {"min": 1, "max": "9" * 5000}},
        ):
            body = {"effective_from": "2024-01-01", "note": "x"} | payload
            response = api.post("/api/v1/policy/", body, format="json")
            assert_error(response, 400, "invalid")

    def test_the_history_names_who_changed_what(self, world):
        client = world.client_for(world.city_admin)
        client.post(
            reverse("stations:policy"),
            {
                "code": "training_hours_per_year_min",
                "value": "60",
                "effective_from": "2026-01-01",
                "note": "市局培训通知",
            },
        )
        page = client.get(reverse("stations:policy")).content.decode()
        history = page[page.index('data-testid="policy-history"') :]
        body = history[history.index("<tbody>") :]
        first_row = body[: body.index("</tr>")]
        assert "lz_admin" in first_row and "60 小时" in first_row and "市局培训通知" in first_row
