"""The seams in headless Chromium: policy values, dated overrides, compliance, its report."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports.models import Job
from stations.models import CoverageOverride
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, load_divisions, member, station
from tests.helpers import pdf_text
from tests.worker import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liuzhou():
    load_divisions("4502")
    return {
        "city": member("demo_city", "4502", "city_admin"),
        "county": member("demo_county", "4502", "county_officer", "450202"),
    }


def test_city_admin_reads_compliance_changes_policy_and_gets_the_report(page, liuzhou):
    station(liuzhou["county"], "450202001", date(2021, 1, 1))
    log_in(page, "demo_city", PASSWORD)

    page.get_by_role("link", name="目标达标").click()
    summary = page.get_by_test_id("compliance-summary")
    for clause in ("一(三)1", "二(一)2", "二(一)3"):
        expect(summary).to_contain_text(clause)
    expect(page.get_by_test_id("rule-coverage_target")).to_contain_text("未达标")
    page.get_by_label("范围").select_option("450202")
    page.get_by_label("统计日期").fill("2024-06-30")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("page-title")).to_have_text("城中区目标达标情况")
    expect(page.get_by_test_id("findings-six_haves")).to_contain_text("缺：有场地")
    screenshot(page, "compliance-county")

    # The policy page: the 2024 target becomes 10%; the page says who changed what.
    page.get_by_role("link", name="政策参数").click()
    row = page.get_by_test_id("policy-coverage_target")
    row.get_by_role("button", name="调整").click()
    form = page.get_by_test_id("policy-form-coverage_target")
    form.get_by_label("取值").fill("10%")
    form.get_by_label("起始日期").fill("2024-01-01")
    form.get_by_label("截止日期").fill("2024-12-31")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("该字段是必填项")  # the note
    form = page.get_by_test_id("policy-form-coverage_target")
    form.get_by_label("调整说明").fill("2024 年试点口径")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("policy-history")).to_contain_text("2024 年试点口径")
    expect(page.get_by_test_id("policy-coverage_target")).to_contain_text(
        "2024-01-01 – 2024-12-31：10%"
    )
    screenshot(page, "policy")

    page.goto("/compliance/?division=450202&as_of=2024-06-30")
    expect(page.get_by_test_id("rule-coverage_target")).to_contain_text("≥ 10.0%")
    with celery_worker():
        page.get_by_test_id("compliance-pdf").click()
        expect(page.get_by_test_id("job-table")).to_contain_text("目标达标情况报告")
        job = Job.objects.get()
        row = page.locator(f"#job-{job.pk}")
        expect(row).to_have_attribute("data-status", "succeeded", timeout=90_000)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename == "城中区-目标达标情况报告-2024-06-30.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert "城中区社工站建设目标达标情况报告" in text and "≥ 10.0%" in text


def test_city_admin_excludes_a_township_from_a_past_date(page, liuzhou):
    log_in(page, "demo_city", PASSWORD)
    page.goto("/divisions/450202001/")
    form = page.get_by_test_id("override-form")
    form.get_by_label("不计入覆盖率").check()
    form.get_by_label("起始日期").fill("2022-01-01")
    form.get_by_label("理由").fill("2022 年起整体搬迁")
    form.get_by_role("button", name="保存调整").click()
    expect(page.get_by_test_id("override-periods")).to_contain_text("2022-01-01 – 长期")
    expect(page.get_by_test_id("counted-status")).to_contain_text("不计入覆盖率")
    assert CoverageOverride.objects.get().effective_from == date(2022, 1, 1)

    page.goto("/?as_of=2021-12-31")
    expect(page.get_by_test_id("coverage-count")).to_contain_text("计入 118")
    page.goto("/?as_of=2022-06-30")
    expect(page.get_by_test_id("coverage-count")).to_contain_text("计入 117")
    expect(page.get_by_test_id("overridden-list")).to_contain_text("2022 年起整体搬迁")
    screenshot(page, "dashboard-overridden")


def test_the_city_bureau_reads_its_dashboard_follows_a_failing_rule_and_gets_the_report(
    page, liuzhou
):
    station(liuzhou["county"], "450202001", date(2021, 1, 1))
    log_in(page, "demo_city", PASSWORD)

    # The home: the county map drawn from the shipped boundaries, 柳江区 named instead.
    county_map = page.get_by_test_id("county-map")
    expect(county_map).to_have_attribute("data-ready", "true")
    expect(county_map.locator("path")).to_have_count(9)
    expect(county_map.locator("path[data-county='450202']")).to_have_count(1)
    expect(page.get_by_test_id("map-missing")).to_contain_text("柳江区")
    expect(page.locator("#supervision-chart")).to_have_attribute("data-ready", "true")
    expect(page.get_by_test_id("under-contract")).to_have_text("0.0%")
    card = page.get_by_test_id("compliance-card")
    expect(card.get_by_test_id("failing-coverage_target")).to_be_visible()
    screenshot(page, "dashboard-city")

    # A failing rule leads to its records.
    card.get_by_test_id("failing-coverage_target").get_by_role("link").click()
    expect(page).to_have_url(
        re.compile(r"/compliance/\?division=4502&as_of=[\d-]+#coverage_target$")
    )
    expect(page.get_by_test_id("findings-coverage_target")).to_contain_text("城中区")

    # The report of the same day, made by the worker, with the per-county comparison.
    with celery_worker():
        page.get_by_test_id("compliance-pdf").click()
        job = Job.objects.get()
        row = page.locator(f"#job-{job.pk}")
        expect(row).to_have_attribute("data-status", "succeeded", timeout=90_000)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载").click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    assert "柳州市社工站建设目标达标情况报告" in text and "分县（市、区）对比" in text
