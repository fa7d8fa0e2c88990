"""Organisations: registering and changing them through the API, every error at once, scope."""

import pytest

from procurement.models import Organisation
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "柳州市城中区阳光社会工作服务中心",
    "uscc": "52450202mj00001810",
    "kind": "social_service_agency",
    "registration_authority": "柳州市城中区民政局",
    "registered_on": "2019-05-20",
    "social_work_in_scope": True,
    "contact_person": "李敏",
    "contact_phone": "07722812345",
    "incubated_by": "450202",
    "incubated_on": "2021-03-01",
}


def test_a_county_officer_registers_an_organisation(world):
    response = api_for(world.county_officer).post("/api/v1/organisations/", GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["uscc"] == "52450202MJ00001810" and body["contact_phone"] == "0772-2812345"
    assert body["incubated_by"] == "450202" and body["kind_display"] == "社会服务机构"
    listed = api_for(world.city_viewer).get("/api/v1/organisations/?q=阳光").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_every_problem_at_once_and_nothing_written(world):
    bad = {
        **GOOD,
        "uscc": "362322198709086409",  # a resident ID number
        "contact_phone": "abc",
        "incubated_by": "450302",  # another city's county
        "kind": "charity",
        "name": "",
    }
    response = api_for(world.county_officer).post("/api/v1/organisations/", bad, format="json")
    fields = assert_error(response, 400, "invalid")["fields"]
    assert {"uscc", "contact_phone", "incubated_by", "kind", "name"} <= set(fields)
    assert "统一社会信用代码" in fields["uscc"][0]
    assert not Organisation.objects.exists()


def test_a_uscc_is_registered_once_per_tenant_but_may_recur_in_another(world):
    api_for(world.county_officer).post("/api/v1/organisations/", GOOD, format="json")
    again = api_for(world.city_admin).post(
        "/api/v1/organisations/", {**GOOD, "uscc": "52450202MJ00001810"}, format="json"
    )
    assert "已登记" in assert_error(again, 400, "invalid")["fields"]["uscc"][0]
    elsewhere = api_for(world.other_tenant_admin).post(
        "/api/v1/organisations/",
        {**GOOD, "incubated_by": None, "incubated_on": None},
        format="json",
    )
    assert elsewhere.status_code == 201
    assert Organisation.objects.count() == 2


def test_changes_are_checked_and_recorded(world):
    from stations.history import event_rows, history_entries

    created = api_for(world.county_officer).post("/api/v1/organisations/", GOOD, format="json")
    url = f"/api/v1/organisations/{created.json()['id']}/"
    refused = api_for(world.county_officer).patch(url, {"contact_phone": "123"}, format="json")
    assert "contact_phone" in assert_error(refused, 400, "invalid")["fields"]
    changed = api_for(world.city_admin).patch(url, {"address": "柳州市城中路 1 号"}, format="json")
    assert changed.json()["address"] == "柳州市城中路 1 号"
    events = Organisation.pgh_event_model.objects.select_related("pgh_context")
    entries = history_entries(event_rows(events), Organisation)
    assert entries[0].summary.startswith("lz_admin 于 ")
    assert "修改了本机构信息：地址 柳州市城中路 1 号" in entries[0].summary


def test_who_may_see_and_change(world, outsiders):
    created = api_for(world.county_officer).post("/api/v1/organisations/", GOOD, format="json")
    url = f"/api/v1/organisations/{created.json()['id']}/"
    viewer = api_for(world.city_viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.patch(url, {"address": "x"}, format="json").status_code == 403
    assert viewer.post("/api/v1/organisations/", GOOD, format="json").status_code == 403
    # Another city, and (until memberships name their organisation) contractors and
    # evaluators: 404, and nothing in their lists.
    outsiders.assert_api_hidden(
        url, members=[world.other_tenant_admin, world.contractor, world.evaluator]
    )
    listed = api_for(world.other_tenant_admin).get("/api/v1/organisations/").json()
    assert listed["count"] == 0
