"""The coverage report: requested from the API or the dashboard, rendered by a real worker
as a Chinese A4 PDF and an XLSX whose figures match the dashboard and the API."""

import io
import os
import re
import signal
from datetime import date

import psutil
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.models import Job, JobKind, JobStatus
from reports.services import job_request, job_run, monthly_reports_schedule
from stations.services.facilities import facility_close
from tests.factories import load_divisions, member, station
from tests.helpers import api_for, assert_error, pdf_text, sheets
from tests.worker import celery_worker, wait_until

COUNTY_NAMES = ("城中区", "鱼峰区", "柳南区", "柳北区", "柳江区", "柳城县", "鹿寨县", "融安县")


def network(world):
    """Four stations in 城中区 and one in 柳江区, one of them closed at the end of 2021."""
    closed = station(world.county_officer, "450202001", date(2020, 3, 1))
    station(world.county_officer, "450202002", date(2021, 6, 1))
    station(world.county_officer, "450202003", date(2022, 1, 10))
    station(world.county_officer, "450202004", date(2022, 2, 1))
    station(world.other_county_officer, "450206100", date(2021, 1, 5))
    facility_close(
        actor=world.county_officer,
        facility=closed,
        status="closed",
        on=date(2021, 12, 31),
        reason="场地收回",
    )


def finished(api, job_id):
    body = api.get(f"/api/v1/reports/{job_id}/").json()
    return body if body["status"] in ("succeeded", "failed") else None


