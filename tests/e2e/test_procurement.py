"""Procurement journeys in a real headless Chromium."""

import pytest
from playwright.sync_api import expect

from procurement.models import Organisation
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, load_divisions, member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liuzhou():
    load_divisions("4502")
    return {"county": member("demo_county", "4502", "county_officer", "450202")}


def test_a_county_officer_registers_an_organisation_with_the_picker(page, liuzhou):
    log_in(page, "demo_county", PASSWORD)
    page.get_by_role("link", name="服务机构").click()
    page.get_by_test_id("organisation-new").click()
    form = page.get_by_test_id("organisation-form")
    form.get_by_label("机构名称").fill("柳州市城中区阳光社会工作服务中心")
    form.get_by_label("统一社会信用代码").fill("362322198709086409")  # an ID number
    form.get_by_label("机构类型").select_option("social_service_agency")
    form.get_by_label("联系电话").fill("138 0013 8000")
    # The incubation base is the officer's own county, chosen in the picker.
    page.locator("#id_incubated_by-ts-control").click()
    page.locator(".ts-dropdown .option", has_text="城中区").first.click()
    form.get_by_label("孵化日期").fill("2021-03-01")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("error-uscc")).to_contain_text("统一社会信用代码")
    screenshot(page, "organisation-form-error")

    page.get_by_test_id("organisation-form").get_by_label("统一社会信用代码").fill(
        "52450202mj00001810"
    )
    page.get_by_test_id("organisation-form").get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("page-title")).to_have_text("柳州市城中区阳光社会工作服务中心")
    expect(page.get_by_test_id("organisation-fields")).to_contain_text("52450202MJ00001810")
    expect(page.get_by_test_id("organisation-fields")).to_contain_text("城中区 · 2021-03-01")
    expect(page.get_by_test_id("history")).to_contain_text("登记了本机构")
    screenshot(page, "organisation-detail")
    assert Organisation.objects.get().contact_phone == "13800138000"


@pytest.fixture
def as_user(browser, live_server):
    """Sign in as a user in a fresh browser context (one person, one browser); all closed after."""
    contexts = []

    def sign_in(username):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, username, PASSWORD)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_contract_covers_two_stations_its_contractor_sees_exactly_those_and_is_evaluated(
    as_user, liuzhou, tmp_path
):
    from datetime import date

    from procurement.services import organisation_member_set
    from tests.factories import organisation, station

    county = liuzhou["county"]
    first = station(county, "450202001", date(2020, 6, 1))
    second = station(county, "450202002", date(2021, 3, 1))
    third = station(county, "450202003", date(2021, 3, 1))
    elsewhere = station(
        member("lj", "4502", "county_officer", "450206"), "450206100", date(2021, 3, 1)
    )
    sunshine = organisation(county, "柳州市城中区阳光社会工作服务中心", 18)
    assessor = organisation(county, "柳州市明鉴社会服务评估中心", 501)
    organisation_member_set(membership=member("staff", "4502", "contractor"), uscc=sunshine.uscc)
    organisation_member_set(membership=member("assessor", "4502", "evaluator"), uscc=assessor.uscc)

    # The county officer records the contract, choosing two stations in the picker.
    officer = as_user("demo_county")
    officer.on("dialog", lambda dialog: dialog.accept())
    officer.get_by_role("link", name="购买服务合同").click()
    officer.get_by_test_id("contract-new").click()
    form = officer.get_by_test_id("contract-form")
    picker = officer.get_by_test_id("facility-picker")
    expect(picker).not_to_contain_text(elsewhere.name)  # another county's station
    form.get_by_label("合同编号").fill("CZ-2024-001")
    form.get_by_label("合同名称").fill("城中区社工站运营服务项目")
    form.get_by_label("承接机构").select_option(label=sunshine.name)
    form.get_by_label("签订日期").fill("2023-12-20")
    form.get_by_label("服务开始日期").fill("2024-01-01")
    form.get_by_label("服务结束日期").fill("2026-12-31")
    form.get_by_label("合同金额（元）").fill("600000")
    officer.get_by_placeholder("按名称筛选站点").fill("城中街道")
    expect(officer.locator(f"tr[data-name='{second.name}']")).to_be_hidden()
    officer.get_by_label(first.name, exact=True).check()
    officer.get_by_placeholder("按名称筛选站点").fill("")
    officer.get_by_label(second.name, exact=True).check()
    officer.get_by_label("财政预算").fill("500000")
    expect(officer.locator("[data-funding-total]")).to_have_class("small text-danger")
    form.get_by_role("button", name="保存").click()
    # The funding does not add up: the page says so and keeps the two ticked stations.
    expect(officer.get_by_test_id("error-funding")).to_contain_text("与合同金额")
    expect(officer.get_by_label(first.name, exact=True)).to_be_checked()
    officer.get_by_label("福彩公益金").fill("100000")
    officer.get_by_test_id("contract-form").get_by_role("button", name="保存").click()
    expect(officer.get_by_test_id("contract-status")).to_have_text("履行中")
    expect(
        officer.get_by_test_id("contract-coverage").get_by_test_id("coverage-row")
    ).to_have_count(2)
    screenshot(officer, "contract-detail")

    # The contractor sees exactly those two stations, and not the third.
    contractor = as_user("staff")
    expect(contractor.get_by_test_id("home-station")).to_have_count(2)
    expect(contractor.get_by_test_id("home-stations")).not_to_contain_text(third.name)
    contractor.get_by_role("link", name="站点设施").click()
    expect(contractor.locator("body")).to_contain_text(first.name)
    expect(contractor.locator("body")).not_to_contain_text(third.name)
    response = contractor.goto(f"/facilities/{third.pk}/")
    assert response is not None and response.status == 404
    screenshot(contractor, "contractor-404")

    # The county assigns an evaluation; the evaluator submits; the county accepts.
    officer.get_by_test_id("evaluation-assign").click()
    assign = officer.get_by_test_id("evaluation-form")
    assign.get_by_label("评估机构").select_option(label=assessor.name)
    assign.get_by_label("评估期起").fill("2024-01-01")
    assign.get_by_label("评估期止").fill("2024-12-31")
    assign.get_by_role("button", name="委托").click()
    expect(officer.get_by_test_id("evaluation-status")).to_have_text("待评估")

    evaluator = as_user("assessor")
    evaluator.on("dialog", lambda dialog: dialog.accept())
    evaluator.get_by_test_id("home-evaluation").get_by_role("link").click()
    submit = evaluator.get_by_test_id("evaluation-submit-form")
    submit.get_by_label("评估日期").fill("2025-02-10")
    submit.get_by_label("评估得分（0–100）").fill("88.5")
    submit.get_by_label("评估等级").select_option(label="良好")
    submit.get_by_label("评估意见").fill("服务规范，台账完整。")
    report = tmp_path / "评估报告.pdf"
    report.write_bytes(b"%PDF-1.7\n%%EOF\n")
    submit.get_by_label("评估报告（PDF）").set_input_files(str(report))
    submit.get_by_role("button", name="提交").click()
    expect(evaluator.get_by_test_id("evaluation-status")).to_have_text("已提交待审核")

    officer.reload()
    officer.get_by_test_id("evaluation-accept-form").get_by_role("button", name="采纳").click()
    expect(officer.get_by_test_id("evaluation-status")).to_have_text("已采纳")
    expect(officer.get_by_test_id("evaluation-score")).to_contain_text("88.5 · 良好")
    screenshot(officer, "evaluation-accepted")
