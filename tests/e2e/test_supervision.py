"""Supervision journeys in a real headless Chromium: demo_contractor enters this month's
sessions with the form and from Excel and submits; demo_county returns the month with a
reason; the contractor fixes it and submits again; demo_county accepts and the month is
locked for both."""

import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from supervision.models import MonthlySubmission, SupervisionSession
from tests.e2e.conftest import log_in, screenshot
from tests.factories import PASSWORD, contract, load_divisions, member, organisation, station

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def liuzhou():
    from procurement.services import organisation_member_set
    from supervision.services import supervisor_assign
    from workforce.assignments import assignment_create
    from workforce.services import social_worker_create

    load_divisions("4502")
    county = member("demo_county", "4502", "county_officer", "450202")
    staff = member("demo_contractor", "4502", "contractor")
    first = station(county, "450202001", datetime.date(2020, 6, 1))
    second = station(county, "450202002", datetime.date(2021, 3, 1))
    runner = organisation(county, "柳州市城中区阳光社会工作服务中心", 18)
    organisation_member_set(membership=staff, uscc=runner.uscc)
    signed = contract(county, runner, [first, second], number="CZ-2024-01")
    supervisor = social_worker_create(actor=county, name="韦督导", employer=runner.pk,
                                      id_number="45020219850303002X")  # fmt: skip
    worker = social_worker_create(actor=county, name="覃驻站", employer=runner.pk,
                                  id_number="450202199001010015")  # fmt: skip
    assignment_create(actor=county, worker=worker, facility=first.pk, role="stationed",
                      contract=signed.pk, started_on=datetime.date(2024, 1, 1))  # fmt: skip
    for facility in (first, second):
        supervisor_assign(actor=staff, supervisor=supervisor, contract=signed,
                          facility=facility, started_on=datetime.date(2024, 1, 1))  # fmt: skip
    return {"contract": signed, "first": first, "second": second}


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def sign_in(username):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, username, PASSWORD)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_enter_submit_return_fix_resubmit_accept_and_the_month_locks(as_user, liuzhou, tmp_path):
    month = timezone.localdate().replace(day=1)
    label = f"{month:%Y-%m}"
    contractor = as_user("demo_contractor")
    # The contractor's home: this month, both stations still without a session.
    row = contractor.locator(f'[data-testid="supervision-month"][data-month="{label}"]')
    expect(row.get_by_test_id("without")).to_contain_text(liuzhou["first"].name)
    expect(row.get_by_test_id("countdown")).to_contain_text("还剩")
    row.get_by_test_id("month-link").click()
    expect(contractor.get_by_test_id("page-title")).to_contain_text(f"CZ-2024-01 · {label}")

    form = contractor.get_by_test_id("session-form")
    form.get_by_label("站点").select_option(label=liuzhou["first"].name)
    form.locator("#id_supervisor").select_option(index=1)
    form.get_by_label("开始时间").fill(f"{label}-01T08:00")
    form.get_by_label("结束时间").fill(f"{label}-01T07:00")
    form.get_by_role("button", name="保存督导记录").click()
    expect(contractor.get_by_test_id("error-ended_at")).to_contain_text("结束时间应晚于开始时间")
    expect(contractor.get_by_test_id("error-topics")).to_be_visible()
    screenshot(contractor, "supervision-entry-errors")
    form = contractor.get_by_test_id("session-form")
    form.get_by_label("结束时间").fill(f"{label}-01T12:00")
    form.get_by_label("督导形式").select_option(label="驻站现场")
    form.get_by_label("督导主题").fill("个案工作督导：困境儿童家庭走访")
    form.get_by_label("覃驻站（城中区城中街道社会工作服务站）").check()
    form.get_by_role("button", name="保存督导记录").click()
    expect(contractor.get_by_test_id("session")).to_have_count(1)
    expect(contractor.get_by_test_id("session")).to_contain_text("参加：覃驻站")

    # The second station from Excel: the month's workbook holds the first session.
    with contractor.expect_download() as download:
        contractor.get_by_test_id("month-template").click()
    with open(download.value.path(), "rb") as downloaded:  # a temporary name without suffix
        workbook = load_workbook(BytesIO(downloaded.read()))
    sheet = workbook["督导记录"]
    assert sheet.cell(2, 2).value == liuzhou["first"].name
    sheet.append(["CZ-2024-01", liuzhou["second"].name, "韦督导", None, f"{label}-01 13:00",
                  f"{label}-01 17:00", None, None, "线上", "小组工作督导"])  # fmt: skip
    path = tmp_path / "督导.xlsx"
    workbook.save(path)
    contractor.get_by_test_id("import-link").click()
    contractor.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    contractor.get_by_role("button", name="上传并预览").click()
    expect(contractor.get_by_test_id("import-counts")).to_contain_text("新增 1 个督导记录")
    contractor.get_by_test_id("import-confirm").get_by_role("button").click()
    expect(contractor.get_by_test_id("page-title")).to_have_text("督导填报")
    assert SupervisionSession.objects.count() == 2

    contractor.goto(f"/supervision/{liuzhou['contract'].pk}/{label}/")
    expect(contractor.get_by_test_id("without")).to_contain_text("每个站点都已督导")
    contractor.get_by_test_id("submit").click()
    expect(contractor.get_by_test_id("month-state")).to_have_attribute("data-state", "submitted")
    expect(contractor.get_by_test_id("session-form")).to_have_count(0)

    # demo_county returns it with a reason.
    county = as_user("demo_county")
    county.get_by_role("link", name="月度督导").click()
    county.get_by_test_id("month-link").first.click()
    county.get_by_test_id("return").click()
    expect(county.get_by_test_id("error-reason")).to_be_visible()
    county.get_by_test_id("return-form").get_by_label("退回原因").fill("第二个站点请上传签到表")
    county.get_by_test_id("return").click()
    expect(county.get_by_test_id("month-state")).to_have_attribute("data-state", "returned")
    screenshot(county, "supervision-returned")

    # The contractor sees the reason on its home, fixes the month and submits again.
    contractor.goto("/")
    row = contractor.locator(f'[data-testid="supervision-month"][data-month="{label}"]')
    expect(row.get_by_test_id("return-reason")).to_have_text("第二个站点请上传签到表")
    row.get_by_test_id("month-link").click()
    contractor.get_by_test_id("copy").first.click()
    form = contractor.get_by_test_id("session-form")
    expect(form.get_by_label("督导主题")).to_have_value("个案工作督导：困境儿童家庭走访")
    form.get_by_label("开始时间").fill(f"{label}-01T18:00")
    form.get_by_label("结束时间").fill(f"{label}-01T20:00")
    form.get_by_role("button", name="保存督导记录").click()
    expect(contractor.get_by_test_id("session")).to_have_count(3)
    contractor.get_by_test_id("submit").click()
    expect(contractor.get_by_test_id("month-state")).to_have_attribute("data-state", "submitted")

    # demo_county finds it on its to-do list, accepts it, and it leaves the list.
    county.goto("/")
    waiting = county.get_by_test_id("todo-card").locator(
        '[data-testid="todo-group"][data-source="months_to_review"] [data-testid="todo-item"]'
    )
    expect(waiting).to_have_count(1)
    waiting.get_by_role("link").click()
    county.get_by_test_id("accept").click()
    expect(county.get_by_test_id("locked")).to_be_visible()
    expect(county.get_by_test_id("return-form")).to_have_count(0)
    contractor.reload()
    expect(contractor.get_by_test_id("locked")).to_be_visible()
    expect(contractor.get_by_test_id("session-form")).to_have_count(0)
    expect(contractor.get_by_test_id("delete")).to_have_count(0)
    expect(contractor.get_by_test_id("history")).to_contain_text("退回了月度督导")
    screenshot(contractor, "supervision-locked")
    county.goto("/")
    group = county.locator('[data-testid="todo-group"][data-source="months_to_review"]')
    expect(group.get_by_test_id("todo-count")).to_have_text("0")
    screenshot(county, "county-home-todos")
    submission = MonthlySubmission.objects.get()
    assert submission.state == "accepted" and SupervisionSession.objects.count() == 3
