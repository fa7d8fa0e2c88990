"""Imports as jobs: the API, the worker for big files, the progress, and who may see them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from stations.models import Division, Facility, ImportJob
from stations.services.imports import INLINE_ROWS
from tests.factories import PASSWORD, load_divisions, member
from tests.helpers import api_for, assert_error
from tests.stations.test_facility_import import GOOD, HEADERS, xlsx
from tests.worker import celery_worker, wait_until


def post_file(api, content: bytes, name="stations.xlsx", **fields):
    return api.post(
        "/api/v1/imports/",
        {"kind": "facilities", "file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


@pytest.mark.django_db
class TestApi:
    def test_upload_preview_and_commit(self, world):
        api = api_for(world.county_officer)
        response = post_file(api, xlsx(GOOD))
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["status"] == "previewed" and body["may_commit"] is True
        assert body["counts"] == {"new": 3, "changed": 0, "unchanged": 0, "errors": 0}
        assert body["errors"] == [] and body["errors_url"] is None and body["rows"] == 3
        assert not Facility.objects.exists()
        detail = api.get(f"/api/v1/imports/{body['id']}/").json()
        assert detail["status"] == "previewed" and detail["kind_label"] == "站点设施"
        committed = api.post(f"/api/v1/imports/{body['id']}/commit/")
        assert committed.status_code == 202 and committed.json()["status"] == "committed"
        assert Facility.objects.count() == 3
        assert_error(api.post(f"/api/v1/imports/{body['id']}/commit/"), 409, "conflict")
        assert Facility.objects.count() == 3
        listed = api.get("/api/v1/imports/").json()
        assert [item["id"] for item in listed["results"]] == [body["id"]]

    def test_row_errors_name_row_column_value_and_rule_and_block_the_commit(self, world):
        api = api_for(world.county_officer)
        rows = [GOOD[0], {**GOOD[1], "层级": "站", "建成运营日期": "2021-02-30"}]
        body = post_file(api, xlsx(rows)).json()
        assert body["status"] == "previewed" and body["may_commit"] is False
        assert body["counts"]["errors"] == 1
        assert {"row": 3, "column": "层级", "value": "站", "rule": "应为下拉列表中的层级之一"} in (
            body["errors"]
        )
        assert {
            "row": 3,
            "column": "建成运营日期",
            "value": "2021-02-30",
            "rule": "应为日期，格式 YYYY-MM-DD",
        } in body["errors"]
        assert_error(api.post(f"/api/v1/imports/{body['id']}/commit/"), 409, "conflict")
        workbook = api.get(body["errors_url"])
        assert workbook.status_code == 200
        sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
        assert sheet.cell(row=1, column=len(HEADERS) + 1).value == "错误说明"
        assert "层级：应为下拉列表中的层级之一" in sheet.cell(row=3, column=len(HEADERS) + 1).value
        assert not Facility.objects.exists()

    @pytest.mark.parametrize(
        ("fields", "content", "name", "field", "message"),
        [
            ({"kind": "workers"}, None, "s.xlsx", "kind", "未知的导入类型"),
            ({"mode": "replace"}, None, "s.xlsx", "mode", "replace"),
            ({}, b"not a spreadsheet", "s.xlsx", "file", "不是 Excel 文件"),
            ({}, b"a,b\n1,2\n", "s.csv", "file", "缺少必填列：层级、所在区划代码"),
            ({}, "层级,所在区划代码\n".encode("utf-16"), "s.csv", "file", "UTF-16"),
        ],
    )  # fmt: skip
    def test_bad_requests_are_400_and_keep_nothing(
        self, world, fields, content, name, field, message
    ):
        api = api_for(world.county_officer)
        response = post_file(api, content if content is not None else xlsx(GOOD), name, **fields)
        body = assert_error(response, 400, "invalid")
        assert message in " ".join(body["fields"][field]), body
        assert not ImportJob.objects.exists() and not Facility.objects.exists()

    def test_a_file_naming_the_same_station_twice_in_create_mode_is_refused_per_row(self, world):
        rows = [GOOD[0], {**GOOD[0], "建成运营日期": "2023-01-01"}]
        body = post_file(api_for(world.city_admin), xlsx(rows), mode="create").json()
        assert body["errors"][0]["row"] == 3 and "同一时间只能有一个" in body["errors"][0]["rule"]

    def test_roles_that_cannot_import_get_404(self, world):
        for who in (world.city_viewer, world.evaluator):
            assert_error(post_file(api_for(who), xlsx(GOOD)), 404, "not_found")
        # A contractor imports its social worker roster, never facilities.
        assert_error(post_file(api_for(world.contractor), xlsx(GOOD)), 403, "permission_denied")
        assert not ImportJob.objects.exists()

    def test_outsiders_never_see_an_import(self, world, outsiders):
        body = post_file(api_for(world.county_officer), xlsx([{**GOOD[0], "层级": "站"}])).json()
        number = body["id"]
        for url in (f"/api/v1/imports/{number}/", f"/api/v1/imports/{number}/errors.xlsx"):
            outsiders.assert_api_hidden(url)
        outsiders.assert_api_hidden(f"/api/v1/imports/{number}/commit/", method="post")
        # The city admin of the same tenant neither: an import is its uploader's.
        outsiders.assert_api_hidden(f"/api/v1/imports/{number}/", members=[world.city_admin])
        for name in ("import-detail", "import-progress", "import-errors"):
            outsiders.assert_page_hidden(reverse(f"stations:{name}", args=[number]))
        outsiders.assert_page_hidden(
            reverse("stations:import-commit", args=[number]), method="post"
        )
        for membership in outsiders.members:
            listed = api_for(membership).get("/api/v1/imports/")
            assert listed.status_code == 404 or listed.json()["results"] == []


def villages_file(count: int, *, status="运营中") -> bytes:
    codes = list(
        Division.objects.filter(city_code="4502", level="village", retired_on__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )
    assert len(codes) == count
    rows = [
        {"层级": "村（社区）社工室", "所在区划代码": code, "状态": status,
         "建成运营日期": "2022-01-01"}
        for code in codes
    ]  # fmt: skip
    return xlsx(rows)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_big_file_is_previewed_and_committed_by_a_real_worker_through_the_api():
    load_divisions("4502")
    officer = member("officer", "4502", "city_admin")
    api = api_for(officer)
    content = villages_file(INLINE_ROWS + 40)
    with celery_worker():
        response = post_file(api, content)
        assert response.status_code == 202
        body = response.json()
        assert body["status"] == "previewing" and body["rows"] == INLINE_ROWS + 40
        url = f"/api/v1/imports/{body['id']}/"
        body = wait_until(
            lambda: (lambda b: b if b["status"] != "previewing" else None)(api.get(url).json()),
            timeout=90,
        )
        assert body["status"] == "previewed", body
        assert body["counts"] == {"new": 240, "changed": 0, "unchanged": 0, "errors": 0}
        assert body["progress"] == 100 and not Facility.objects.exists()
        committing = api.post(f"{url}commit/").json()
        assert committing["status"] == "committing"
        body = wait_until(
            lambda: (lambda b: b if b["status"] != "committing" else None)(api.get(url).json()),
            timeout=90,
        )
    assert body["status"] == "committed", body
    assert Facility.objects.filter(level="village_room").count() == 240
    # History names the uploader, not the worker.
    event = Facility.pgh_event_model.objects.select_related("pgh_context").first()
    assert event.pgh_context.metadata["username"] == "officer"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_page_shows_the_progress_then_the_preview_of_a_big_file():
    load_divisions("4502")
    officer = member("officer", "4502", "city_admin")
    client = Client()
    assert client.login(username=officer.user.username, password=PASSWORD)
    response = client.post(
        reverse("stations:facility-import"),
        {"file": SimpleUploadedFile("villages.xlsx", villages_file(INLINE_ROWS + 1))},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("stations:import-detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-progress"' in page and "正在检查 201 行" in page
    progress = client.get(reverse("stations:import-progress", args=[job.pk]))
    assert progress.status_code == 200 and 'hx-trigger="every 1s"' in progress.content.decode()
    with celery_worker():
        wait_until(lambda: not ImportJob.objects.get(pk=job.pk).is_busy, timeout=90)
    done = client.get(reverse("stations:import-progress", args=[job.pk]))
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    page = client.get(reverse("stations:import-detail", args=[job.pk])).content.decode()
    assert 'data-testid="import-ok"' in page and "新增 201 个站点" in page
    assert "1 / 2" in page  # 201 rows: two pages of the preview


@pytest.mark.django_db
class TestJobs:
    def test_imports_lost_for_two_hours_are_failed_and_a_late_one_is_left_alone(self, world):
        from datetime import timedelta

        from django.utils import timezone

        from stations.models import ImportStatus
        from stations.tasks import fail_stale_imports

        api = api_for(world.county_officer)
        lost = ImportJob.objects.get(pk=post_file(api, xlsx(GOOD)).json()["id"])
        late = ImportJob.objects.get(pk=post_file(api, xlsx(GOOD[:1])).json()["id"])
        three_hours_ago = timezone.now() - timedelta(hours=3)
        ImportJob.objects.filter(pk=lost.pk).update(
            status=ImportStatus.COMMITTING, busy_since=three_hours_ago
        )
        # Uploaded long ago but committed just now: busy for a minute, not stale.
        ImportJob.objects.filter(pk=late.pk).update(
            created_at=three_hours_ago, status=ImportStatus.COMMITTING, busy_since=timezone.now()
        )
        assert fail_stale_imports() == 1
        lost.refresh_from_db()
        assert lost.status == "failed" and "超过 2 小时" in lost.error
        assert ImportJob.objects.get(pk=late.pk).status == "committing"
        assert_error(api.post(f"/api/v1/imports/{late.pk}/commit/"), 409, "conflict")
        assert (
            "正在导入" in api.post(f"/api/v1/imports/{late.pk}/commit/").json()["error"]["message"]
        )
        assert not Facility.objects.exists()

    def test_the_import_page_costs_the_same_queries_for_3_rows_as_for_150(
        self, world, django_assert_max_num_queries
    ):
        client = world.client_for(world.city_admin)
        api = api_for(world.city_admin)
        small = ImportJob.objects.get(pk=post_file(api, xlsx(GOOD)).json()["id"])
        big = ImportJob.objects.get(pk=post_file(api, villages_file(150)).json()["id"])
        counts = []
        for job in (small, big):
            with django_assert_max_num_queries(12) as queries:
                response = client.get(reverse("stations:import-detail", args=[job.pk]))
            assert response.status_code == 200
            counts.append(len(queries.captured_queries))
        assert counts[0] == counts[1]
        page = client.get(reverse("stations:import-detail", args=[big.pk]) + "?show=new&page=1")
        assert "新增 150 个站点" in page.content.decode()


@pytest.mark.django_db
class TestReviewFindings:
    def test_the_error_workbook_of_a_file_with_control_characters_downloads(self, world):
        from tests.helpers import csv_bytes

        rows = [["层级", "所在区划代码", "地址"], ["社工站", "450202001", "文笔路\x01 1 号"]]
        api = api_for(world.county_officer)
        body = post_file(api, csv_bytes(rows, encoding="utf-8"), "stations.csv").json()
        assert body["errors"][0]["rule"] == "含有不可见的控制字符"
        response = api.get(body["errors_url"])
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet.cell(row=2, column=3).value == "文笔路\ufffd 1 号"

    def test_rows_refused_by_the_services_are_named_on_their_own_rows(self, world):
        from datetime import date

        from stations.facility_import import facilities_import
        from stations.sheets import FACILITY_SHEET
        from stations.spreadsheets import read_table
        from tests.factories import station

        station(world.county_officer, "450202001", date(2021, 4, 1))
        rows = [
            {**GOOD[0], "办公面积（平方米）": -5},  # updates the station: refused by the service
            {**GOOD[1], "所在区划代码": "450206100"},  # a new one outside the county
        ]
        parsed = FACILITY_SHEET.rows(read_table(io.BytesIO(xlsx(rows)), "s.xlsx"))
        for commit in (False, True):
            result = facilities_import(world.county_officer, parsed, commit=commit)
            by_row = {(error.row, error.column) for error in result.errors}
            assert by_row == {(2, "办公面积（平方米）"), (3, "所在区划代码")}, result.errors
            assert not result.committed
        assert Facility.objects.count() == 1

    def test_an_import_whose_uploader_was_deactivated_writes_nothing(self, world):
        from stations.services import imports as import_services

        job = ImportJob.objects.get(
            pk=post_file(api_for(world.county_officer), xlsx(GOOD)).json()["id"]
        )
        world.county_officer.is_active = False
        world.county_officer.save(update_fields=["is_active"])
        job = import_services.import_commit(actor=world.county_officer, job=job)
        assert job.status == "failed" and "已停用" in job.error
        assert not Facility.objects.exists()


@pytest.mark.django_db
def test_clearing_the_demonstration_flag_clears_the_year_in_the_database(world):
    from datetime import date

    from tests.factories import station

    facility = station(
        world.county_officer,
        "450202001",
        date(2021, 1, 1),
        is_demonstration=True,
        demonstration_year=2022,
    )
    api = api_for(world.county_officer)
    response = api.patch(
        f"/api/v1/facilities/{facility.pk}/", {"is_demonstration": False}, format="json"
    )
    assert response.status_code == 200, response.content
    facility.refresh_from_db()
    assert (facility.is_demonstration, facility.demonstration_year) == (False, None)
