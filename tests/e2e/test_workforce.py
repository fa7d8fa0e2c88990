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
