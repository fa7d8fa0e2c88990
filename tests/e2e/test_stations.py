"""Station journeys in a real headless Chromium: keeping a county's network up to date."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports.models import Job
from stations.models import Facility
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, load_divisions, member, station
from tests.helpers import pdf_text
from tests.worker import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liuzhou():
    load_divisions("4502", "4503")
    return {
        "city": member("demo_city", "4502", "city_admin"),
        "county": member("demo_county", "4502", "county_officer", "450202"),
        "county2": member("demo_county2", "4502", "county_officer", "450206"),
    }


def pick_division(page, *steps: str, search: str | None = None) -> None:
    """Choose a division in the form's picker by clicking through ``steps`` (or searching)."""
    control = page.locator("#id_division-ts-control")
    dropdown = page.locator(".ts-dropdown")
    if not dropdown.is_visible():
        control.click()
    if search:
        control.fill(search)
    for name in steps:
        dropdown.locator(".option", has_text=name).first.click()


def test_county_officer_creates_edits_and_closes_a_station(page, liuzhou):
    log_in(page, "demo_county", PASSWORD)
    page.get_by_role("link", name="站点设施").click()
    page.get_by_test_id("facility-new").click()

    # A village room: the picker steps from the county into a township, then its villages.
    form = page.get_by_test_id("facility-form")
    form.get_by_label("层级").select_option("village_room")
    pick_division(page, "城中街道")
    expect(page.locator(".ts-dropdown")).to_contain_text("返回上一级")
    screenshot(page, "division-picker-villages")
    pick_division(page, "返回上一级")
    expect(page.locator(".ts-dropdown")).to_contain_text("公园街道")

    # With the keyboard only: type part of a name, arrow down, Enter.
    form.get_by_label("层级").select_option("township_station")
    page.locator("#id_division-ts-control").focus()
    page.keyboard.type("公园")
    expect(page.locator(".ts-dropdown .option").first).to_contain_text("公园街道")
    page.keyboard.press("Enter")
    expect(page.locator("#id_division")).to_have_value("450202002")

    # A township station, found by typing part of its name; no code typed anywhere.
    pick_division(page, "城中街道", search="城中")
    expect(page.locator("#id_division")).to_have_value("450202001")
    form.get_by_label("建成运营日期").fill("2021-04-01")
    form.get_by_label("办公面积（平方米）").fill("96")
    form.get_by_label("有场地").check()
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("page-title")).to_have_text("城中区城中街道社会工作服务站")
    expect(page.get_by_test_id("facility-status")).to_have_text("运营中")

    page.get_by_test_id("facility-edit").click()
    page.get_by_test_id("facility-form").get_by_label("联系电话").fill("0772-2800000")
    page.get_by_test_id("facility-form").get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("0772-2800000")

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    close = page.get_by_test_id("close-form")
    close.get_by_label("操作").select_option("suspended")
    close.get_by_label("停止运营日期").fill("2021-01-01")
    close.get_by_label("原因").fill("场地装修")
    close.get_by_role("button", name="关闭或暂停").click()
    expect(page.get_by_test_id("close-form")).to_contain_text("须晚于开始运营日期")

    close = page.get_by_test_id("close-form")
    close.get_by_label("操作").select_option("suspended")
    close.get_by_label("停止运营日期").fill("2022-05-01")
    close.get_by_label("原因").fill("场地装修")
    close.get_by_role("button", name="关闭或暂停").click()
    expect(page.get_by_test_id("facility-status")).to_have_text("暂停运营")
    assert asked and "确定停止本站运营" in asked[0]  # closing asks first
    expect(page.get_by_test_id("history")).to_contain_text("demo_county")
    screenshot(page, "facility-detail")
    assert Facility.objects.get().status == "suspended"


def test_dashboard_draws_the_charts_and_a_past_date(page, liuzhou):
    station(liuzhou["county"], "450202001", date(2020, 6, 1))
    station(liuzhou["county"], "450202002", date(2021, 6, 1))
    log_in(page, "demo_city", PASSWORD)
    expect(page.get_by_test_id("coverage-count")).to_contain_text("已覆盖 2 / 计入 118")
    expect(page.locator("#children-chart")).to_have_attribute("data-ready", "true")
    expect(page.locator("#timeline-chart")).to_have_attribute("data-ready", "true")
    screenshot(page, "city-dashboard")
    page.get_by_label("统计日期").fill("2020-12-31")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("coverage-count")).to_contain_text("已覆盖 1 / 计入 118")


def test_another_county_officer_cannot_open_the_station(page, liuzhou):
    facility = station(liuzhou["county"], "450202001", date(2020, 6, 1))
    log_in(page, "demo_county2", PASSWORD)
    response = page.goto(f"/facilities/{facility.pk}/")
    assert response.status == 404
    assert facility.name not in page.content()
    page.goto("/facilities/")
    expect(page.get_by_test_id("facility-table")).not_to_contain_text("城中街道")


