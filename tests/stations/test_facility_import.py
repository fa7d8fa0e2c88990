"""Facilities through Excel: template, upload, preview with every error, all-or-nothing commit,
export of the filtered list; scoped like every other page."""

import io
import re
from datetime import date, datetime
from pathlib import Path

import pghistory.models
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from stations.facility_import import HEADERS, MAX_ROWS
from stations.models import Facility
from tests.factories import station
from tests.helpers import api_for, assert_error, csv_bytes, ods_bytes, xls_bytes

pytestmark = pytest.mark.django_db

# Queries of an upload and its preview page, whatever the number of rows (measured: 24).
PREVIEW_QUERIES = 28

STATION = "乡镇（街道）社会工作服务站"
GOOD = [
    {"层级": STATION, "所在区划代码": "450202001", "建成运营日期": "2021-04-01",
     "办公面积（平方米）": 96, "有场地": "是"},
    {"层级": STATION, "所在区划代码": "450202002", "建成运营日期": date(2021, 5, 6),
     "联系电话": "0772-2800001", "示范站": "是", "示范认定年份": 2022},
    {"层级": "县级社会工作服务站指导中心", "所在区划代码": "450202", "状态": "筹建中"},
]  # fmt: skip


def xlsx(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "站点"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="stations.xlsx", mode="upsert"):
    """Upload as the page does; a kept file redirects to its import page, returned here."""
    return client.post(
        reverse("stations:facility-import"),
        {"file": SimpleUploadedFile(name, content), "mode": mode},
        follow=True,
    )


def job_id(response) -> int:
    return int(re.search(r"/imports/(\d+)/", response.redirect_chain[-1][0]).group(1))


def confirm(client, response):
    return client.post(reverse("stations:import-commit", args=[job_id(response)]))


