"""Contract and evaluation pages: the form with its facility picker and funding rows, every
mistake at once, the detail with history, termination, assigning and reviewing an
evaluation, and outsiders seeing none of it."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.models import Contract, Evaluation
from procurement.services import evaluation_assign, organisation_member_set
from tests.factories import contract, member, organisation, station
from tests.helpers import get, query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(world):
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    second = station(world.county_officer, "450202002", date(2021, 3, 1))
    other = station(world.other_county_officer, "450206100", date(2021, 3, 1))
    sunshine = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    return {"first": first, "second": second, "other": other, "sunshine": sunshine}


def form(network, **changes):
    data = {
        "number": "CZ-2024-001",
        "title": "城中区社工站运营服务项目",
        "purchaser": "450202",
        "organisation": network["sunshine"].pk,
        "kind": "station_operation",
        "state": "signed",
        "signed_on": "2023-12-20",
        "start_on": "2024-01-01",
        "end_on": "2026-12-31",
        "amount": "900000",
        "funding-budget": "800000",
        "funding-welfare_lottery": "100000",
        "facility": [network["first"].pk, network["second"].pk],
        f"workers-{network['first'].pk}": "2",
        f"workers-{network['second'].pk}": "3",
        "pay_unlicensed": "2900",
        "pay_assistant": "3620",
        "pay_social_worker": "",
        "clause-staffing": "1",
        "clause-staffing-where": "第三条",
        "clause-evaluation": "1",
        "clause-evaluation-where": "",
        "published_where": "",
        "remarks": "",
    }
    data.update(changes)
    return data


def test_a_county_officer_records_a_contract_in_the_browser(world, network):
    client = world.client_for(world.county_officer)
    page = get(client, reverse("procurement:contract-create")).content.decode()
    # The picker lists the county's stations, not another county's.
    assert network["first"].name in page and network["other"].name not in page
    assert 'data-testid="facility-picker"' in page and 'value="450202" selected' in page
    document = SimpleUploadedFile("合同.pdf", b"%PDF-1.7\n%%EOF\n")
    response = client.post(
        reverse("procurement:contract-create"), {**form(network), "document": document}
    )
    saved = Contract.objects.get()
    assert response["Location"] == reverse("procurement:contract-detail", args=[saved.pk])
    assert saved.clauses == {"staffing": "第三条", "evaluation": ""} and saved.document
    assert {row.facility_id: row.stationed_workers for row in saved.coverage.all()} == {
        network["first"].pk: 2,
        network["second"].pk: 3,
    }
    detail = get(client, reverse("procurement:contract-detail", args=[saved.pk])).content.decode()
    assert "履行中" in detail and "福彩公益金" in detail and "承诺驻站社工 5 人" in detail
    assert "登记了本合同" in detail and "未载明" in detail
    edit = get(client, reverse("procurement:contract-edit", args=[saved.pk])).content.decode()
    assert f'value="{network["second"].pk}" id="facility-{network["second"].pk}" checked' in edit


def test_every_mistake_is_listed_after_one_save(world, network):
    client = world.client_for(world.county_officer)
    bad = form(
        network,
        end_on="2023-01-01",
        amount="abc",
        **{"funding-budget": "5"},
        facility=[network["first"].pk, network["other"].pk],
    )
    response = client.post(reverse("procurement:contract-create"), bad)
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("end_on", "amount", "facilities"):
        assert f'data-testid="error-{field}"' in body, field
    assert "不在采购人城中区的辖区内" in body and not Contract.objects.exists()
    # The ticked facilities and typed funding are kept for the next try.
    assert f'value="{network["first"].pk}" id="facility-{network["first"].pk}" checked' in body
    assert 'name="funding-budget" id="funding-budget" value="5"' in body


def test_the_purchaser_terminates_early_with_confirmation_and_a_reason(world, network):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    client = world.client_for(world.county_officer)
    url = reverse("procurement:contract-terminate", args=[signed.pk])
    refused = client.post(url, {"on": "2030-01-01", "reason": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert (
        'data-testid="terminate-error-on"' in body
        and 'data-testid="terminate-error-reason"' in body
    )
    client.post(url, {"on": "2025-06-30", "reason": "机构退出"})
    signed.refresh_from_db()
    assert signed.state == "terminated" and signed.terminated_on == date(2025, 6, 30)
    detail = get(client, reverse("procurement:contract-detail", args=[signed.pk])).content.decode()
    assert "提前终止了本合同" in detail and "机构退出" in detail


def test_the_list_filters_and_costs_the_same_queries_for_more_contracts(world, network):
    contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    client = world.client_for(world.city_admin)
    url = reverse("procurement:contract-list")
    few = query_count(lambda: client.get(url))
    for index in range(5):
        contract(
            world.county_officer,
            network["sunshine"],
            [],
            number=f"P{index}",
            kind="project",
        )
    assert query_count(lambda: client.get(url)) == few
    body = get(client, url + "?status=in_force&county=450202").content.decode()
    assert body.count('data-testid="contract-row"') == 6
    assert get(client, url + "?ending_within=10").content.decode().count("contract-row") == 0


def test_an_evaluation_is_assigned_submitted_and_accepted_in_the_browser(world, network):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    assessor = organisation(world.city_admin, "广西社会组织评估中心", 501)
    evaluator = member("assessor_staff", "4502", "evaluator")
    organisation_member_set(membership=evaluator, uscc=assessor.uscc)
    officer = world.client_for(world.county_officer)
    create = reverse("procurement:evaluation-create")
    page = get(officer, f"{create}?contract={signed.pk}").content.decode()
    assert f'<option value="{signed.pk}" selected>' in page
    officer.post(
        create,
        {
            "contract": signed.pk,
            "organisation": assessor.pk,
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
        },
    )
    evaluation = Evaluation.objects.get()
    detail = reverse("procurement:evaluation-detail", args=[evaluation.pk])
    staff = world.client_for(evaluator)
    assert 'data-testid="evaluation-submit-form"' in get(staff, detail).content.decode()
    missing = staff.post(detail, {"action": "submit", "score": "200"})
    assert missing.status_code == 400
    assert 'data-testid="error-report"' in missing.content.decode()
    staff.post(
        detail,
        {
            "action": "submit",
            "evaluated_on": "2025-02-01",
            "score": "91",
            "grade": "excellent",
            "findings": "运营规范",
            "report": SimpleUploadedFile("评估报告.pdf", b"%PDF-1.7\n%%EOF\n"),
        },
    )
    review = get(officer, detail).content.decode()
    assert 'data-testid="evaluation-accept-form"' in review
    officer.post(detail, {"action": "accept"})
    assert Evaluation.objects.get().status == "accepted"
    late = officer.post(detail, {"action": "accept"}, follow=True).content.decode()
    assert "不能采纳" in late


def test_outsiders_see_no_contract_or_evaluation_page(world, network, outsiders):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    signed.document.save("a.pdf", SimpleUploadedFile("a.pdf", b"%PDF-1.7\n"))
    assessor = organisation(world.city_admin, "广西社会组织评估中心", 501)
    evaluation = evaluation_assign(
        actor=world.county_officer,
        contract=signed,
        organisation=assessor,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    for url in (
        reverse("procurement:contract-detail", args=[signed.pk]),
        reverse("procurement:contract-edit", args=[signed.pk]),
        reverse("procurement:contract-document", args=[signed.pk]),
        reverse("procurement:evaluation-detail", args=[evaluation.pk]),
        reverse("procurement:evaluation-report", args=[evaluation.pk]),
    ):
        outsiders.assert_page_hidden(url)
    outsiders.assert_page_hidden(
        reverse("procurement:contract-terminate", args=[signed.pk]),
        method="post",
        data={"on": "2025-01-01", "reason": "x"},
    )
    for outsider in outsiders.members:
        client = world.client_for(outsider)
        listed = client.get(reverse("procurement:contract-list"))
        assert listed.status_code == 404 or "contract-row" not in listed.content.decode()
    # A viewer of the city reads but may not edit or terminate.
    viewer = world.client_for(world.city_viewer)
    assert viewer.get(reverse("procurement:contract-edit", args=[signed.pk])).status_code == 403


CONTRACTOR_HOME = 20


def test_the_homes_show_what_each_party_has_to_do(world, network):
    signed = contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    staff = member("sunshine_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=network["sunshine"].uscc)
    # The contractor's home carries its supervision months (supervision.selectors
    # .contractor_months, a fixed number of queries): a higher ceiling than a list page.
    home = get(world.client_for(staff), reverse("reports:home"), ceiling=CONTRACTOR_HOME)
    home = home.content.decode()
    assert home.count('data-testid="home-contract"') == 1 and signed.number in home
    assert home.count('data-testid="home-station"') == 1 and network["first"].name in home
    assert network["second"].name not in home
    # The county officer's home names the station without a contract and the ending one.
    county = get(world.client_for(world.county_officer), reverse("reports:home")).content.decode()
    assert network["second"].name in county.split('data-testid="unrun-list"')[1]
    assert "A</a>" in county.split('data-testid="ending-list"')[1]  # ends 2026-12-31
    assessor = organisation(world.city_admin, "广西社会组织评估中心", 501)
    evaluator = member("assessor_staff", "4502", "evaluator")
    organisation_member_set(membership=evaluator, uscc=assessor.uscc)
    evaluation_assign(
        actor=world.county_officer,
        contract=signed,
        organisation=assessor,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    home = get(world.client_for(evaluator), reverse("reports:home")).content.decode()
    assert home.count('data-testid="home-evaluation"') == 1 and "待评估" in home


def test_the_county_page_names_stations_without_a_contract_and_contracts_ending(world, network):
    contract(world.county_officer, network["sunshine"], [network["first"]], number="A")
    page = get(
        world.client_for(world.city_viewer), reverse("stations:division-detail", args=["450202"])
    ).content.decode()
    unrun = page.split('data-testid="unrun-list"')[1].split("</ul>")[0]
    assert network["second"].name in unrun and network["first"].name not in unrun
    assert "A</a>" in page.split('data-testid="ending-list"')[1]
    # Another county's page lists its own station only, and nothing to record for a viewer.
    other = get(
        world.client_for(world.city_viewer), reverse("stations:division-detail", args=["450206"])
    ).content.decode()
    assert network["other"].name in other and network["second"].name not in other
    assert "contracts/new/" not in other
