"""The workforce page: the summary, licensed totals by year against the plan's path, density
by county, exam passes; scoped like every page, in a fixed number of queries."""

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.helpers import api_for, assert_constant_queries
from tests.workforce.test_summary import certify, city, person  # noqa: F401 - fixture
from workforce.population import population_set

pytestmark = pytest.mark.django_db
URL = reverse("workforce:workforce")


def client_for(membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.username, password=PASSWORD)
    return client


def chart(response) -> dict:
    found = re.search(r'id="workforce-data"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    return json.loads(found.group(1))


def test_the_city_page_shows_the_figures_charts_and_counties(world, city):  # noqa: F811
    population_set(actor=world.city_admin, division="450202", year=2020, population=176000,
                   source="统计年鉴")  # fmt: skip
    response = client_for(world.city_admin).get(URL, {"as_of": "2024-12-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="licensed">2<' in page
    assert 'data-testid="per-thousand">0.00‰<' in page  # 2 of 4,157,934
    data = chart(response)
    # From the end of the baseline year 2020 to the day: 甲 passed 2021, 乙 2023.
    assert data["years"] == [2020, 2021, 2022, 2023, 2024]
    assert data["licensed"] == [0, 1, 1, 2, 2]
    assert data["plan"] == [0, 0, 0, 0, 0]
    assert "城中区" in data["counties"]
    density = dict(zip(data["counties"], data["density"], strict=True))
    assert density["城中区"] == round(2 / 176000 * 1000, 2) and density["柳江区"] is None
    assert "甲" not in page  # figures, not people


def test_exam_passes_and_their_change_counting_upgrades(world, city):  # noqa: F811
    officer = world.county_officer
    for serial in range(3):
        certify(officer, person(officer, f"考{serial}"), "assistant", date(2023, 8, 1 + serial))
    response = client_for(world.county_officer).get(URL, {"as_of": "2024-12-31"})
    page = response.content.decode()
    # 2024: 乙's 社会工作师 only; 2023: 乙's 助理 and the three new ones.
    assert 'data-testid="passes">1<' in page
    assert "2023 年 4 人，增幅 −75.0%" in page
    body = (
        api_for(world.county_officer)
        .get("/api/v1/workforce/summary/", {"as_of": "2024-12-31"})
        .json()
    )
    assert body["passes"] == {"year": 2024, "count": 1, "previous": 4, "rate": -0.75}


def test_a_county_officer_sees_its_county_only(world, city, outsiders):  # noqa: F811
    response = client_for(world.county_officer).get(URL)
    assert response.status_code == 200
    assert "城中区社工队伍" in response.content.decode()
    assert client_for(world.county_officer).get(URL, {"division": "450206"}).status_code == 404
    outsiders.assert_page_hidden(URL, members=[world.contractor, world.evaluator])
    for membership, code in (
        (world.other_county_officer, "450202"),
        (world.other_tenant_admin, "4502"),
        (world.city_admin, "4503"),
    ):
        assert client_for(membership).get(URL, {"division": code}).status_code == 404


def test_bad_choices_say_why(world, city):  # noqa: F811
    client = client_for(world.city_admin)
    township = client.get(URL, {"division": "450202001"})
    assert township.status_code == 400 and "请选择市或县（市、区）" in township.content.decode()
    future = client.get(URL, {"as_of": "2999-01-01"})
    assert future.status_code == 400 and "日期不能晚于今天" in future.content.decode()


def test_the_queries_do_not_grow_with_the_workers(world, city):  # noqa: F811
    client = client_for(world.city_admin)
    serial = iter(range(100))

    def grow():
        for _ in range(3):
            worker = person(world.county_officer, f"新{next(serial)}")
            certify(world.county_officer, worker, "assistant", date(2022, 7, 1))

    assert_constant_queries(lambda: client.get(URL, {"as_of": "2024-12-31"}), grow)