def test_city_admin_gets_the_coverage_report_with_a_live_progress_bar(page, liuzhou, monkeypatch):
    station(liuzhou["county"], "450202001", date(2020, 6, 1))
    monkeypatch.setenv("REPORTS_RENDER_DELAY_SECONDS", "3")  # long enough to see the bar move
    log_in(page, "demo_city", PASSWORD)
    page.get_by_label("统计日期").fill("2021-12-31")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("coverage-count")).to_contain_text("已覆盖 1 / 计入 118")
    with celery_worker():
        page.get_by_role("button", name="生成 PDF 报告").click()
        expect(page.get_by_test_id("job-table")).to_contain_text("社工站覆盖率报告")
        expect(page.get_by_test_id("job-table")).to_contain_text("截至 2021-12-31")
        job = Job.objects.get()
        row = page.locator(f"#job-{job.pk}")
        expect(row.get_by_role("progressbar")).to_be_visible()
        screenshot(page, "report-progress")
        expect(row).to_have_attribute("data-status", "succeeded", timeout=90_000)
    screenshot(page, "report-done")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename == "柳州市-社工站覆盖率报告-2021-12-31.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert "柳州市乡镇（街道）社工站覆盖率报告" in text and "城中区" in text


def test_county_officer_imports_stations_from_excel(page, liuzhou, tmp_path):
    from tests.stations.test_facility_import import GOOD, xlsx

    log_in(page, "demo_county", PASSWORD)
    page.get_by_role("link", name="站点设施").click()
    page.get_by_test_id("facility-import").click()
    with page.expect_download() as template:
        page.get_by_test_id("import-template").click()
    assert template.value.suggested_filename == "450202-facilities-template.xlsx"

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([*GOOD, {**GOOD[0], "所在区划代码": "450206100"}]))
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(bad)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-failed")).to_contain_text("整个文件都不会导入")
    expect(page.get_by_test_id("import-errors")).to_contain_text("不在您的管辖范围内")
    screenshot(page, "facility-import-errors")
    with page.expect_download() as marked:
        page.get_by_test_id("import-error-workbook").click()
    assert marked.value.suggested_filename == "bad-错误说明.xlsx"
    explained = load_workbook(io.BytesIO(Path(marked.value.path()).read_bytes())).worksheets[0]
    assert explained.cell(row=1, column=explained.max_column).value == "错误说明"
    assert "不在您的管辖范围内" in explained.cell(row=5, column=explained.max_column).value
    assert not Facility.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    page.get_by_role("link", name="重新上传").first.click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(good)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-ok")).to_contain_text("3 行全部通过检查")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 3 个站点")
    expect(page.get_by_test_id("facility-table")).to_contain_text("城中区城中街道社会工作服务站")
    screenshot(page, "facility-imported")
    assert Facility.objects.count() == 3


@pytest.mark.parametrize("kind", ["xls", "gbk-csv"])
def test_county_officer_imports_what_wps_and_chinese_excel_save(page, liuzhou, tmp_path, kind):
    """An .xls from WPS and a "CSV (逗号分隔)" from Chinese Excel, with dates typed as text."""
    from tests.helpers import csv_bytes, xls_bytes

    rows = [
        ["层级", "所在区划代码", "建成运营日期", "有场地"],
        ["社工站", "４５０２０２００１", "2021年4月1日", "√"],
        ["乡镇（街道）社会工作服务站", "450202002", "2021/5/6", "否"],
    ]
    path = tmp_path / ("stations.xls" if kind == "xls" else "stations.csv")
    path.write_bytes(xls_bytes(rows) if kind == "xls" else csv_bytes(rows, encoding="gb18030"))
    log_in(page, "demo_county", PASSWORD)
    page.goto("/facilities/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(path)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-ok")).to_contain_text("2 行全部通过检查")
    screenshot(page, f"facility-import-{kind}")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 2 个站点")
    dates = sorted(Facility.objects.values_list("established_on", flat=True))
    assert dates == [date(2021, 4, 1), date(2021, 5, 6)]


def test_a_big_file_is_checked_and_imported_by_the_worker_while_the_page_shows_progress(
    page, liuzhou, tmp_path
):
    """A city admin uploads one village room for each of 260 villages: more than the page
    checks at once, so the worker does it and the page follows with a progress bar."""
    from stations.models import Division, ImportJob
    from tests.stations.test_facility_import import xlsx

    codes = list(
        Division.objects.filter(city_code="4502", level="village")
        .order_by("code")
        .values_list("code", flat=True)[:260]
    )
    rows = [
        {"层级": "社工室", "所在区划代码": code, "建成运营日期": "2022-03-01", "有场地": "√"}
        for code in codes
    ]
    path = tmp_path / "村社工室.xlsx"
    path.write_bytes(xlsx(rows))
    log_in(page, "demo_city", PASSWORD)
    page.goto("/facilities/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(path)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-progress")).to_contain_text("正在检查 260 行")
    screenshot(page, "facility-import-progress")
    with celery_worker():
        expect(page.get_by_test_id("import-ok")).to_contain_text(
            "260 行全部通过检查", timeout=90_000
        )
        expect(page.get_by_test_id("import-counts")).to_contain_text("新增 260 个站点")
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_test_id("import-done")).to_contain_text("新增 260", timeout=90_000)
    screenshot(page, "facility-import-done")
    assert Facility.objects.filter(level="village_room", has_site=True).count() == 260
    assert ImportJob.objects.get().status == "committed"


