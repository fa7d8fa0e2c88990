"""Background jobs: requesting, running in a real worker, scoping of pages, API and files."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Job, JobStatus
from reports.services import job_request, job_run
from tests.factories import PASSWORD, load_divisions, member
from tests.helpers import api_for, assert_error
from tests.worker import celery_worker, wait_until


def read_xlsx(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
class TestRequesting:
    def test_bad_kind_and_foreign_division_are_refused_and_nothing_written(
        self, world, django_capture_on_commit_callbacks
    ):
        with pytest.raises(ValidationError) as raised:
            job_request(actor=world.city_admin, kind="everything")
        assert "kind" in raised.value.message_dict
        for code in ("4503", "450302", "45x"):
            with pytest.raises(ValidationError) as raised:
                job_request(actor=world.city_admin, kind="divisions_export", division_code=code)
            assert "division" in raised.value.message_dict
        with pytest.raises(ValidationError):
            job_request(actor=world.county_officer, kind="divisions_export", division_code="450206")
        assert not Job.objects.exists()

    def test_running_twice_produces_one_file(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(actor=world.county_officer, kind="divisions_export")
        job_run(job_id=job.pk)
        first = Job.objects.get(pk=job.pk)
        job_run(job_id=job.pk)
        again = Job.objects.get(pk=job.pk)
        assert first.status == again.status == JobStatus.SUCCEEDED
        assert first.result_file.name == again.result_file.name
        assert again.attempts == 1
        rows = read_xlsx(again.result_file.read())
        assert rows[2][:2] == ("区划代码", "名称")
        codes = [row[0] for row in rows[3:]]
        assert codes and all(code.startswith("450202") for code in codes)


@pytest.mark.django_db
class TestRedelivery:
    def test_a_job_left_running_by_a_dead_worker_is_run_again_once(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(actor=world.city_admin, kind="divisions_export")
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, progress=40)
        finished = job_run(job_id=job.pk)
        assert finished.status == JobStatus.SUCCEEDED and finished.attempts == 2
        assert job_run(job_id=job.pk).result_file.name == finished.result_file.name

    def test_stale_jobs_are_failed_with_a_reason(self, world, django_capture_on_commit_callbacks):
        from datetime import timedelta

        from django.utils import timezone

        from reports.services import jobs_fail_stale

        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(actor=world.city_admin, kind="divisions_export")
        assert jobs_fail_stale() == 0
        assert jobs_fail_stale(now=timezone.now() + timedelta(hours=3)) == 1
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and "超时" in job.error


@pytest.mark.django_db
class TestScoping:
    @pytest.fixture
    def county_job(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(actor=world.county_officer, kind="divisions_export")
        return job_run(job_id=job.pk)

    def test_the_owner_county_and_the_city_see_and_download(self, world, county_job):
        for membership in (world.county_officer, world.city_admin, world.city_viewer):
            client = world.client_for(membership)
            assert (
                f'id="job-{county_job.pk}"'
                in client.get(reverse("reports:job-list")).content.decode()
            )
            response = client.get(reverse("reports:job-download", args=[county_job.pk]))
            assert response.status_code == 200
            assert read_xlsx(b"".join(response.streaming_content))[0][0].startswith("城中区")
            api = api_for(membership)
            assert api.get(f"/api/v1/jobs/{county_job.pk}/").json()["status"] == "succeeded"
            assert api.get(f"/api/v1/jobs/{county_job.pk}/download/").status_code == 200

    @pytest.mark.parametrize(
        "who", ["other_county_officer", "other_tenant_admin", "contractor", "evaluator"]
    )
    def test_another_county_and_another_tenant_get_404_and_see_nothing(
        self, world, county_job, who
    ):
        membership = getattr(world, who)
        client = world.client_for(membership)
        assert (
            f'id="job-{county_job.pk}"'
            not in client.get(reverse("reports:job-list")).content.decode()
        )
        for name in ("reports:job-progress", "reports:job-download"):
            assert client.get(reverse(name, args=[county_job.pk])).status_code == 404
        api = api_for(membership)
        listing = api.get("/api/v1/jobs/")
        assert listing.status_code == 404 or listing.json()["count"] == 0
        assert_error(api.get(f"/api/v1/jobs/{county_job.pk}/"), 404, "not_found")
        assert_error(api.get(f"/api/v1/jobs/{county_job.pk}/download/"), 404, "not_found")

    def test_api_rejects_bad_input_with_field_errors(self, world):
        api = api_for(world.county_officer)
        body = assert_error(
            api.post("/api/v1/jobs/", {"kind": "nope"}, format="json"), 400, "invalid"
        )
        assert "kind" in body["fields"]
        body = assert_error(
            api.post(
                "/api/v1/jobs/", {"kind": "divisions_export", "division": "450206"}, format="json"
            ),
            400,
            "invalid",
        )
        assert "division" in body["fields"]
        assert not Job.objects.exists()

    def test_a_job_of_the_other_tenant_is_invisible_through_x_tenant_too(self, world, county_job):
        both = member("both", "4503", "city_admin")
        member("both", "4502", "county_officer", "450206")
        api = api_for(both)
        assert_error(
            api.get(f"/api/v1/jobs/{county_job.pk}/", HTTP_X_TENANT="4503"), 404, "not_found"
        )
        assert_error(
            api.get(f"/api/v1/jobs/{county_job.pk}/", HTTP_X_TENANT="4502"), 404, "not_found"
        )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_job_requested_through_the_api():
    load_divisions("4502")
    officer = member("officer", "4502", "county_officer", "450206")
    api = api_for(officer)
    with celery_worker():
        response = api.post("/api/v1/jobs/", {"kind": "divisions_export"}, format="json")
        assert response.status_code == 202
        job_id = response.json()["id"]
        body = wait_until(
            lambda: (lambda b: b if b["status"] in ("succeeded", "failed") else None)(
                api.get(f"/api/v1/jobs/{job_id}/").json()
            ),
            timeout=90,
        )
    assert body["status"] == "succeeded", body["error"]
    assert body["progress"] == 100
    download = api.get(body["download_url"])
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0][0] == "柳江区 乡级区划与覆盖口径"
    names = {row[1] for row in rows[3:]}
    assert "拉堡镇" in names and len(names) == Job.objects.get(pk=job_id).scope.children.count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_jobs_page_shows_progress_and_the_download_link():
    load_divisions("4502")
    admin = member("cityadmin", "4502", "city_admin")
    client = Client()
    client.login(username=admin.user.username, password=PASSWORD)
    with celery_worker():
        response = client.post(
            reverse("reports:job-list"),
            {"kind": "divisions_export", "division": "4502"},
            follow=True,
        )
        assert "已提交" in response.content.decode()
        job = Job.objects.get()
        wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=90)
    row = client.get(
        reverse("reports:job-progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        'data-status="succeeded"' in row and reverse("reports:job-download", args=[job.pk]) in row
    )


@pytest.mark.django_db
def test_the_divisions_export_writes_an_override_reason_as_text(
    world, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from stations.services import coverage_override_set

    planted = '=HYPERLINK("http://x","查看")'
    coverage_override_set(
        actor=world.city_admin, division_code="450202001", counted=False, reason=planted
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = job_request(actor=world.city_admin, kind="divisions_export")
    done = job_run(job_id=job.pk)
    sheet = load_workbook(io.BytesIO(done.result_file.read())).worksheets[0]
    reasons = [row[5] for row in sheet.iter_rows(min_row=4) if row[5].value]
    assert [(cell.value, cell.data_type) for cell in reasons] == [(planted, "s")]


@pytest.mark.django_db
class TestJobPage:
    def test_a_failed_job_opened_directly_shows_its_reason_in_the_layout(
        self, world, django_capture_on_commit_callbacks, outsiders
    ):
        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(actor=world.county_officer, kind="divisions_export")
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error="任务运行超时，已标记为失败。"
        )
        url = reverse("reports:job-progress", args=[job.pk])
        page = world.client_for(world.county_officer).get(url).content.decode()
        assert "<html" in page and 'data-testid="job-failure"' in page
        assert "任务运行超时" in page and f"任务编号：{job.pk}" in page
        row = world.client_for(world.county_officer).get(url, HTTP_HX_REQUEST="true")
        assert row.content.decode().lstrip().startswith("<tr")
        outsiders.assert_page_hidden(url)

    def test_the_file_is_named_by_scope_kind_and_date_in_chinese(
        self, world, django_capture_on_commit_callbacks
    ):
        from urllib.parse import quote

        with django_capture_on_commit_callbacks(execute=False):
            job = job_request(
                actor=world.county_officer,
                kind="coverage",
                parameters={"as_of": "2023-12-31", "format": "xlsx"},
            )
        job_run(job_id=job.pk)
        name = "城中区-社工站覆盖率报告-2023-12-31.xlsx"
        for response in (
            world.client_for(world.county_officer).get(
                reverse("reports:job-download", args=[job.pk])
            ),
            api_for(world.county_officer).get(f"/api/v1/jobs/{job.pk}/download/"),
        ):
            assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
