"""Workforce journeys in a real headless Chromium."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, load_divisions, member
from workforce.credentials import credential_create
from workforce.models import IdNumberReveal
from workforce.services import social_worker_create

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = "45020219850303002X"


def test_a_county_officer_reveals_one_id_number_and_the_log_shows_it(page):
    load_divisions("4502")
    county = member("demo_county", "4502", "county_officer", "450202")
    worker = social_worker_create(actor=county, name="韦丽", id_number=NUMBER.lower())
    credential_create(actor=county, worker=worker, level="assistant", certificate_number="Z1",
                      exam_year=2021, passed_on=date(2021, 7, 1))  # fmt: skip
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "demo_county", PASSWORD)
    page.get_by_role("link", name="社会工作者").click()
    expect(page.get_by_text("450202********002X")).to_be_visible()
    assert NUMBER not in page.content()
    page.get_by_role("link", name="韦丽").click()
    expect(page.get_by_test_id("id-number-masked")).to_have_text("450202********002X")
    expect(page.get_by_test_id("reveal-log")).not_to_contain_text("demo_county")
    page.get_by_test_id("reveal-id").click()
    expect(page.get_by_test_id("id-number-revealed")).to_have_text(NUMBER)
    expect(page.get_by_test_id("reveal-log")).to_contain_text("demo_county")
    screenshot(page, "worker-id-revealed")
    # Opening the page again shows the mask; the log keeps the one reveal.
    page.goto(f"/social-workers/{worker.pk}/")
    expect(page.get_by_test_id("id-number-masked")).to_be_visible()
    assert NUMBER not in page.content()
    assert IdNumberReveal.objects.filter(worker=worker, user=county.user).count() == 1


def test_the_city_opens_the_workforce_page_and_picks_a_county(page):
    from workforce.population import population_set

    load_divisions("4502")
    county = member("demo_county", "4502", "county_officer", "450202")
    city = member("demo_city", "4502", "city_admin", None)
    worker = social_worker_create(actor=county, name="韦丽", id_number=NUMBER)
    credential_create(actor=county, worker=worker, level="assistant", certificate_number="Z1",
                      exam_year=2021, passed_on=date(2021, 7, 1))  # fmt: skip
    population_set(actor=city, division="4502", year=2020, population=4157934,
                   source="第七次全国人口普查")  # fmt: skip
    log_in(page, "demo_city", PASSWORD)
    page.get_by_role("link", name="社工队伍").click()
    expect(page.get_by_test_id("licensed")).to_have_text("1")
    expect(page.locator("#licensed-chart[data-ready=true]")).to_be_attached()
    expect(page.locator("#density-chart[data-ready=true]")).to_be_attached()
    expect(page.get_by_test_id("density")).to_contain_text("城中区")
    screenshot(page, "workforce-city")
    page.get_by_label("范围").select_option("450202")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("page-title")).to_have_text("城中区社工队伍")
    expect(page.get_by_test_id("licensed")).to_have_text("1")


def test_a_contractor_imports_its_roster_fixes_the_error_workbook_and_sees_its_workers(
    page, tmp_path
):
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from procurement.services import organisation_member_set
    from tests.factories import organisation
    from tests.workforce.test_roster_import import GOOD, xlsx

    load_divisions("4502")
    county = member("demo_county", "4502", "county_officer", "450202")
    runner = organisation(county, "柳州市城中区阳光社会工作服务中心", 18)
    contractor = member("demo_contractor", "4502", "contractor", None)
    organisation_member_set(membership=contractor, uscc=runner.uscc)

    log_in(page, "demo_contractor", PASSWORD)
    page.get_by_role("link", name="社会工作者").click()
    page.get_by_test_id("worker-import").click()
    with page.expect_download() as template:
        page.get_by_test_id("import-template").click()
    assert template.value.suggested_filename == "4502-social-workers-template.xlsx"
    # Row 3 has a mistyped check digit; the message shows the number masked.
    bad = tmp_path / "社工名单.xlsx"
    bad.write_bytes(xlsx([GOOD[0], {**GOOD[1], "公民身份号码": "450202199001010011"}, GOOD[2]]))
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(bad)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-failed")).to_contain_text("整个文件都不会导入")
    expect(page.get_by_test_id("import-errors")).to_contain_text("450202********0011")
    assert "450202199001010011" not in page.content()
    screenshot(page, "roster-import-errors")
    with page.expect_download() as marked:
        page.get_by_test_id("import-error-workbook").click()
    book = load_workbook(io.BytesIO(Path(marked.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    assert "校验码" in sheet.cell(row=3, column=sheet.max_column).value
    # The contractor corrects the number in the marked file and uploads that file again.
    sheet.cell(row=3, column=2).value = "450202199001010015"
    fixed = tmp_path / "社工名单-改正.xlsx"
    book.save(fixed)
    page.get_by_role("link", name="重新上传").first.click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(fixed)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-ok")).to_contain_text("3 行全部通过检查")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("page-title")).to_have_text("社会工作者")
    for name in ("韦丽", "覃明", "蓝燕"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("450202********002X")).to_be_visible()
    screenshot(page, "roster-imported")
    from workforce.models import SocialWorker

    assert set(SocialWorker.objects.values_list("employer_id", flat=True)) == {runner.pk}