def test_county_officer_edits_the_export_and_imports_it_back_as_changes(page, liuzhou, tmp_path):
    station(liuzhou["county"], "450202001", date(2021, 3, 1), address="文笔路 1 号")
    station(liuzhou["county"], "450202002", date(2021, 5, 1), address='=HYPERLINK("x")')
    log_in(page, "demo_county", PASSWORD)
    page.goto("/facilities/")
    with page.expect_download() as exported:
        page.get_by_test_id("facility-export").click()
    workbook = load_workbook(io.BytesIO(Path(exported.value.path()).read_bytes()))
    sheet = workbook["站点"]
    address = [cell.value for cell in sheet[1]].index("地址") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=address).value == "文笔路 1 号":
            sheet.cell(row=row, column=address).value = "文笔路 9 号"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    page.goto("/facilities/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(edited)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "新增 0 个站点，修改 1 个，无变化 1 个"
    )
    expect(page.get_by_test_id("import-rows")).to_contain_text("地址：文笔路 1 号 → 文笔路 9 号")
    screenshot(page, "facility-import-changes")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("修改 1")
    assert set(Facility.objects.values_list("address", flat=True)) == {
        "文笔路 9 号",
        '=HYPERLINK("x")',
    }


def test_four_mistakes_are_shown_after_one_save(page, liuzhou):
    log_in(page, "demo_county", PASSWORD)
    page.goto("/facilities/new/?level=township_station&division=450202003")
    form = page.get_by_test_id("facility-form")
    form.get_by_label("建成运营日期").fill("2030-01-01")
    form.get_by_label("办公面积（平方米）").fill("-50")
    form.get_by_label("联系电话").fill("abc")
    form.get_by_label("示范站", exact=True).check()
    form.get_by_label("示范站认定年份").fill("1800")
    # The browser already marks what it can check when a field is left.
    expect(form.get_by_label("办公面积（平方米）")).to_have_class(re.compile("is-invalid"))
    form.get_by_role("button", name="保存").click()
    for field in ("established_on", "office_area_m2", "phone", "demonstration_year"):
        expect(page.get_by_test_id(f"error-{field}")).to_be_visible()
    expect(page.get_by_test_id("error-phone")).to_contain_text("11 位手机号")
    screenshot(page, "facility-form-four-errors")
    assert not Facility.objects.exists()


def test_a_corrected_opening_date_changes_an_earlier_dashboard_and_reads_as_history(page, liuzhou):
    facility = station(liuzhou["county"], "450202001", date(2021, 4, 1))
    log_in(page, "demo_county", PASSWORD)
    page.goto("/?as_of=2021-02-01")
    expect(page.get_by_test_id("coverage-count")).to_contain_text("已覆盖 0 / 计入 7")

    page.goto(f"/facilities/{facility.pk}/")
    page.get_by_text("更正录入错误").click()
    form = page.get_by_test_id("correct-form")
    form.get_by_label("正确的建成运营日期").fill("2021-01-15")
    form.get_by_role("button", name="保存更正").click()
    expect(page.get_by_test_id("correct-error-reason")).to_contain_text("更正须写明原因")
    form = page.get_by_test_id("correct-form")
    form.get_by_label("正确的建成运营日期").fill("2021-01-15")
    form.get_by_label("更正原因").fill("录入时把 1 月写成了 4 月")
    form.get_by_role("button", name="保存更正").click()
    expect(page.get_by_test_id("periods")).to_contain_text("2021-01-15")

    entries = page.get_by_test_id("history-entry")
    expect(entries.first).to_contain_text("demo_county 于")
    expect(entries.first).to_contain_text("更正了本站信息：建成运营日期 2021-04-01 → 2021-01-15")
    expect(entries.first).to_contain_text("原因：录入时把 1 月写成了 4 月")
    expect(entries.last).to_contain_text("新建了本站：")
    expect(page.get_by_test_id("history")).not_to_contain_text("township_station")
    screenshot(page, "facility-history-sentences")

    page.goto("/?as_of=2021-02-01")
    expect(page.get_by_test_id("coverage-count")).to_contain_text("已覆盖 1 / 计入 7")


def test_the_station_list_reads_as_cards_on_a_phone(browser, live_server, liuzhou):
    station(liuzhou["county"], "450202001", date(2020, 6, 1))
    station(liuzhou["county"], "450202002", date(2021, 6, 1))
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    try:
        log_in(page, "demo_county", PASSWORD)
        page.goto("/facilities/")
        rows = page.get_by_test_id("facility-row")
        expect(rows).to_have_count(2)
        expect(page.locator("[data-testid=facility-table] thead")).to_be_hidden()
        level = rows.first.locator("td[data-label='层级']")
        box = level.bounding_box()
        assert box is not None and box["width"] > 300  # a whole line, not one character
        assert "乡镇（街道）社会工作服务站" in level.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        screenshot(page, "facility-list-phone")
    finally:
        context.close()
