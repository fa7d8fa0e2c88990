"""Station assignments and specialties: under a contract that covers the station and holds
the days, within reach of whoever records them, one full-time post a day."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from procurement.services import organisation_member_set
from tests.factories import contract, member, organisation, station
from tests.helpers import api_for, assert_error
from workforce.assignments import assignment_create
from workforce.models import Assignment, SocialWorker
from workforce.services import social_worker_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    second = station(world.county_officer, "450202002", date(2021, 3, 1))
    other = station(world.other_county_officer, "450206100", date(2021, 3, 1))
    sunshine = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    signed = contract(world.county_officer, sunshine, [first, second], number="A")
    staff = member("sunshine_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=sunshine.uscc)
    worker = social_worker_create(
        actor=world.county_officer,
        name="李敏",
        id_number="45020219850303002X",
        employer=sunshine.pk,
        specialties=["elderly_care", "minor_protection"],
    )
    return {"first": first, "second": second, "other": other, "contract": signed,
            "staff": staff, "worker": worker, "sunshine": sunshine}  # fmt: skip


def body(setting, **changes):
    return {
        "worker": setting["worker"].pk,
        "facility": setting["first"].pk,
        "role": "stationed",
        "contract": setting["contract"].pk,
        "started_on": "2024-03-01",
        **changes,
    }


def test_specialties_are_kept_in_the_plans_order_and_checked(world, setting):
    assert setting["worker"].specialties == ["minor_protection", "elderly_care"]
    response = api_for(world.county_officer).patch(
        f"/api/v1/social-workers/{setting['worker'].pk}/", {"specialties": ["astrology"]},
        format="json",
    )  # fmt: skip
    assert "specialties" in assert_error(response, 400, "invalid")["fields"]


def test_a_contractor_stations_its_worker_under_its_contract(world, setting):
    client = api_for(setting["staff"])
    created = client.post("/api/v1/assignments/", body(setting), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["facility_name"] == setting["first"].name
    # A second full-time post overlapping the first is refused and names it.
    second = client.post(
        "/api/v1/assignments/", body(setting, facility=setting["second"].pk), format="json"
    )
    message = assert_error(second, 400, "invalid")["fields"]["started_on"][0]
    assert setting["first"].name in message
    # Part-time at the second station is fine.
    part = client.post(
        "/api/v1/assignments/",
        body(setting, facility=setting["second"].pk, full_time=False, role="supervisor"),
        format="json",
    )
    assert part.status_code == 201
    # The county sees the worker through the assignment; the other county does not.
    listed = (
        api_for(world.county_officer)
        .get(f"/api/v1/assignments/?worker={setting['worker'].pk}&active_on=2024-06-01")
        .json()["results"]
    )
    assert len(listed) == 2
    assert api_for(world.other_county_officer).get("/api/v1/assignments/").json()["results"] == []


def test_impossible_assignments_are_refused_and_nothing_written(world, setting):
    client = api_for(world.county_officer)
    outside = client.post(
        "/api/v1/assignments/",
        body(setting, started_on="2023-06-01"),  # before the contract
        format="json",
    )
    assert "履行期" in assert_error(outside, 400, "invalid")["fields"]["contract"][0]
    elsewhere = client.post(
        "/api/v1/assignments/", body(setting, facility=setting["other"].pk), format="json"
    )
    assert "facility" in assert_error(elsewhere, 400, "invalid")["fields"]
    backwards = client.post(
        "/api/v1/assignments/", body(setting, ended_on="2024-01-01"), format="json"
    )
    assert "ended_on" in assert_error(backwards, 400, "invalid")["fields"]
    contractor = api_for(setting["staff"]).post(
        "/api/v1/assignments/", body(setting, contract=None), format="json"
    )
    assert "contract" in assert_error(contractor, 400, "invalid")["fields"]
    assert not Assignment.objects.exists()


def test_the_database_refuses_a_second_full_time_post(world, setting):
    assignment_create(
        actor=world.county_officer,
        worker=setting["worker"],
        facility=setting["first"].pk,
        role="stationed",
        contract=setting["contract"].pk,
        started_on=date(2024, 3, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            tenant_id=setting["worker"].tenant_id,
            worker=setting["worker"],
            facility=setting["second"],
            role="stationed",
            started_on=date(2024, 5, 1),
        )


def test_ending_an_assignment_and_outsiders(world, setting, outsiders):
    created = (
        api_for(world.county_officer)
        .post("/api/v1/assignments/", body(setting), format="json")
        .json()
    )
    url = f"/api/v1/assignments/{created['id']}/end/"
    refused = api_for(world.county_officer).post(url, {"on": "2024-01-01"}, format="json")
    assert "on" in assert_error(refused, 400, "invalid")["fields"]
    outsiders.assert_api_hidden(url, method="post", data={"on": "2024-06-30"})
    done = api_for(world.county_officer).post(url, {"on": "2024-06-30"}, format="json")
    assert done.json()["ended_on"] == "2024-06-30"


def test_the_workers_page_stations_a_worker(world, setting):
    client = world.client_for(world.county_officer)
    url = reverse("workforce:worker-assignments", args=[setting["worker"].pk])
    form = {
        "facility": setting["first"].pk,
        "role": "stationed",
        "contract": setting["contract"].pk,
        "started_on": "2023-01-01",
    }
    bad = client.post(url, form)
    assert bad.status_code == 400
    assert 'data-testid="assignment-error-contract"' in bad.content.decode()
    client.post(url, {**form, "started_on": "2024-03-01", "full_time": "on"})
    page = client.get(reverse("workforce:worker-detail", args=[setting["worker"].pk]))
    body_text = page.content.decode()
    assert body_text.count('data-testid="assignment-row"') == 1 and "养老服务" in body_text
    assert SocialWorker.objects.get().assignments.get().full_time


def test_a_new_employer_does_not_see_the_posts_under_the_old_ones_contracts(world, setting):
    assignment_create(
        actor=world.county_officer,
        worker=setting["worker"],
        facility=setting["first"].pk,
        role="stationed",
        contract=setting["contract"].pk,
        started_on=date(2024, 3, 1),
        ended_on=date(2024, 6, 30),
    )
    rival = organisation(world.county_officer, "柳州市星火社工服务中心", 77)
    api_for(world.county_officer).patch(
        f"/api/v1/social-workers/{setting['worker'].pk}/", {"employer": rival.pk}, format="json"
    )
    rival_staff = member("rival_staff", "4502", "contractor")
    organisation_member_set(membership=rival_staff, uscc=rival.uscc)
    client = api_for(rival_staff)
    assert client.get(f"/api/v1/social-workers/{setting['worker'].pk}/").status_code == 200
    assert client.get("/api/v1/assignments/").json()["results"] == []


def test_outsiders_cannot_station_a_worker_on_the_page(world, setting, outsiders):
    url = reverse("workforce:worker-assignments", args=[setting["worker"].pk])
    data = {
        "facility": setting["first"].pk,
        "role": "stationed",
        "contract": setting["contract"].pk,
        "started_on": "2024-03-01",
    }
    outsiders.assert_page_hidden(url, method="post", data=data)
    assert not Assignment.objects.exists()


def test_terminating_a_contract_ends_the_posts_held_under_it(world, setting):
    from procurement.services import contract_terminate

    worker = setting["worker"]
    signed = setting["contract"].pk
    post = assignment_create(actor=world.county_officer, worker=worker, role="stationed",
                             facility=setting["first"].pk, contract=signed,
                             started_on=date(2024, 3, 1))  # fmt: skip
    later = social_worker_create(actor=world.county_officer, name="覃明",
                                 id_number="450202199001010015",
                                 employer=setting["sunshine"].pk)  # fmt: skip
    planned = assignment_create(actor=world.county_officer, worker=later, role="head",
                                facility=setting["second"].pk, contract=signed,
                                started_on=date(2025, 9, 1))  # fmt: skip
    assert post.ended_on == date(2026, 12, 31)  # the contract's end
    contract_terminate(actor=world.county_officer, contract=setting["contract"],
                       on=date(2025, 6, 30), reason="承接机构申请提前终止。")  # fmt: skip
    post.refresh_from_db()
    assert post.ended_on == date(2025, 6, 30)
    assert not Assignment.objects.filter(pk=planned.pk).exists()
    event = post.events.order_by("pgh_id").last()
    assert event.pgh_context.metadata["action"] == "contract_terminate"
    assert event.ended_on == date(2025, 6, 30)
