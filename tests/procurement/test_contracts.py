"""Contracts: recorded through the API with every problem at once, effective dating, one
live station contract per station and day, termination, the PDF, and who sees what."""

import datetime
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from procurement.models import Contract, ContractFacility, ContractFunding
from procurement.selectors import contracts_visible
from procurement.services import contract_terminate, organisation_member_set
from stations.models import Facility, Membership
from stations.selectors import facilities_visible
from tests.factories import contract, member, organisation, station
from tests.helpers import api_for, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(world):
    """Two stations of 城中区, one of 柳江区, and an organisation."""
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    second = station(world.county_officer, "450202002", date(2021, 3, 1))
    other = station(world.other_county_officer, "450206100", date(2021, 3, 1))
    sunshine = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    return {"first": first, "second": second, "other": other, "sunshine": sunshine}


def payload(network, **changes):
    body = {
        "number": "CZ-2024-001",
        "title": "城中区乡镇（街道）社工站运营服务项目",
        "purchaser": "450202",
        "organisation": network["sunshine"].pk,
        "kind": "station_operation",
        "state": "signed",
        "signed_on": "2023-12-20",
        "start": "2024-01-01",
        "end": "2026-12-31",
        "amount": "900000.00",
        "funding": [
            {"source": "budget", "amount": "800000"},
            {"source": "welfare_lottery", "amount": "100000.00"},
        ],
        "facilities": [
            {"facility": network["first"].pk, "stationed_workers": 2},
            {"facility": network["second"].pk, "stationed_workers": 3},
        ],
        "pay": {"unlicensed": "2900", "assistant": "3620", "social_worker": "4163"},
        "clauses": {"staffing": "第三条", "service_content": "第四条"},
        "published": True,
        "published_where": "中国政府采购网",
    }
    body.update(changes)
    return body


