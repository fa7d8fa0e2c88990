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