def download(api, body) -> bytes:
    response = api.get(body["download_url"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
class TestRequesting:
    @pytest.mark.parametrize(
        "payload, field",
        [
            ({"as_of": "2999-01-01"}, "as_of"),
            ({"as_of": "2021-02-30"}, "as_of"),
            ({"as_of": "yesterday"}, "as_of"),
            ({"format": "docx"}, "format"),
            ({"division": "450206"}, "division"),  # another county
            ({"division": "4503"}, "division"),  # another city
            ({"division": "45x"}, "division"),
            ({"kind": "divisions_export"}, "kind"),
        ],
    )
    def test_bad_input_gives_a_field_error_and_writes_nothing(self, world, payload, field):
        api = api_for(world.county_officer)
        body = assert_error(
            api.post("/api/v1/reports/", {"kind": "coverage", **payload}, format="json"),
            400,
            "invalid",
        )
        assert field in body["fields"]
        assert not Job.objects.exists()

    def test_parameters_are_checked_by_the_service_too(self, world):
        with pytest.raises(ValidationError) as raised:
            job_request(
                actor=world.city_admin,
                kind="divisions_export",
                parameters={"as_of": "2021-01-01"},
            )
        assert "as_of" in raised.value.message_dict
        assert not Job.objects.exists()

    def test_defaults_are_today_and_pdf(self, world, django_capture_on_commit_callbacks):
        api = api_for(world.county_officer)
        with django_capture_on_commit_callbacks(execute=False):
            response = api.post("/api/v1/reports/", {"kind": "coverage"}, format="json")
        assert response.status_code == 202
        body = response.json()
        assert body["parameters"] == {"as_of": timezone.localdate().isoformat(), "format": "pdf"}
        assert body["division"] == "450202" and body["status"] == "pending"
        assert body["download_url"] is None

    def test_the_list_is_per_tenant_and_has_a_query_ceiling(
        self, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
    ):
        with django_capture_on_commit_callbacks(execute=False):
            for month in range(1, 7):
                job_request(
                    actor=world.city_admin,
                    kind="coverage",
                    parameters={"as_of": f"2022-0{month}-28", "format": "xlsx"},
                )
            job_request(actor=world.city_admin, kind="divisions_export")
            job_request(actor=world.other_tenant_admin, kind="coverage")
        api = api_for(world.city_admin)
        with django_assert_max_num_queries(8):
            body = api.get("/api/v1/reports/").json()
        assert body["count"] == 6
        assert {row["kind"] for row in body["results"]} == {"coverage"}
        assert api_for(world.other_tenant_admin).get("/api/v1/reports/").json()["count"] == 1


@pytest.mark.django_db
class TestContent:
    """Reports rendered in this process (job_run), checked against the API's figures."""

    def run(self, world, membership, **parameters):
        job = job_request(actor=membership, kind="coverage", parameters=parameters)
        done = job_run(job_id=job.pk)
        assert done.status == JobStatus.SUCCEEDED, done.error
        return done

    def test_the_pdf_is_a4_chinese_and_has_every_part(
        self, world, django_capture_on_commit_callbacks
    ):
        network(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = self.run(world, world.city_admin, as_of="2022-06-30", format="pdf")
        assert re.fullmatch(
            r"jobs/\d{4}/\d{2}/4502-coverage-20220630(_\w+)?\.pdf", job.result_file.name
        )
        content = job.result_file.read()
        assert content.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(content))
        width, height = (float(value) for value in reader.pages[0].mediabox[2:])
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        text = pdf_text(content)
        for county in COUNTY_NAMES:
            assert county in text
        api = api_for(world.city_admin).get(
            "/api/v1/coverage/", {"division": "4502", "as_of": "2022-06-30"}
        )
        figures = api.json()
        assert (figures["covered"], figures["total"]) == (4, 118)
        assert "柳州市乡镇（街道）社工站覆盖率报告" in text
        assert "统计日期：2022年6月30日" in text
        assert f"{figures['rate'] * 100:.1f}%" in text
        assert f"{figures['covered']} / {figures['total']}" in text
        assert "乡镇（街道）社会工作服务站" in text  # facilities by level
        assert "月度覆盖率趋势（2020年7月至2022年6月）" in text
        assert "未覆盖的乡镇（街道）（114 个）" in text
        assert "城中街道（城中区）" in text  # closed at the end of 2021: uncovered in 2022
        assert "生成时间" in text and "北京时间" in text
        assert "□" not in text  # no missing glyphs

    def test_the_xlsx_has_the_same_tables(self, world, django_capture_on_commit_callbacks):
        network(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = self.run(world, world.city_admin, as_of="2021-12-31", format="xlsx")
        book = sheets(job.result_file.read())
        assert list(book) == ["概况", "分县（市、区）", "未覆盖", "月度趋势"]
        api = api_for(world.city_admin)
        figures = api.get("/api/v1/coverage/", {"division": "4502", "as_of": "2021-12-31"}).json()
        summary = {row[0]: row[1] for row in book["概况"] if row and row[0]}
        assert summary["覆盖率"] == figures["rate"]
        assert summary["已覆盖乡镇（街道）"] == figures["covered"] == 2  # closed that day
        assert summary["计入覆盖率的乡镇（街道）"] == figures["total"] == 118
        assert summary["乡镇（街道）社会工作服务站"] == figures["facilities"]["township_station"]
        counties = {row[1]: (row[2], row[3]) for row in book["分县（市、区）"][1:-1]}
        assert counties == {
            row["name"]: (row["covered"], row["total"]) for row in figures["children"]
        }
        assert book["分县（市、区）"][-1][1:4] == ("合计", 2, 118)
        uncovered = [row[0] for row in book["未覆盖"][1:]]
        assert uncovered == [row["division"] for row in figures["uncovered"]]
        timeline = api.get(
            "/api/v1/coverage/timeline/",
            {"division": "4502", "start": "2020-01-01", "end": "2021-12-31"},
        ).json()
        months = [(row[0].date().isoformat(), row[1]) for row in book["月度趋势"][1:]]
        assert months == [(point["date"], point["covered"]) for point in timeline["points"]]

    def test_a_county_report_covers_only_the_county(
        self, world, django_capture_on_commit_callbacks
    ):
        network(world)
        with django_capture_on_commit_callbacks(execute=False):
            job = self.run(world, world.county_officer, as_of="2022-03-01", format="xlsx")
        book = sheets(job.result_file.read())
        assert "分乡镇（街道）" in book
        codes = [row[0] for row in book["分乡镇（街道）"][1:-1]]
        assert codes and all(code.startswith("450202") for code in codes)
        assert all(row[0].startswith("450202") for row in book["未覆盖"][1:])
        assert book["分乡镇（街道）"][-1][2:4] == (3, 7)

    def test_a_past_date_gives_the_past_answer(self, world, django_capture_on_commit_callbacks):
        network(world)
        with django_capture_on_commit_callbacks(execute=False):
            early = self.run(world, world.city_admin, as_of="2020-12-31", format="xlsx")
            today = self.run(world, world.city_admin, format="xlsx")
        covered = {
            job.pk: {row[0]: row[1] for row in sheets(job.result_file.read())["概况"] if row}
            for job in (early, today)
        }
        assert covered[early.pk]["已覆盖乡镇（街道）"] == 1
        assert covered[today.pk]["已覆盖乡镇（街道）"] == 4


@pytest.mark.django_db
class TestScoping:
    @pytest.fixture
    def county_report(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(
                actor=world.county_officer, kind="coverage", parameters={"format": "xlsx"}
            )
        return job_run(job_id=job.pk)

    def test_the_county_and_the_city_see_and_download(self, world, county_report):
        for membership in (world.county_officer, world.city_admin, world.city_viewer):
            api = api_for(membership)
            body = api.get(f"/api/v1/reports/{county_report.pk}/").json()
            assert body["status"] == "succeeded"
            assert body["download_url"].endswith(f"/api/v1/reports/{county_report.pk}/download/")
            assert "概况" in sheets(download(api, body))
            assert api.get("/api/v1/reports/").json()["count"] == 1
            client = world.client_for(membership)
            page = client.get(reverse("reports:job-list")).content.decode()
            assert f'id="job-{county_report.pk}"' in page and "社工站覆盖率报告" in page
            assert (
                client.get(reverse("reports:job-download", args=[county_report.pk])).status_code
                == 200
            )

    @pytest.mark.parametrize(
        "who", ["other_county_officer", "other_tenant_admin", "contractor", "evaluator"]
    )
    def test_another_county_and_another_tenant_get_404_and_see_nothing(
        self, world, county_report, who
    ):
        membership = getattr(world, who)
        api = api_for(membership)
        listing = api.get("/api/v1/reports/")
        assert listing.status_code == 404 or listing.json()["count"] == 0
        for path in ("", "download/"):
            assert_error(api.get(f"/api/v1/reports/{county_report.pk}/{path}"), 404, "not_found")
            assert_error(api.get(f"/api/v1/jobs/{county_report.pk}/{path}"), 404, "not_found")
        client = world.client_for(membership)
        assert (
            f'id="job-{county_report.pk}"'
            not in client.get(reverse("reports:job-list")).content.decode()
        )
        for name in ("reports:job-progress", "reports:job-download"):
            assert client.get(reverse(name, args=[county_report.pk])).status_code == 404

    def test_another_job_kind_is_not_a_report(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            export = job_request(actor=world.city_admin, kind="divisions_export")
        assert_error(
            api_for(world.city_admin).get(f"/api/v1/reports/{export.pk}/"), 404, "not_found"
        )


@pytest.mark.django_db
class TestSchedule:
    def test_beat_makes_each_tenants_report_of_the_previous_month_once(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            created = monthly_reports_schedule(today=date(2026, 3, 1))
        # Two tenants × coverage and compliance × PDF and XLSX.
        assert len(created) == 8 and len(queued) == 8
        assert {
            (job.tenant.code, job.kind, job.parameters["as_of"], job.parameters["format"])
            for job in created
        } == {(code, kind, "2026-02-28", form) for code in ("4502", "4503")
              for kind in ("coverage", "compliance") for form in ("pdf", "xlsx")}  # fmt: skip
        assert all(job.requested_by is None and job.scope.level == "city" for job in created)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert monthly_reports_schedule(today=date(2026, 3, 1)) == []
        assert not queued and Job.objects.count() == 8
        # January's reports on the 1st of February are other reports.
        with django_capture_on_commit_callbacks(execute=False):
            assert len(monthly_reports_schedule(today=date(2026, 2, 1))) == 8
        scheduled = Job.objects.filter(
            kind="coverage", parameters__as_of="2026-02-28", parameters__format="pdf"
        )
        job = job_run(job_id=scheduled.get(tenant__code="4502").pk)
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert "由系统按月自动生成" in pdf_text(job.result_file.read())
        page = world.client_for(world.city_admin).get(reverse("reports:job-list")).content.decode()
        assert "系统（定时）" in page

    def test_the_beat_schedule_runs_on_the_first_at_two(self):
        entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
        assert entry["task"] == "reports.tasks.monthly_reports"
        schedule = entry["schedule"]
        assert schedule.day_of_month == {1} and schedule.hour == {2} and schedule.minute == {0}


def wait_for_status(job_id: int, *statuses: str, timeout: float = 90) -> Job:
    return wait_until(
        lambda: (lambda job: job if job.status in statuses else None)(Job.objects.get(pk=job_id)),
        timeout=timeout,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_pdf_and_the_xlsx_requested_through_the_api():
    load_divisions("4502")
    admin = member("cityadmin", "4502", "city_admin")
    officer = member("officer", "4502", "county_officer", "450202")
    station(officer, "450202001", date(2021, 4, 1))
    api = api_for(admin)
    with celery_worker():
        jobs = {
            form: api.post(
                "/api/v1/reports/",
                {"kind": "coverage", "division": "4502", "as_of": "2022-01-31", "format": form},
                format="json",
            )
            for form in ("pdf", "xlsx")
        }
        assert {response.status_code for response in jobs.values()} == {202}
        bodies = {
            form: wait_until(lambda r=response: finished(api, r.json()["id"]), timeout=120)
            for form, response in jobs.items()
        }
    for body in bodies.values():
        assert body["status"] == "succeeded", body["error"]
        assert body["progress"] == 100
    text = pdf_text(download(api, bodies["pdf"]))
    for county in COUNTY_NAMES:
        assert county in text
    assert "0.9%" in text and "1 / 118" in text  # 1 ÷ 118 = 0.0085, as the dashboard shows it
    book = sheets(download(api, bodies["xlsx"]))
    assert {row[0]: row[1] for row in book["概况"] if row}["已覆盖乡镇（街道）"] == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_leaves_the_job_to_be_retried_once(monkeypatch):
    """SIGKILL the pool process while it renders: the message goes back to the queue
    (late acks, reject on worker lost), the job runs again from the start and ends
    with one file; nothing half-written is ever attached."""
    load_divisions("4502")
    admin = member("cityadmin", "4502", "city_admin")
    monkeypatch.setenv("REPORTS_RENDER_DELAY_SECONDS", "6")
    jobs_folder = settings.MEDIA_ROOT / "jobs"
    before = set(jobs_folder.rglob("*.pdf"))
    with celery_worker() as worker:
        job = job_request(actor=admin, kind="coverage", parameters={"format": "pdf"})
        wait_for_status(job.pk, JobStatus.RUNNING)
        children = psutil.Process(worker.pid).children(recursive=True)
        assert children, "the prefork pool has no child process"
        for child in children:
            os.kill(child.pid, signal.SIGKILL)
        killed = Job.objects.get(pk=job.pk)
        assert killed.status == JobStatus.RUNNING and not killed.result_file
        done = wait_for_status(job.pk, JobStatus.SUCCEEDED, JobStatus.FAILED, timeout=120)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2
    assert done.kind == JobKind.COVERAGE_REPORT
    assert done.result_file.read().startswith(b"%PDF")
    assert set(jobs_folder.rglob("*.pdf")) - before == {settings.MEDIA_ROOT / done.result_file.name}