def test_a_county_officer_records_a_contract_covering_two_stations(world, network):
    response = api_for(world.county_officer).post(
        "/api/v1/contracts/", payload(network), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["purchaser"] == "450202" and body["purchaser_name"] == "城中区"
    assert body["kind_display"] == "站点运营" and body["amount"] == "900000.00"
    assert body["status"] == "in_force" and body["status_display"] == "履行中"
    assert sorted(row["stationed_workers"] for row in body["facilities"]) == [2, 3]
    assert {row["source"]: row["amount"] for row in body["funding"]} == {
        "budget": "800000.00",
        "welfare_lottery": "100000.00",
    }
    assert body["pay"] == {
        "unlicensed": "2900.00",
        "assistant": "3620.00",
        "social_worker": "4163.00",
    }
    assert body["clauses"] == {"staffing": "第三条", "service_content": "第四条"}
    rows = ContractFacility.objects.filter(contract_id=body["id"])
    assert {row.live_from for row in rows} == {date(2024, 1, 1)}
    assert {row.live_until for row in rows} == {date(2026, 12, 31)}
    listed = api_for(world.city_viewer).get(f"/api/v1/contracts/?covers={network['first'].pk}")
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_impossible_contracts_are_refused_with_every_problem_and_nothing_written(world, network):
    bad = payload(
        network,
        start="2025-01-01",
        end="2024-12-31",  # before its start
        funding=[{"source": "budget", "amount": "100"}],  # does not add up
        facilities=[
            {"facility": network["first"].pk, "stationed_workers": 2},
            {"facility": network["first"].pk, "stationed_workers": 2},  # twice
            {"facility": network["other"].pk, "stationed_workers": 2},  # another county's
        ],
        clauses={"nonsense": "x"},
    )
    response = api_for(world.county_officer).post("/api/v1/contracts/", bad, format="json")
    fields = assert_error(response, 400, "invalid")["fields"]
    assert "不能早于开始日期" in fields["end"][0]
    assert "与合同金额" in fields["funding"][0]
    facility_errors = " ".join(fields["facilities"])
    assert "重复" in facility_errors and "不在采购人城中区的辖区内" in facility_errors
    assert "条款代码" in fields["clauses"][0]
    assert not Contract.objects.exists() and not ContractFunding.objects.exists()


def test_serializer_and_service_problems_come_together(world, network):
    bad = payload(network, amount="abc", purchaser="450302", signed_on="2099-01-01")
    response = api_for(world.county_officer).post("/api/v1/contracts/", bad, format="json")
    fields = assert_error(response, 400, "invalid")["fields"]
    assert {"amount", "purchaser", "signed_on"} <= set(fields)


def test_a_contract_number_is_used_once_per_tenant(world, network):
    api_for(world.county_officer).post("/api/v1/contracts/", payload(network), format="json")
    again = api_for(world.county_officer).post(
        "/api/v1/contracts/",
        payload(
            network,
            facilities=[],
            kind="project",
            amount="1",
            funding=[{"source": "budget", "amount": "1"}],
        ),
        format="json",
    )
    assert "已登记" in assert_error(again, 400, "invalid")["fields"]["number"][0]


def test_a_station_has_one_live_station_contract_a_day(world, network):
    contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    rival = organisation(world.county_officer, "柳州市星火社工服务中心", 77)
    overlapping = payload(
        network,
        number="B",
        organisation=rival.pk,
        start="2026-06-01",
        end="2027-05-31",
        facilities=[{"facility": network["first"].pk, "stationed_workers": 2}],
    )
    response = api_for(world.county_officer).post("/api/v1/contracts/", overlapping, format="json")
    message = assert_error(response, 400, "invalid")["fields"]["facilities"][0]
    assert "已由合同 A 运营" in message
    # A project contract for the same station, or a draft, is not a second operator.
    project = {**overlapping, "kind": "project"}
    assert (
        api_for(world.county_officer).post("/api/v1/contracts/", project, format="json").status_code
        == 201
    )
    draft = {**overlapping, "number": "C", "state": "draft"}
    created = api_for(world.county_officer).post("/api/v1/contracts/", draft, format="json")
    assert created.status_code == 201
    # Signing the draft is refused while the first contract is live on those days ...
    sign = api_for(world.county_officer).patch(
        f"/api/v1/contracts/{created.json()['id']}/", {"state": "signed"}, format="json"
    )
    assert "已由合同 A 运营" in assert_error(sign, 400, "invalid")["fields"]["facilities"][0]
    # ... and allowed once the first one is terminated before the draft starts.
    first = Contract.objects.get(number="A")
    contract_terminate(
        actor=world.county_officer, contract=first, on=date(2026, 5, 31), reason="机构退出"
    )
    again = api_for(world.county_officer).patch(
        f"/api/v1/contracts/{created.json()['id']}/", {"state": "signed"}, format="json"
    )
    assert again.status_code == 200, again.json()


def test_the_database_refuses_an_overlap_the_service_did_not_see(world, network):
    from django.db import IntegrityError, transaction

    first = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    second = contract(world.county_officer, network["sunshine"], [network["second"]], number="B")
    row = ContractFacility.objects.get(contract=second)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFacility.objects.filter(pk=row.pk).update(facility=network["first"])
    assert first.coverage.count() == 1


def test_termination_ends_coverage_and_is_checked(world, network):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    client = api_for(world.county_officer)
    bad = client.post(
        f"/api/v1/contracts/{signed.pk}/terminate/",
        {"on": "2027-06-01", "reason": ""},
        format="json",
    )
    fields = assert_error(bad, 400, "invalid")["fields"]
    assert {"on", "reason"} <= set(fields)
    done = client.post(
        f"/api/v1/contracts/{signed.pk}/terminate/",
        {"on": "2025-06-30", "reason": "承接机构主动退出"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "terminated" and done.json()["terminated_on"] == "2025-06-30"
    assert ContractFacility.objects.get(contract=signed).live_until == date(2025, 6, 30)
    again = client.post(
        f"/api/v1/contracts/{signed.pk}/terminate/",
        {"on": "2025-05-30", "reason": "再次"},
        format="json",
    )
    fields = assert_error(again, 400, "invalid")["fields"]
    assert "已于 2025-06-30 终止" in fields["non_field_errors"][0]


def test_filters_by_status_county_in_force_and_ending(world, network):
    now = contract(world.county_officer, network["sunshine"], [network["first"]], number="NOW")
    old = contract(
        world.county_officer,
        network["sunshine"],
        [network["second"]],
        number="OLD",
        start_on=date(2021, 1, 1),
        end_on=date(2023, 12, 31),
        signed_on=date(2020, 12, 20),
    )
    client = api_for(world.city_admin)

    def ids(query):
        return {row["id"] for row in client.get(f"/api/v1/contracts/?{query}").json()["results"]}

    assert ids("status=in_force") == {now.pk} and ids("status=ended") == {old.pk}
    assert ids("in_force_on=2022-05-01") == {old.pk}
    assert ids("county=450202") == {now.pk, old.pk} and ids("county=450206") == set()
    assert ids("ending_within=90") == {now.pk}  # today is within 90 days of 2026-12-31
    assert ids("ending_within=10") == set()


def test_the_signed_pdf_is_size_limited_and_downloadable_in_scope(world, network, settings):
    settings.PDF_UPLOAD_MAX_MB = 1
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    client = api_for(world.county_officer)
    url = f"/api/v1/contracts/{signed.pk}/document/"
    huge = SimpleUploadedFile("合同.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    response = client.post(url, {"document": huge}, format="multipart")
    assert "超过上限 1 MB" in assert_error(response, 400, "invalid")["fields"]["document"][0]
    fake = SimpleUploadedFile("合同.pdf", b"PK\x03\x04 not a pdf")
    response = client.post(url, {"document": fake}, format="multipart")
    assert "不是 PDF" in assert_error(response, 400, "invalid")["fields"]["document"][0]
    pdf = SimpleUploadedFile("合同.pdf", b"%PDF-1.7\n%%EOF\n")
    assert client.post(url, {"document": pdf}, format="multipart").status_code == 200
    signed.refresh_from_db()
    assert len(signed.document_sha256) == 64
    download = api_for(world.city_viewer).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_city_admin_buys_for_the_city_a_county_officer_only_for_their_county(world, network):
    city = api_for(world.city_admin).post(
        "/api/v1/contracts/", payload(network, purchaser="4502", number="CITY-1"), format="json"
    )
    assert city.status_code == 201, city.json()
    refused = api_for(world.other_county_officer).post(
        "/api/v1/contracts/", payload(network, number="LJ-1"), format="json"
    )
    assert "本县" in assert_error(refused, 400, "invalid")["fields"]["purchaser"][0]
    # The city contract covers 城中区's stations, so 城中区's officer sees it, read-only.
    contract_id = city.json()["id"]
    client = api_for(world.county_officer)
    assert client.get(f"/api/v1/contracts/{contract_id}/").status_code == 200
    change = client.patch(f"/api/v1/contracts/{contract_id}/", {"title": "x"}, format="json")
    assert change.status_code == 403


def test_outsiders_never_see_a_contract(world, network, outsiders):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    for url in (
        f"/api/v1/contracts/{signed.pk}/",
        f"/api/v1/contracts/{signed.pk}/document/",
    ):
        outsiders.assert_api_hidden(url)
    outsiders.assert_api_hidden(
        f"/api/v1/contracts/{signed.pk}/terminate/", method="post", data={"on": "2025-01-01"}
    )
    for outsider in outsiders.members:
        listed = api_for(outsider).get("/api/v1/contracts/").json()
        assert listed.get("results", []) == [] or listed.get("error"), outsider


def test_a_contractor_sees_its_contracts_and_exactly_the_stations_they_cover(world, network):
    signed = contract(
        world.county_officer,
        network["sunshine"],
        [network["first"], network["second"]],
        number="A",
    )
    rival = organisation(world.county_officer, "柳州市星火社工服务中心", 77)
    theirs = contract(world.other_county_officer, rival, [network["other"]], number="B")
    staff = member("sunshine_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=network["sunshine"].uscc.lower())
    assert set(facilities_visible(staff).values_list("pk", flat=True)) == {
        network["first"].pk,
        network["second"].pk,
    }
    assert list(contracts_visible(staff)) == [signed]
    client = api_for(staff)
    assert client.get(f"/api/v1/contracts/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/facilities/{network['other'].pk}/").status_code == 404
    assert client.get(f"/api/v1/facilities/{network['first'].pk}/").status_code == 200
    assert client.get(f"/api/v1/organisations/{rival.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{network['sunshine'].pk}/").status_code == 200
    # Once the contract is terminated, its stations are no longer the contractor's.
    contract_terminate(
        actor=world.county_officer,
        contract=signed,
        on=timezone.localdate() - datetime.timedelta(days=1),
        reason="终止",
    )
    staff = Membership.objects.get(pk=staff.pk)  # a new request builds a new scope
    assert not Facility.objects.filter(pk__in=facilities_visible(staff)).exists()


def test_add_member_requires_the_organisation_of_a_contractor(world, network):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--organisation"):
        call_command("add_member", "x1", tenant="4502", role="contractor")
    with pytest.raises(CommandError, match="没有统一社会信用代码"):
        call_command(
            "add_member",
            "x2",
            tenant="4502",
            role="evaluator",
            organisation="52450202MJ0000771F".replace("52450202", "52450203"),
        )
    with pytest.raises(CommandError, match="只用于"):
        call_command(
            "add_member", "x3", tenant="4502", role="city_viewer", organisation="52450202MJ00001810"
        )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__in=["x1", "x2", "x3"]).exists()
    call_command(
        "add_member",
        "sunshine_staff",
        tenant="4502",
        role="contractor",
        organisation=network["sunshine"].uscc.lower(),
        stdout=io.StringIO(),
    )
    staff = Membership.objects.get(user__username="sunshine_staff")
    assert staff.organisation_link.organisation == network["sunshine"]


def test_odd_input_is_a_clear_error_never_a_500(world, network):
    client = api_for(world.county_officer)
    # One bad field: the facilities that are fine raise no false error, pay is still checked.
    response = client.post(
        "/api/v1/contracts/",
        payload(network, end="2023-13-01", pay={"unlicensed": "-5"}),
        format="json",
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert "facilities" not in fields and "end" in fields
    assert "负数" in " ".join(fields.get("pay_unlicensed", fields.get("pay", [""])))
    huge = payload(network, funding=[{"source": "budget", "amount": "1e30"}])
    assert client.post("/api/v1/contracts/", huge, format="json").status_code == 400
    weird = payload(network, facilities=[{"facility": "²", "stationed_workers": 2}])
    assert client.post("/api/v1/contracts/", weird, format="json").status_code == 400
    listed = client.get("/api/v1/contracts/?ending_within=5000000&covers=1e30&organisation=x")
    assert listed.status_code in (200, 400)
    page = world.client_for(world.county_officer).post(
        "/contracts/new/", {"facility": ["²", "9" * 30], "funding-budget": "1e30"}
    )
    assert page.status_code == 400


def test_a_county_officer_sees_only_its_countys_stations_of_a_city_contract(world, network):
    city = contract(
        world.city_admin,
        network["sunshine"],
        [network["first"], network["other"]],
        number="CITY",
        purchaser="4502",
    )
    body = api_for(world.county_officer).get(f"/api/v1/contracts/{city.pk}/").json()
    assert [row["facility"] for row in body["facilities"]] == [network["first"].pk]
    page = world.client_for(world.county_officer).get(f"/contracts/{city.pk}/").content.decode()
    assert network["other"].name not in page and 'data-testid="coverage-elsewhere"' in page
    everything = api_for(world.city_viewer).get(f"/api/v1/contracts/{city.pk}/").json()
    assert len(everything["facilities"]) == 2


def test_a_contractor_reads_its_station_but_not_its_history(world, network):
    contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    staff = member("sunshine_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=network["sunshine"].uscc)
    client = api_for(staff)
    assert client.get(f"/api/v1/facilities/{network['first'].pk}/").status_code == 200
    assert client.get(f"/api/v1/facilities/{network['first'].pk}/history/").status_code == 404
    page = world.client_for(staff).get(f"/facilities/{network['first'].pk}/").content.decode()
    assert 'data-testid="history"' not in page and "变更历史" not in page
