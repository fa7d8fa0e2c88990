"""User journeys in a real headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Job
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, load_divisions, member
from tests.worker import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liuzhou():
    load_divisions("4502", "4503")
    return {
        "city": member("demo_city", "4502", "city_admin"),
        "county": member("demo_county", "4502", "county_officer", "450202"),
        "county2": member("demo_county2", "4502", "county_officer", "450206"),
        "other": member("guilin", "4503", "city_admin"),
    }


def test_county_officer_logs_in_and_browses_the_county(page, liuzhou):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot(page, "login")

    log_in(page, "demo_county", PASSWORD)
    expect(page.get_by_test_id("page-title")).to_contain_text("城中区")
    screenshot(page, "county-home")

    expect(page.get_by_test_id("children-table")).to_contain_text("城中街道")
    page.get_by_role("link", name="行政区划").click()
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("城中区")
    expect(page.get_by_test_id("children-table")).to_contain_text("城中街道")
    screenshot(page, "county-divisions")

    page.get_by_role("link", name="城中街道").click()
    expect(page.get_by_test_id("page-title")).to_have_text("城中街道")
    expect(page.get_by_test_id("counted-status")).to_contain_text("计入覆盖率")
    expect(page.get_by_test_id("override-form")).to_have_count(0)
    screenshot(page, "township")


def test_wrong_password_shows_a_chinese_error(page, liuzhou):
    log_in(page, "demo_county", "wrong-password")
    expect(page.get_by_test_id("login-error")).to_contain_text("请输入一个正确的用户名和密码")


def test_another_county_officer_gets_404_on_that_countys_township(page, liuzhou):
    log_in(page, "demo_county2", PASSWORD)
    expect(page.get_by_test_id("page-title")).to_contain_text("柳江区")
    response = page.goto("/divisions/450202001/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    assert "城中街道" not in page.content()
    screenshot(page, "not-found")


def test_language_switch_turns_the_interface_english_and_back(page, liuzhou):
    log_in(page, "demo_county", PASSWORD)
    expect(page.get_by_role("link", name="首页")).to_be_visible()
    page.get_by_test_id("language-select").select_option("en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    screenshot(page, "county-home-en")
    page.get_by_test_id("language-select").select_option("zh-hans")
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="首页")).to_be_visible()


def test_city_admin_excludes_a_township_and_exports_the_list(page, liuzhou):
    log_in(page, "demo_city", PASSWORD)
    expect(page.get_by_test_id("coverage-count")).to_contain_text("计入 118 个")
    screenshot(page, "city-home")

    page.goto("/divisions/450202001/")
    form = page.get_by_test_id("override-form")
    form.get_by_label("不计入覆盖率").check()
    form.get_by_role("button", name="保存调整").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("该字段是必填项")

    form = page.get_by_test_id("override-form")
    form.get_by_label("不计入覆盖率").check()
    form.get_by_label("理由").fill("整体搬迁，已无常住人口")
    form.get_by_role("button", name="保存调整").click()
    expect(page.get_by_test_id("counted-status")).to_contain_text("不计入覆盖率")
    expect(page.get_by_test_id("history")).to_contain_text("demo_city")
    screenshot(page, "township-override")

    page.get_by_role("link", name="柳州市").click()
    expect(page.get_by_test_id("counted-units")).to_have_text("117")

    with celery_worker():
        page.get_by_test_id("export-divisions").click()
        expect(page.get_by_test_id("job-table")).to_contain_text("区划与覆盖口径清单")
        job = Job.objects.get()
        expect(page.locator(f"#job-{job.pk}")).to_have_attribute(
            "data-status", "succeeded", timeout=60_000
        )
    screenshot(page, "jobs")
    with page.expect_download() as download_info:
        page.locator(f"#job-{job.pk}").get_by_role("link", name="下载").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")


def test_tenant_switcher_moves_between_cities(page, liuzhou):
    member("demo_city", "4503", "city_viewer")
    log_in(page, "demo_city", PASSWORD)
    page.get_by_test_id("tenant-switcher").click()
    page.get_by_role("button", name=re.compile("桂林市")).click()
    expect(page.get_by_test_id("page-title")).to_contain_text("桂林市")
    screenshot(page, "tenant-switched")


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(page, settings):
    settings.AXES_ENABLED = True
    load_divisions("4502")
    member("demo_county", "4502", "county_officer", "450202")
    for _attempt in range(4):
        log_in(page, "demo_county", "wrong-password")
        expect(page.get_by_text("请输入一个正确的用户名和密码")).to_be_visible()
    log_in(page, "demo_county", "wrong-password")
    expect(page.get_by_test_id("locked-out")).to_contain_text("连续 5 次登录失败")
    screenshot(page, "login-locked-out")
    log_in(page, "demo_county", PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_be_visible()


def test_the_language_menu_works_under_the_content_security_policy(page):
    load_divisions("4502")
    member("demo_county", "4502", "county_officer", "450202")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    log_in(page, "demo_county", PASSWORD)
    page.get_by_test_id("language-select").select_option("en")
    expect(page.get_by_role("link", name="Facilities")).to_be_visible()
    assert not [text for text in messages if "Content Security Policy" in text]
