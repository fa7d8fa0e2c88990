"""Population per division and year, kept by the city admin, with its source."""

import pytest

from tests.helpers import api_for, assert_error
from workforce.models import Population

pytestmark = pytest.mark.django_db

LIUZHOU_2020 = {
    "division": "4502",
    "year": 2020,
    "population": 4157934,
    "source": "第七次全国人口普查",
}


def test_the_city_admin_sets_a_figure_and_a_second_replaces_it(world):
    client = api_for(world.city_admin)
    assert client.post("/api/v1/population/", LIUZHOU_2020, format="json").status_code == 201
    again = client.post(
        "/api/v1/population/", {**LIUZHOU_2020, "population": 4157935}, format="json"
    )
    assert again.json()["population"] == 4157935 and Population.objects.count() == 1
    listed = api_for(world.county_officer).get("/api/v1/population/").json()
    assert listed[0]["division"] == "4502" and listed[0]["source"] == "第七次全国人口普查"


def test_bad_figures_and_who_may_set_them(world, outsiders):
    bad = {"division": "450302", "year": 1900, "population": 0, "source": ""}
    response = api_for(world.city_admin).post("/api/v1/population/", bad, format="json")
    assert {"division", "year", "population", "source"} <= set(
        assert_error(response, 400, "invalid")["fields"]
    )
    refused = api_for(world.county_officer).post("/api/v1/population/", LIUZHOU_2020, format="json")
    assert refused.status_code == 403
    api_for(world.city_admin).post(
        "/api/v1/population/", {**LIUZHOU_2020, "division": "450206"}, format="json"
    )
    assert api_for(world.county_officer).get("/api/v1/population/").json() == []
    assert api_for(world.other_tenant_admin).get("/api/v1/population/").json() == []
    for outsider in (world.contractor, world.evaluator):
        assert api_for(outsider).get("/api/v1/population/").status_code == 404
