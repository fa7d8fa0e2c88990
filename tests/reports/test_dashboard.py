"""The city bureau's dashboard: coverage beside workforce, contracts, the county map,
supervision and compliance, on any past date, in at most DASHBOARD queries; the boundary
API and the compliance card within scope."""

import datetime
import json
import re

import pytest

from stations.boundaries import boundary_codes, city_boundaries
from tests.helpers import DASHBOARD_CEILING, api_for, get
from tests.supervision.test_sessions import setting  # noqa: F401 - fixture
from workforce.credentials import credential_create

pytestmark = pytest.mark.django_db
DASHBOARD = DASHBOARD_CEILING


def embedded(page, name):
    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page)
    return json.loads(match.group(1))


@pytest.fixture
def licensed(world, setting):  # noqa: F811
    return credential_create(actor=world.county_officer, worker=setting["supervisor"],
                             level="assistant", certificate_number="ZS2020-0001",
                             exam_year=2020, passed_on=datetime.date(2020, 7, 1))  # fmt: skip


def test_the_city_dashboard_has_every_block_within_the_ceiling(world, setting, licensed):  # noqa: F811
    client = world.client_for(world.city_admin)
    page = get(client, "/", ceiling=DASHBOARD).content.decode()
    # Contracts: 城中区 has three operating stations, the contract covers two.
    assert re.search(r'data-testid="under-contract">66\.7%<', page)
    assert "2 / 运营中 3 个乡镇（街道）社工站" in page
    assert re.search(r'data-testid="funding-total">600,?000 ', page)  # grouped as the locale does
    assert re.search(r"财政预算：600,?000 元", page)
    # Workforce: the one licensed worker, and per county in the comparison table.
    assert re.search(r'data-testid="licensed-total">1<', page)
    assert 'data-testid="licensed-trend"' in page
    # The map: every county's rate for the browser, 柳江区 (re-coded in 2016) named.
    counties = embedded(page, "map-counties")
    assert len(counties) == 10 and "450206" in counties and "450221" not in counties
    assert counties["450202"]["name"] == "城中区" and counties["450202"]["url"].endswith("/450202/")
    missing = re.search(r'data-testid="map-missing">(.*?)</p>', page).group(1)
    assert "柳江区" in missing and "城中区" not in missing
    assert "450206" not in boundary_codes("4502") and "450202" in boundary_codes("4502")
    # The supervision chart and the compliance card load from their own URLs.
    supervision_url = re.search(r'data-supervision-url="([^"]+)"', page).group(1)
    months = api_for(world.city_admin).get(supervision_url.replace("&amp;", "&")).json()["months"]
    assert len(months) == 12 and all({"month", "rate", "on_time_rate"} <= set(m) for m in months)
    card_url = re.search(r'hx-get="([^"]+)"[^>]*data-testid="compliance-card"', page).group(1)
    card = client.get(card_url.replace("&amp;", "&")).content.decode()
    assert 'data-testid="failing-coverage_target"' in card
    assert "/compliance/?division=4502" in card


def test_a_past_date_reads_that_day(world, setting, licensed):  # noqa: F811
    client = world.client_for(world.city_admin)
    page = get(client, "/?as_of=2024-03-31", ceiling=DASHBOARD).content.decode()
    # 31 March 2024: the second station opens in July; the first is covered, the third not.
    assert re.search(r'data-testid="under-contract">50\.0%<', page)
    card_url = re.search(r'hx-get="([^"]+)"[^>]*data-testid="compliance-card"', page).group(1)
    assert "as_of=2024-03-31" in card_url
    assert "end=2024-02" in page  # supervision ends with the month before the day


def test_county_officers_keep_their_dashboard(world, setting):  # noqa: F811
    page = get(world.client_for(world.county_officer), "/").content.decode()
    assert 'data-testid="county-map"' not in page and 'data-testid="todo-card"' in page


def test_the_boundary_api_answers_the_counties_in_scope(world, outsiders):
    city = api_for(world.city_admin).get("/api/v1/boundaries/?division=4502")
    assert city.status_code == 200
    ids = {feature["id"] for feature in city.json()["features"]}
    # The package's 450221 (柳江县 before 2016) is no division: only current codes are sent.
    assert ids == boundary_codes("4502") - {"450221"} and len(ids) == 9
    county = api_for(world.county_officer).get("/api/v1/boundaries/")
    assert [feature["id"] for feature in county.json()["features"]] == ["450202"]
    assert api_for(world.county_officer).get("/api/v1/boundaries/?division=4502").status_code == 404
    township = api_for(world.city_admin).get("/api/v1/boundaries/?division=450202001")
    assert township.status_code == 400
    outsiders.assert_api_hidden("/api/v1/boundaries/?division=450202")


def test_the_compliance_card_is_scoped(world, outsiders):
    card = world.client_for(world.county_officer).get("/compliance/?division=450202&fragment=1")
    assert card.status_code == 200 and 'data-testid="compliance-counts"' in card.content.decode()
    outsiders.assert_page_hidden("/compliance/?division=450202&fragment=1")


def test_the_card_says_why_it_cannot_answer(world):
    client = world.client_for(world.city_admin)
    card = client.get("/compliance/?division=4502&as_of=1999-01-01&fragment=1")
    assert card.status_code == 200  # htmx swaps it in
    assert 'data-testid="compliance-card-error"' in card.content.decode()


def test_the_boundaries_are_real_places_and_a_city_without_any_draws_nothing():
    assert city_boundaries("9999") == {"type": "FeatureCollection", "features": []}
    # 重庆's file in the package is in ECharts' compressed form: decoded at build time.
    wanzhou = next(f for f in city_boundaries("5001")["features"] if f["id"] == "500101")
    lon, lat = wanzhou["geometry"]["coordinates"][0][0][0]
    assert wanzhou["properties"]["name"] == "万州区" and 107 < lon < 109 and 30 < lat < 32
    assert len(boundary_codes("3101")) >= 15


def test_another_tenant_and_a_county_see_none_of_the_citys_blocks(world, setting, licensed):  # noqa: F811
    guilin = get(
        world.client_for(world.other_tenant_admin), "/", ceiling=DASHBOARD
    ).content.decode()
    # 桂林's own home: its counties only, none of 柳州's contracts, workers or funding.
    counties = embedded(guilin, "map-counties")
    assert counties and all(code.startswith("4503") for code in counties)
    assert re.search(r'data-testid="under-contract">—<', guilin) and "0 / 运营中 0" in guilin
    assert re.search(r'data-testid="licensed-total">0<', guilin)
    assert re.search(r'data-testid="funding-total">0 ', guilin) and "城中区" not in guilin
    assert "division=4503" in re.search(r'data-map-url="([^"]+)"', guilin).group(1)
    # Another county's officer gets the county home, without the city's blocks.
    liujiang = get(world.client_for(world.other_county_officer), "/").content.decode()
    assert 'data-testid="county-map"' not in liujiang and "funding-total" not in liujiang
