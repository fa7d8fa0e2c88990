"""Rules with clauses: the compliance runner, page, API and report, and the report registry."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Job, JobStatus
from reports.rules import compliance_run
from reports.services import job_request, job_run
from stations.models import Division
from stations.registry import report_kinds, rules
from stations.scoping import scope_of
from stations.services import policy_value_set
from stations.services.facilities import facility_create, facility_update
from tests.factories import load_divisions, member, station
from tests.helpers import api_for, assert_constant_queries, assert_error, pdf_text, sheets

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def run(membership, code="4502", as_of=None):
    division = Division.objects.get(code=code.ljust(12, "0"))
    result = compliance_run(scope_of(membership), division, as_of or TODAY())
    return {outcome.rule.code: outcome.result for outcome in result.outcomes}


def complete_six(actor, facility):
    facility_update(
        actor=actor,
        facility=facility,
        **{
            f"has_{stem}": True
            for stem in ("site", "equipment", "staff", "services", "workflow", "rules")
        },  # noqa: E501
    )


class TestRegistry:
    def test_the_network_rules_come_first_with_their_clauses(self):
        declared = [(rule.code, rule.clause) for rule in rules()]
        assert declared[:3] == [
            ("coverage_target", "一(三)1"),
            ("county_centre_and_demonstration", "二(一)2"),
            ("six_haves", "二(一)3"),
        ]

    def test_report_kinds_are_declared_once(self):
        kinds = report_kinds()
        assert {"divisions_export", "coverage", "compliance"} <= set(kinds)
        assert kinds["compliance"].formats == ("pdf", "xlsx")
        assert kinds["divisions_export"].is_report is False


class TestRules:
    def test_a_city_with_no_stations_fails_every_rule_with_its_records(self, world):
        results = run(world.city_admin)
        coverage = results["coverage_target"]
        assert coverage.passed is False and coverage.expected.startswith("覆盖率 ≥ 100.0%")
        subjects = [finding.subject for finding in coverage.findings]
        assert "城中区" in subjects  # a county below target
        assert sum(1 for f in coverage.findings if f.expected.startswith("有运营中")) == 118
        centres = results["county_centre_and_demonstration"]
        assert centres.passed is False and len(centres.findings) == 10
        assert centres.findings[0].actual == "无运营中的指导中心；示范站 0 个"
        assert results["six_haves"].passed is False
        assert results["six_haves"].actual == "0/0 个站点六有齐全"

    def test_the_target_comes_from_policy_and_its_year(self, world):
        station(world.county_officer, "450202001", date(2020, 6, 1))
        # 2020's baseline target 35%: 1/118 fails; a target of 0% for 2020 passes.
        assert run(world.city_admin, as_of=date(2020, 12, 31))["coverage_target"].passed is False
        policy_value_set(
            actor=world.city_admin,
            code="coverage_target",
            value="0%",
            effective_from=date(2020, 1, 1),
            effective_to=date(2020, 12, 31),
            note="测试",
        )
        result = run(world.city_admin, as_of=date(2020, 12, 31))["coverage_target"]
        assert result.passed is True and result.expected.startswith("覆盖率 ≥ 0.0%")
        assert result.findings == []

    def test_a_county_with_a_centre_and_one_demonstration_station_meets_2_1_2(self, world):
        officer = world.county_officer
        facility_create(
            actor=officer,
            level="county_centre",
            division_code="450202",
            status="operating",
            established_on=date(2021, 1, 1),
        )
        demo = station(officer, "450202001", date(2021, 1, 1))
        facility_update(
            actor=officer, facility=demo, is_demonstration=True, demonstration_year=2022
        )
        county = run(officer, code="450202")["county_centre_and_demonstration"]
        assert county.passed is True and county.actual == "1/1 个县（市、区）达标"
        # Before it was recognised, the county had no demonstration station.
        before = run(officer, code="450202", as_of=date(2021, 6, 1))
        assert (
            before["county_centre_and_demonstration"].findings[0].actual
            == "有指导中心；示范站 0 个"
        )
        city = run(world.city_admin)["county_centre_and_demonstration"]
        assert "城中区" not in [finding.subject for finding in city.findings]
        assert len(city.findings) == 9

    def test_six_haves_names_what_each_station_lacks_from_the_standardisation_year(self, world):
        officer = world.county_officer
        lacking = station(officer, "450202001", date(2021, 1, 1), has_site=True)
        complete_six(officer, station(officer, "450202002", date(2021, 1, 1)))
        result = run(officer, code="450202")["six_haves"]
        assert result.passed is False and result.actual == "1/2 个站点六有齐全"
        assert [(f.subject, f.actual) for f in result.findings] == [
            (lacking.name, "缺：有设备、有人员、有服务功能、有工作流程、有规章制度")
        ]
        early = run(officer, code="450202", as_of=date(2022, 12, 31))["six_haves"]
        assert early.passed is None and early.note == "2023 年起检查。"

    def test_the_queries_do_not_grow_with_the_records(self, world):
        admin = world.city_admin
        city = Division.objects.get(code="450200000000")
        station(world.county_officer, "450202001", date(2021, 1, 1))

        def grow():
            for code in ("450202002", "450202003", "450202004", "450202005"):
                station(world.county_officer, code, date(2021, 1, 1))
            station(world.other_county_officer, "450206100", date(2021, 1, 1))

        assert_constant_queries(lambda: compliance_run(scope_of(admin), city, TODAY()), grow)


class TestCityWithoutCounties:
    def test_dongguan_skips_the_county_rule_and_counts_its_townships(self):
        load_divisions("4419")
        admin = member("dg_admin", "4419", "city_admin")
        results = run(admin, code="4419")
        county = results["county_centre_and_demonstration"]
        assert county.passed is None and "不设县" in county.note
        coverage = results["coverage_target"]
        assert coverage.passed is False
        assert {f.division[:4] for f in coverage.findings} == {"4419"}
        response = api_for(admin).get("/api/v1/coverage/", {"division": "4419"}).json()
        assert response["total"] > 0 and all(len(c["division"]) == 9 for c in response["children"])

    def test_add_member_explains_that_the_city_has_no_counties(self):
        from django.core.exceptions import ValidationError

        from stations.services import membership_scope
        from tests.factories import tenant

        load_divisions("4419")
        with pytest.raises(ValidationError) as caught:
            membership_scope(tenant=tenant("4419"), role="county_officer", scope_code="441900")
        assert "不设县" in caught.value.message_dict["scope"][0]


class TestPage:
    def test_city_roles_see_every_rule_and_pick_a_county(self, world):
        client = world.client_for(world.city_viewer)
        page = client.get(reverse("reports:compliance")).content.decode()
        for clause in ("一(三)1", "二(一)2", "二(一)3"):
            assert clause in page
        assert 'id="compliance-division"' in page
        county = client.get(reverse("reports:compliance"), {"division": "450206"}).content.decode()
        assert "柳江区目标达标情况" in county

    def test_a_county_officer_sees_the_county_only(self, world):
        client = world.client_for(world.county_officer)
        page = client.get(reverse("reports:compliance")).content.decode()
        assert "城中区目标达标情况" in page and 'id="compliance-division"' not in page
        other = client.get(reverse("reports:compliance"), {"division": "450206"})
        assert other.status_code == 404
        assert "柳江区" not in other.content.decode()

    def test_findings_link_to_the_records(self, world):
        facility = station(world.county_officer, "450202001", date(2021, 1, 1))
        page = (
            world.client_for(world.city_admin).get(reverse("reports:compliance")).content.decode()
        )
        assert reverse("stations:facility-detail", args=[facility.pk]) in page
        assert reverse("stations:division-detail", args=["450202002"]) in page

    def test_bad_dates_say_why(self, world):
        client = world.client_for(world.city_admin)
        for value, message in (
            ("1999-12-31", "不能早于 2000-01-01"),
            ("2999-01-01", "不能晚于今天"),
        ):
            response = client.get(reverse("reports:compliance"), {"as_of": value})
            assert response.status_code == 400 and message in response.content.decode()

    def test_outsiders(self, world, outsiders):
        outsiders.assert_page_hidden(
            reverse("reports:compliance"), members=[world.contractor, world.evaluator]
        )


class TestApi:
    def test_shape(self, world):
        body = (
            api_for(world.county_officer).get("/api/v1/compliance/", {"as_of": "2024-01-01"}).json()
        )
        assert (body["division"], body["as_of"]) == ("450202", "2024-01-01")
        assert [rule["code"] for rule in body["rules"]] == [rule.code for rule in rules()]
        coverage = body["rules"][0]
        assert set(coverage) >= {"code", "title", "clause", "passed", "expected", "actual"}
        assert set(coverage["findings"][0]) == {"subject", "division", "expected", "actual"}
        assert all(f["division"].startswith("450202") for f in coverage["findings"])

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"division": "450202001001"}, "division"),  # a village
            ({"division": "450202001"}, "division"),  # a township
            ({"as_of": "1999-12-31"}, "as_of"),
            ({"as_of": "2999-01-01"}, "as_of"),
            ({"as_of": "2023-02-30"}, "as_of"),
        ],
    )
    def test_bad_parameters_are_400(self, world, query, field):
        body = assert_error(
            api_for(world.city_admin).get("/api/v1/compliance/", query), 400, "invalid"
        )
        assert field in body["fields"]

    def test_outsiders(self, world, outsiders):
        outsiders.assert_api_hidden(
            "/api/v1/compliance/", members=[world.contractor, world.evaluator]
        )
        for membership, code in (
            (world.other_county_officer, "450202"),
            (world.other_tenant_admin, "4502"),
            (world.city_admin, "4503"),
            (world.city_admin, "45x"),
        ):
            response = api_for(membership).get("/api/v1/compliance/", {"division": code})
            assert_error(response, 404, "not_found")


class TestReport:
    def test_the_pdf_and_xlsx_carry_the_three_rules_and_their_records(
        self, world, django_capture_on_commit_callbacks
    ):
        station(world.county_officer, "450202001", date(2021, 1, 1))
        with django_capture_on_commit_callbacks(execute=False):
            pdf = job_request(
                actor=world.city_admin,
                kind="compliance",
                parameters={"as_of": "2024-06-30", "format": "pdf"},
            )
            xlsx = job_request(
                actor=world.city_admin,
                kind="compliance",
                parameters={"as_of": "2024-06-30", "format": "xlsx"},
            )
        pdf, xlsx = job_run(job_id=pdf.pk), job_run(job_id=xlsx.pk)
        assert pdf.status == xlsx.status == JobStatus.SUCCEEDED, (pdf.error, xlsx.error)
        text = pdf_text(pdf.result_file.read())
        assert "柳州市社工站建设目标达标情况报告" in text
        for clause in ("一(三)1", "二(一)2", "二(一)3"):
            assert clause in text
        assert "未达标" in text and "城中区" in text and "□" not in text
        assert "上年同期" in text and "2023-06-30" in text and "持平" in text
        book = sheets(xlsx.result_file.read())
        assert list(book)[:4] == ["汇总", "分县对比", "1 一(三)1", "2 二(一)2"]
        assert len(book) == 2 + len(rules())
        # The per-county comparison adds up to the city's sections: under rule 1, 城中区
        # itself below the target and its six townships without a station.
        comparison = {row[0]: row for row in book["分县对比"][3:]}
        assert len(comparison) == 11 and list(comparison)[-1] == "全市"
        assert comparison["城中区"][1] == "450202" and comparison["城中区"][2] == 1 + 6
        assert sum(row[2] for row in comparison.values()) == 117 + 10
        # The city-wide row holds only the specialties, judged for the city as a whole.
        specialties = 2 + [rule.code for rule in rules()].index("specialist_share_min")
        city_wide = comparison["全市"]
        assert city_wide[specialties] == 4 and city_wide[-1] == 4
        assert "分县（市、区）对比" in text
        summary = [row for row in book["汇总"] if row and row[0] == "coverage_target"]
        assert summary[0][2] == "一(三)1" and summary[0][5] == "未达标"
        assert summary[0][9] == "未达标" and summary[0][10] == "持平"  # 2023-06-30 too
        records = book["1 一(三)1"][2:]
        assert len(records) == 117 + 10  # uncovered townships and counties below target

    def test_the_same_request_twice_while_pending_is_one_job(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            first = job_request(actor=world.county_officer, kind="compliance")
            again = job_request(actor=world.county_officer, kind="compliance")
        assert first.pk == again.pk and Job.objects.count() == 1

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"division": "450202001001"}, "division"),
            ({"division": "450202001"}, "division"),
            ({"as_of": "1999-06-30"}, "as_of"),
            ({"as_of": "2999-06-30"}, "as_of"),
            ({"format": "docx"}, "format"),
        ],
    )
    def test_parameters_are_checked_when_the_job_is_requested(self, world, payload, field):
        body = assert_error(
            api_for(world.city_admin).post(
                "/api/v1/reports/", {"kind": "compliance", **payload}, format="json"
            ),
            400,
            "invalid",
        )
        assert field in body["fields"] and "message" in body
        assert not Job.objects.exists()

    def test_the_jobs_page_offers_the_kinds_the_role_may_ask_for(self, world):
        page = (
            world.client_for(world.county_officer).get(reverse("reports:job-list")).content.decode()
        )
        assert 'value="compliance"' in page and "目标达标情况报告" in page


class TestScopeInRules:
    def test_a_rule_reads_only_the_facilities_a_provider_leaves_in_scope(self, world):
        """What procurement will register for contractors: the rule must not see more."""
        from stations import scoping
        from stations.compliance import check_six_haves
        from stations.scoping import Scope

        mine = station(world.county_officer, "450202001", date(2021, 1, 1))
        station(world.county_officer, "450202002", date(2021, 1, 1))

        def contracted(membership):
            return frozenset({mine.pk}) if membership.role == "contractor" else None

        scoping.register_scope_provider(scoping.FACILITIES, contracted)
        try:
            scope = Scope.build(world.contractor)
            city = Division.objects.get(code="450200000000")
            result = check_six_haves(scope, city, TODAY())
        finally:
            scoping._PROVIDERS[scoping.FACILITIES].remove(contracted)
        assert [finding.subject for finding in result.findings] == [mine.name]
        assert result.actual == "0/1 个站点六有齐全"


def test_the_jobs_api_refuses_parameters_the_kind_does_not_take(world):
    body = assert_error(
        api_for(world.city_admin).post(
            "/api/v1/jobs/",
            {"kind": "divisions_export", "as_of": "1999-01-01", "format": "docx"},
            format="json",
        ),
        400,
        "invalid",
    )
    assert {"as_of", "format"} <= set(body["fields"])
    assert not Job.objects.exists()


class TestPastDaysKeepTheirAnswer:
    def test_later_edits_do_not_change_a_past_days_six_haves_or_demonstrations(self, world):
        from datetime import timedelta

        from stations.models import Facility

        officer = world.county_officer
        facility = station(officer, "450202001", date(2021, 1, 1))
        today = TODAY()
        before = run(officer, code="450202", as_of=today)
        # Recorded as they were "yesterday": move the history back one day.
        events = Facility.pgh_event_model.objects.filter(pgh_obj_id=facility.pk)
        for event in events:
            event.pgh_created_at -= timedelta(days=1)
            event.save(update_fields=["pgh_created_at"])
        complete_six(officer, facility)
        facility_update(
            actor=officer, facility=facility, is_demonstration=True, demonstration_year=2021
        )
        yesterday = run(officer, code="450202", as_of=today - timedelta(days=1))
        now = run(officer, code="450202", as_of=today)
        assert before["six_haves"].passed is False
        assert yesterday["six_haves"].actual == "0/1 个站点六有齐全"
        assert now["six_haves"].actual == "1/1 个站点六有齐全" and now["six_haves"].passed
        assert (
            yesterday["county_centre_and_demonstration"].findings[0].actual.endswith("示范站 0 个")
        )
        assert now["county_centre_and_demonstration"].findings[0].actual.endswith("示范站 1 个")

    def test_a_station_entered_after_the_fact_counts_as_recorded_that_day(self, world):
        officer = world.county_officer
        facility = station(officer, "450202001", date(2021, 1, 1))
        complete_six(officer, facility)  # the same day it was entered
        past = run(officer, code="450202", as_of=date(2024, 6, 30))["six_haves"]
        assert past.passed is True and past.actual == "1/1 个站点六有齐全"


def test_a_city_with_no_stations_gets_a_report_where_every_rule_fails(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_request(actor=world.city_admin, kind="compliance", parameters={"format": "xlsx"})
    done = job_run(job_id=job.pk)
    assert done.status == JobStatus.SUCCEEDED, done.error
    book = sheets(done.result_file.read())
    verdicts = {row[0]: (row[2], row[5]) for row in book["汇总"] if row and row[0] in {
        "coverage_target", "county_centre_and_demonstration", "six_haves"}}  # fmt: skip
    assert verdicts == {
        "coverage_target": ("一(三)1", "未达标"),
        "county_centre_and_demonstration": ("二(一)2", "未达标"),
        "six_haves": ("二(一)3", "未达标"),
    }
    assert len(book["1 一(三)1"]) == 2 + 10 + 118  # title, header, counties, townships
    assert len(book["2 二(一)2"]) == 2 + 10


def test_the_api_answers_chosen_rules_and_refuses_unknown_codes(world):
    client = api_for(world.city_admin)
    body = client.get(
        "/api/v1/compliance/", {"rule": "six_haves,coverage_target", "as_of": "2024-06-30"}
    ).json()
    assert [rule["code"] for rule in body["rules"]] == ["coverage_target", "six_haves"]
    error = assert_error(
        client.get("/api/v1/compliance/", {"rule": "coverage_target,nonsense"}),
        400,
        "invalid",
    )
    assert "nonsense" in error["fields"]["rule"][0]