def read(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


class TestTemplate:
    def test_has_the_columns_the_drop_downs_and_only_the_scopes_codes(
        self, world, django_assert_max_num_queries
    ):
        client = world.client_for(world.county_officer)
        with django_assert_max_num_queries(8):  # the codes come in one query, however many
            response = client.get(reverse("stations:facility-import-template"))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('450202-facilities-template.xlsx"')
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["填写说明", "站点", "区划代码"]
        sheet = workbook["站点"]
        assert [cell.value for cell in sheet[1]] == HEADERS
        formulas = {v.formula1: str(v.sqref) for v in sheet.data_validations.dataValidation}
        assert any("乡镇（街道）社会工作服务站" in formula for formula in formulas)
        assert '"是,否"' in formulas and '"筹建中,运营中"' in formulas
        assert any(formula.startswith("'区划代码'!$A$2") for formula in formulas)
        codes = [row[0] for row in workbook["区划代码"].iter_rows(min_row=2, values_only=True)]
        assert "450202" in codes and "450202001" in codes
        assert all(code.startswith("450202") for code in codes)

    def test_city_admins_template_lists_the_city_and_every_county(self, world):
        response = world.client_for(world.city_admin).get(
            reverse("stations:facility-import-template")
        )
        book = read(response.content)
        codes = {row[0] for row in book["区划代码"][1:]}
        assert {"4502", "450202", "450206", "450206100"} <= codes
        assert not any(code.startswith("4503") for code in codes)
        guide = [row[0] for row in book["填写说明"] if row and row[0]]
        assert any("按“所在区划代码 + 层级”找到的已有站点会被修改" in line for line in guide)
        assert (
            "建成运营日期：日期，如 2023-01-01，也可写 2023/1/1、2023.1.1 或 2023年1月1日" in guide
        )
        assert "所在区划代码*：代码，按文本填写，保留开头的 0" in guide

    def test_the_other_citys_template_holds_none_of_this_citys_codes(self, world):
        response = world.client_for(world.other_tenant_admin).get(
            reverse("stations:facility-import-template")
        )
        codes = {row[0] for row in read(response.content)["区划代码"][1:]}
        assert "4503" in codes and not any(code.startswith("4502") for code in codes)


class TestImport:
    def test_preview_then_commit_creates_every_row_with_history(
        self, world, django_assert_max_num_queries
    ):
        client = world.client_for(world.county_officer)
        # The whole file is checked by the batch services at once: a constant.
        with django_assert_max_num_queries(PREVIEW_QUERIES):
            response = upload(client, xlsx(GOOD))
        page = response.content.decode()
        assert 'data-testid="import-ok"' in page and "3 行全部通过检查" in page
        assert not Facility.objects.exists()  # the preview wrote nothing
        response_before_confirm = response
        response = confirm(client, response)
        assert response.status_code == 302 and response["Location"] == reverse(
            "stations:facility-list"
        )
        facilities = {f.division.short_code: f for f in Facility.objects.select_related("division")}
        assert set(facilities) == {"450202001", "450202002", "450202"}
        first = facilities["450202001"]
        assert first.name == "城中区城中街道社会工作服务站" and first.status == "operating"
        assert first.office_area_m2 == 96 and first.has_site and not first.has_staff
        assert facilities["450202002"].is_demonstration
        assert facilities["450202002"].demonstration_year == 2022
        assert facilities["450202"].status == "planned"
        # The request's history context: who imported, through which page.
        events = Facility.pgh_event_model.objects.select_related("pgh_context")
        contexts = {event.pgh_context for event in events}
        assert {c.metadata["user"] for c in contexts} == {world.county_officer.user_id}
        commit_url = reverse("stations:import-commit", args=[job_id(response_before_confirm)])
        assert {c.metadata.get("url") for c in contexts} == {commit_url}
        # Done once: confirming it again says so and writes nothing more.
        again = client.post(commit_url, follow=True)
        assert "该文件已经导入，不能重复导入" in again.content.decode()
        assert client.post(reverse("stations:import-commit", args=[999999])).status_code == 404
        assert Facility.objects.count() == 3

    def test_one_bad_row_shows_every_error_and_nothing_is_written(self, world):
        rows = [
            *GOOD,
            {"层级": "站", "所在区划代码": "450202003", "建成运营日期": "2021-13-01"},
            {"层级": "乡镇（街道）社会工作服务站", "所在区划代码": "450206100",
             "建成运营日期": "2021-01-01"},
            {"层级": "乡镇（街道）社会工作服务站", "所在区划代码": "450202001",
             "建成运营日期": "2022-01-01"},
            {"层级": "乡镇（街道）社会工作服务站", "所在区划代码": "450202004",
             "建成运营日期": "2021-01-01", "办公面积（平方米）": -5, "有人员": "也许"},
            {"层级": "村（社区）社工室", "所在区划代码": "450202001", "状态": "已关闭"},
        ]  # fmt: skip
        client = world.client_for(world.county_officer)
        response = upload(client, xlsx(rows), mode="create")  # every row a new facility
        page = response.content.decode()
        assert 'data-testid="import-failed"' in page and "import-confirm" not in page
        errors = re.findall(
            r"<tr><td class=\"num\">(\d+)</td><td>([^<]+)</td><td><code>([^<]*)</code></td>"
            r"<td>([^<]+)</td></tr>",
            page,
        )
        by_row = {}
        for row, column, value, rule in errors:
            by_row.setdefault(int(row), []).append((column, value, rule))
        assert ("层级", "站", "应为下拉列表中的层级之一") in by_row[5]
        assert ("建成运营日期", "2021-13-01", "应为日期，格式 YYYY-MM-DD") in by_row[5]
        assert by_row[6][0][:2] == ("所在区划代码", "450206100")
        assert "不在您的管辖范围内" in by_row[6][0][2]
        assert by_row[7][0][0] == "所在区划代码" and "同一时间只能有一个" in by_row[7][0][2]
        assert ("有人员", "也许", "只能填“是”或“否”") in by_row[8]
        assert ("状态", "已关闭", "只能是“筹建中”或“运营中”") in by_row[9]
        assert set(by_row) == {5, 6, 7, 8, 9}
        assert not Facility.objects.exists()

    def test_the_preview_costs_the_same_queries_for_one_row_as_for_seven(self, world):
        client = world.client_for(world.county_officer)
        townships = [f"450202{n:03d}" for n in range(1, 8)]
        rows = [{"层级": STATION, "所在区划代码": code, "建成运营日期": "2021-01-01"}
                for code in townships]  # fmt: skip
        counts = []
        for count in (1, len(rows)):
            with CaptureQueriesContext(connection) as queries:
                assert (
                    'data-testid="import-ok"' in upload(client, xlsx(rows[:count])).content.decode()
                )
            counts.append(len(queries))
        assert counts[1] == counts[0] <= PREVIEW_QUERIES

    def test_dates_as_chinese_offices_write_them_and_excel_date_cells(self, world):
        rows = [
            {**GOOD[0], "建成运营日期": "2021/4/1"},
            {**GOOD[1], "建成运营日期": "2021年5月6日"},
            {"层级": STATION, "所在区划代码": 450202003, "建成运营日期": datetime(2021, 6, 1)},
        ]
        client = world.client_for(world.county_officer)
        assert confirm(client, upload(client, xlsx(rows))).status_code == 302
        assert sorted(Facility.objects.values_list("established_on", flat=True)) == [
            date(2021, 4, 1), date(2021, 5, 6), date(2021, 6, 1)
        ]  # fmt: skip

    @pytest.mark.parametrize("area", ["NaN", "Infinity", "九十"])
    def test_an_area_that_is_no_number_is_a_row_error(self, world, area):
        page = upload(
            world.client_for(world.county_officer), xlsx([{**GOOD[0], "办公面积（平方米）": area}])
        ).content.decode()
        assert f"<td>办公面积（平方米）</td><td><code>{area}</code></td><td>应为数字</td>" in page
        assert not Facility.objects.exists()

    def test_a_failed_preview_can_never_be_confirmed(self, world, settings, tmp_path):
        """Its file is kept only for the error workbook (and purged with the others)."""
        settings.MEDIA_ROOT = tmp_path
        client = world.client_for(world.county_officer)
        page = upload(client, xlsx([{**GOOD[0], "层级": "站"}])).content.decode()
        assert 'data-testid="import-failed"' in page and "import-confirm" not in page
        number = re.search(r"/imports/(\d+)/errors.xlsx", page).group(1)
        response = client.post(reverse("stations:import-commit", args=[number]), follow=True)
        assert "该文件还没有通过检查" in response.content.decode()
        assert not Facility.objects.exists()

    def test_the_error_workbook_marks_the_bad_cells_of_the_uploaded_file(self, world):
        from openpyxl import load_workbook as open_workbook

        rows = [GOOD[0], {**GOOD[1], "层级": "站", "建成运营日期": "2021-02-30"}]
        client = world.client_for(world.county_officer)
        page = upload(client, xlsx(rows)).content.decode()
        url = re.search(r'href="(/imports/\d+/errors.xlsx)"', page).group(1)
        response = client.get(url)
        assert response.status_code == 200
        from urllib.parse import quote

        assert response["Content-Disposition"].endswith(quote("stations-错误说明.xlsx"))
        sheet = open_workbook(io.BytesIO(response.content)).worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        assert headers[-1] == "错误说明" and headers[:-1] == HEADERS
        explain = {row[0].row: row[-1].value for row in sheet.iter_rows(min_row=2)}
        assert explain[2] is None
        assert "层级：应为下拉列表中的层级之一" in explain[3]
        assert "建成运营日期：应为日期，格式 YYYY-MM-DD" in explain[3]
        level = sheet.cell(row=3, column=HEADERS.index("层级") + 1)
        assert level.value == "站" and level.fill.start_color.rgb.endswith("FFC7CE")
        # Another user, or another tenant, cannot fetch it.
        assert world.client_for(world.other_county_officer).get(url).status_code == 404
        assert world.client_for(world.other_tenant_admin).get(url).status_code == 404

    def test_a_negative_area_is_refused_by_the_service(self, world):
        row = {**GOOD[0], "办公面积（平方米）": -5}
        page = upload(world.client_for(world.county_officer), xlsx([row])).content.decode()
        assert "办公面积不能为负数" in page and not Facility.objects.exists()

    def test_two_stations_for_one_township_in_the_file_are_caught(self, world):
        rows = [GOOD[0], {**GOOD[0], "建成运营日期": "2023-01-01"}]
        client = world.client_for(world.city_admin)
        page = upload(client, xlsx(rows), mode="create").content.decode()
        assert "同一时间只能有一个" in page and not Facility.objects.exists()

    def test_a_station_already_in_the_database_is_caught(self, world):
        station(world.county_officer, "450202001", date(2020, 1, 1))
        client = world.client_for(world.county_officer)
        page = upload(client, xlsx(GOOD[:1]), mode="create").content.decode()
        assert "同一时间只能有一个" in page and Facility.objects.count() == 1

    def test_commit_rechecks_and_writes_nothing_when_the_data_changed(self, world):
        client = world.client_for(world.county_officer)
        preview = upload(client, xlsx(GOOD))
        station(world.county_officer, "450202001", date(2020, 1, 1))  # meanwhile, in the form
        assert confirm(client, preview).status_code == 302
        page = client.get(reverse("stations:import-detail", args=[job_id(preview)]))
        page = page.content.decode()
        assert 'data-testid="import-changed"' in page
        assert 'data-testid="import-failed"' in page and "import-confirm" not in page
        assert "已有站点的建成运营日期不能通过导入修改" in page
        assert Facility.objects.count() == 1
        again = client.post(reverse("stations:import-commit", args=[job_id(preview)]), follow=True)
        assert "该文件还没有通过检查" in again.content.decode() and Facility.objects.count() == 1

    @pytest.mark.parametrize(
        "content, name, message",
        [
            (b"not a spreadsheet", "stations.xlsx", "不是 Excel 文件"),
            (b"%PDF-1.4", "stations.pdf", "不支持的文件类型“.pdf”"),
            (b"a,b,c\n1,2,3\n", "stations.csv", "缺少必填列：层级、所在区划代码"),
            (xlsx([{"地址": "x"}], ["地址", "电话"]), "s.xlsx", "缺少必填列：层级、所在区划代码"),
            (xlsx([]), "stations.xlsx", "文件中没有数据行"),
        ],
    )  # fmt: skip
    def test_unusable_files_get_a_clear_error(self, world, content, name, message):
        response = upload(world.client_for(world.county_officer), content, name)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Facility.objects.exists()

    def test_more_rows_than_the_limit_are_refused_before_anything_runs(
        self, world, django_assert_max_num_queries
    ):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("站点")
        sheet.append(HEADERS)
        for index in range(MAX_ROWS + 1):
            sheet.append(["乡镇（街道）社会工作服务站", f"450202{index % 999:03d}", "2021-01-01"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        client = world.client_for(world.county_officer)
        with django_assert_max_num_queries(10):
            response = upload(client, buffer.getvalue())
        assert response.status_code == 400
        assert f"文件超过 {MAX_ROWS} 行数据，请分批导入" in response.content.decode()
        assert not Facility.objects.exists()

    def test_the_upload_page_has_a_query_ceiling(self, world, django_assert_max_num_queries):
        client = world.client_for(world.county_officer)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("stations:facility-import"))
        assert (
            response.status_code == 200 and 'data-testid="import-form"' in response.content.decode()
        )

    def test_no_file_is_an_error(self, world):
        response = world.client_for(world.county_officer).post(reverse("stations:facility-import"))
        assert (
            response.status_code == 400 and "请选择要上传的 Excel 文件" in response.content.decode()
        )


class TestScoping:
    def test_another_users_import_is_404_and_writes_nothing(self, world):
        preview = upload(world.client_for(world.county_officer), xlsx(GOOD))
        number = job_id(preview)
        for membership in (world.other_county_officer, world.city_admin, world.other_tenant_admin):
            client = world.client_for(membership)
            assert confirm(client, preview).status_code == 404
            for name in ("import-detail", "import-progress", "import-errors"):
                assert client.get(reverse(f"stations:{name}", args=[number])).status_code == 404
        assert not Facility.objects.exists()

    @pytest.mark.parametrize("who", ["city_viewer", "contractor", "evaluator"])
    def test_roles_that_cannot_edit_cannot_import_or_get_the_template(self, world, who):
        client = world.client_for(getattr(world, who))
        for name in ("stations:facility-import", "stations:facility-import-template"):
            assert client.get(reverse(name)).status_code in (403, 404)
        assert upload(client, xlsx(GOOD)).status_code in (403, 404)
        assert not Facility.objects.exists()

    def test_export_holds_only_the_scope_and_follows_the_filters(
        self, world, django_assert_max_num_queries
    ):
        station(world.county_officer, "450202001", date(2020, 1, 1), is_demonstration=True,
                demonstration_year=2021)  # fmt: skip
        station(world.county_officer, "450202002", date(2020, 1, 1))
        station(world.other_county_officer, "450206100", date(2020, 1, 1))
        station(world.other_tenant_admin, "450302001", date(2020, 1, 1))

        def exported(membership, **filters):
            client = world.client_for(membership)
            with django_assert_max_num_queries(12):
                response = client.get(reverse("stations:facility-export"), filters)
            assert response.status_code == 200
            return [row[1] for row in read(response.content)["站点"][1:]]

        assert exported(world.county_officer) == ["450202001", "450202002"]
        assert exported(world.other_county_officer) == ["450206100"]
        assert exported(world.city_admin) == ["450202001", "450202002", "450206100"]
        assert exported(world.city_viewer, demonstration="true") == ["450202001"]
        assert exported(world.other_tenant_admin) == ["450302001"]
        # As on the list page, an invalid filter is ignored and the valid ones still apply.
        assert exported(world.city_admin, county="abc", demonstration="true") == ["450202001"]
        assert exported(world.city_admin, q="柳江") == ["450206100"]
        response = world.client_for(world.contractor).get(reverse("stations:facility-export"))
        assert response.status_code in (403, 404) or read(response.content)["站点"][1:] == []

    def test_an_exported_file_imports_again_into_another_city(self, world):
        station(world.county_officer, "450202001", date(2020, 1, 1))
        content = (
            world.client_for(world.city_admin).get(reverse("stations:facility-export")).content
        )
        # Codes of 柳州市 are outside 桂林市: every row is refused, nothing written.
        page = upload(world.client_for(world.other_tenant_admin), content).content.decode()
        assert "不在您的管辖范围内" in page
        assert Facility.objects.count() == 1

    def test_the_list_page_shows_the_buttons_by_role(self, world):
        page = (
            world.client_for(world.county_officer)
            .get(reverse("stations:facility-list"))
            .content.decode()
        )
        assert 'data-testid="facility-import"' in page and 'data-testid="facility-export"' in page
        page = (
            world.client_for(world.city_viewer)
            .get(reverse("stations:facility-list"))
            .content.decode()
        )
        assert 'data-testid="facility-import"' not in page
        assert 'data-testid="facility-export"' in page


def test_uploaded_files_are_deleted_after_thirty_days_and_the_record_stays(world):
    from datetime import timedelta

    from django.utils import timezone

    from stations.models import ImportJob
    from stations.tasks import purge_import_files

    client = world.client_for(world.county_officer)
    job = ImportJob.objects.get(pk=job_id(upload(client, xlsx(GOOD))))
    path = job.file.path
    assert purge_import_files() == 0 and job.file.storage.exists(job.file.name)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert purge_import_files() == 1
    job.refresh_from_db()
    assert not job.file and not Path(path).exists() and job.counts["new"] == 3
    # The page still says what happened; the error workbook is gone with the file.
    page = client.get(reverse("stations:import-detail", args=[job.pk]))
    assert page.status_code == 200


def test_the_export_writes_text_that_looks_like_a_formula_as_text(world):
    """A name typed by a county officer must not run as a formula on the city's machine."""
    from openpyxl import load_workbook as open_workbook

    planted = '=HYPERLINK("http://x","查看")'
    station(world.county_officer, "450202001", date(2020, 1, 1), name=planted, address="+86 路")
    content = world.client_for(world.city_admin).get(reverse("stations:facility-export")).content
    sheet = open_workbook(io.BytesIO(content))["站点"]
    cells = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert cells[planted] == "s" and cells["+86 路"] == "s"
    assert not any(kind == "f" for kind in cells.values())


class TestFilesOfficesSend:
    """The same three stations from an .xls, an .ods and a GBK CSV, typed the way offices do."""

    def rows(self):
        return [
            ["层级", "所在区划代码", "建成运营日期", "有场地", "示范站", "示范认定年份"],
            ["社工站", "４５０２０２００１", "2021/4/1", "√", "否", ""],
            ["乡镇（街道）社会工作服务站", "450202002", "2021年5月6日", "Y", "是", "2022"],
            ["县级指导中心", "450202", 44197, "1", "", ""],  # 44197: 2021-01-01 as a serial
        ]

    @pytest.mark.parametrize(
        ("name", "build"),
        [
            ("stations.xls", lambda rows: xls_bytes(rows)),
            ("stations.ods", lambda rows: ods_bytes(rows)),
            ("stations.csv", lambda rows: csv_bytes(rows, encoding="gb18030")),
        ],
    )
    def test_each_format_imports_the_same_stations(self, world, name, build):
        client = world.client_for(world.county_officer)
        preview = upload(client, build(self.rows()), name)
        page = preview.content.decode()
        assert 'data-testid="import-ok"' in page, page[page.find("import-failed") :][:2000]
        assert confirm(client, preview).status_code == 302
        facilities = {f.division.short_code: f for f in Facility.objects.select_related("division")}
        assert facilities["450202001"].established_on == date(2021, 4, 1)
        assert facilities["450202001"].has_site is True
        assert (
            facilities["450202002"].is_demonstration
            and facilities["450202002"].demonstration_year == 2022
        )
        assert facilities["450202"].level == "county_centre"
        assert facilities["450202"].established_on == date(2021, 1, 1)

    def test_an_impossible_date_and_a_code_in_scientific_notation_are_row_errors(self, world):
        rows = [
            ["层级", "所在区划代码", "建成运营日期"],
            ["社工站", "4.50202E+8", "2023-02-30"],
        ]
        page = upload(
            world.client_for(world.county_officer), csv_bytes(rows, encoding="utf-8"), "s.csv"
        ).content.decode()
        assert "应为日期，格式 YYYY-MM-DD" in page and "科学计数法" in page
        assert not Facility.objects.exists()


class TestUpdatesByKey:
    """所在区划代码 + 层级 names a facility: an edited export updates, an unchanged one does not."""

    def export(self, client):
        return client.get(reverse("stations:facility-export")).content

    def edit(self, content: bytes, changes: dict[str, dict[str, object]]) -> bytes:
        """The export with cells changed: {division code: {header: value}}."""
        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook["站点"]
        headers = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            code = str(row[headers.index("所在区划代码")].value)
            for header, value in changes.get(code, {}).items():
                row[headers.index(header)].value = value
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def test_an_unchanged_export_changes_nothing(self, world):
        station(world.county_officer, "450202001", date(2020, 1, 1), address="文笔路 1 号")
        station(world.county_officer, "450202002", date(2021, 1, 1), has_site=True)
        client = world.client_for(world.county_officer)
        station_events = pghistory.models.Events.objects.exclude(pgh_model__icontains="importjob")
        events = station_events.count()
        preview = upload(client, self.export(client))
        page = preview.content.decode()
        assert "新增 0 个站点，修改 0 个，无变化 2 个" in page
        assert confirm(client, preview).status_code == 302
        assert Facility.objects.count() == 2
        assert station_events.count() == events  # not a single write

    def test_an_edited_export_shows_each_change_and_updates_with_history(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 1, 1), address="旧址")
        client = world.client_for(world.county_officer)
        edited = self.edit(self.export(client), {"450202001": {"地址": "新址 8 号", "有设备": "√"}})
        preview = upload(client, edited)
        row = preview.content.decode().split('data-testid="import-row-2"')[1].split("</tr>")[0]
        assert "修改" in row and "地址：旧址 → 新址 8 号" in row and "有设备：否 → 是" in row
        assert confirm(client, preview).status_code == 302
        facility.refresh_from_db()
        assert (facility.address, facility.has_equipment) == ("新址 8 号", True)
        contexts = pghistory.models.Context.objects.filter(metadata__action="facility_update")
        assert {c.metadata["user"] for c in contexts} == {world.county_officer.user_id}

    def test_status_and_opening_date_are_not_changed_by_a_file(self, world):
        station(world.county_officer, "450202001", date(2020, 1, 1))
        client = world.client_for(world.county_officer)
        edited = self.edit(
            self.export(client), {"450202001": {"建成运营日期": "2019-01-01", "状态": "已关闭"}}
        )
        page = upload(client, edited).content.decode()
        assert "已有站点的建成运营日期不能通过导入修改" in page
        assert "已有站点的状态不能通过导入修改" in page
        assert Facility.objects.get().established_on == date(2020, 1, 1)

    def test_the_same_facility_twice_in_a_file_is_a_row_error(self, world):
        rows = [GOOD[0], {**GOOD[0], "层级": "社工站", "地址": "另一个"}]
        page = upload(world.client_for(world.county_officer), xlsx(rows)).content.decode()
        assert "与第 2 行是同一条记录（所在区划代码 + 层级）" in page
        assert not Facility.objects.exists()

    def test_the_commit_refuses_when_the_data_changed_since_the_preview(self, world):
        facility = station(world.county_officer, "450202001", date(2020, 1, 1), address="旧址")
        client = world.client_for(world.county_officer)
        preview = upload(client, self.edit(self.export(client), {"450202001": {"地址": "新址"}}))
        from stations.services.facilities import facility_update

        facility_update(actor=world.city_admin, facility=facility, address="别人改的")
        assert confirm(client, preview).status_code == 302
        page = client.get(reverse("stations:import-detail", args=[job_id(preview)]))
        page = page.content.decode()
        assert 'data-testid="import-changed"' in page and "地址：别人改的 → 新址" in page
        facility.refresh_from_db()
        assert facility.address == "别人改的"

    def test_text_that_looks_like_formulas_round_trips_unchanged(self, world):
        """Every text column starting with = exports as strings and re-imports as 无变化."""
        from stations.facility_import import COLUMNS

        texts = {
            column.field: f"=F{index}()"
            for index, column in enumerate(COLUMNS)
            if column.kind == "text" and column.field not in ("remarks", "phone")
        }
        texts["remarks"] = '=HYPERLINK("http://x","查看")'
        station(world.county_officer, "450202001", date(2020, 1, 1), **texts)
        client = world.client_for(world.county_officer)
        content = self.export(client)
        sheet = load_workbook(io.BytesIO(content))["站点"]
        written = [
            cell for cell in sheet[2] if isinstance(cell.value, str) and cell.value[:1] == "="
        ]
        assert len(written) == len(texts) and {cell.data_type for cell in written} == {"s"}
        preview = upload(client, content)
        assert "新增 0 个站点，修改 0 个，无变化 1 个" in preview.content.decode()


class TestExportApi:
    def test_the_api_gives_the_pages_file(self, world):
        station(world.county_officer, "450202001", date(2020, 1, 1))
        station(world.other_county_officer, "450206100", date(2021, 1, 1))
        page = world.client_for(world.county_officer).get(
            reverse("stations:facility-export"), {"level": "township_station"}
        )
        api = api_for(world.county_officer).get(
            "/api/v1/facilities/export/", {"level": "township_station"}
        )
        assert api.status_code == 200
        assert api["Content-Disposition"] == page["Content-Disposition"]
        assert read(api.content)["站点"] == read(page.content)["站点"]
        codes = [row[1] for row in read(api.content)["站点"][1:]]
        assert codes == ["450202001"]  # the other county's station is not there

    def test_bad_filters_and_outsiders(self, world, outsiders):
        assert_error(
            api_for(world.city_admin).get("/api/v1/facilities/export/", {"county": "45%"}),
            400,
            "invalid",
        )
        outsiders.assert_api_hidden(
            "/api/v1/facilities/export/", members=[world.contractor, world.evaluator]
        )
