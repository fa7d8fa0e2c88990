"""Credentials and registrations under the national rules: status on any day, a worker's
level, refusals that name the rule; API and the worker's page."""

from datetime import date

import pytest
from django.urls import reverse

from tests.helpers import api_for, assert_error
from workforce.credentials import credential_create, level_on, registration_create, status_on
from workforce.models import Credential, Registration
from workforce.services import social_worker_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(world):
    return social_worker_create(
        actor=world.county_officer, name="李敏", id_number="45020219850303002X"
    )


def assistant(world, worker, passed_on=date(2020, 7, 1)):
    return credential_create(
        actor=world.county_officer,
        worker=worker,
        level="assistant",
        certificate_number="ZS2020-0001",
        exam_year=passed_on.year,
        passed_on=passed_on,
    )


def test_status_runs_from_unregistered_to_valid_due_and_expired(world, worker):
    credential = assistant(world, worker)
    registration = registration_create(
        actor=world.county_officer, credential=credential, registered_on=date(2020, 9, 1)
    )
    assert registration.valid_until == date(2023, 8, 31)
    rows = list(credential.registrations.all())
    assert status_on(rows, date(2020, 8, 1)) == "unregistered"
    assert status_on(rows, date(2021, 1, 1)) == "valid"
    assert status_on(rows, date(2023, 6, 1)) == "due"  # the three months before expiry
    assert status_on(rows, date(2023, 9, 1)) == "expired"
    # Re-registered in the window: three more years from the old expiry.
    again = registration_create(
        actor=world.county_officer,
        credential=credential,
        registered_on=date(2023, 7, 15),
        continuing_education_hours="75",
    )
    assert again.valid_until == date(2026, 8, 31)
    rows = list(credential.registrations.all())
    assert status_on(rows, date(2023, 9, 1)) == "valid"


def test_the_level_is_the_highest_valid_credential(world, worker):
    low = assistant(world, worker)
    registration_create(actor=world.county_officer, credential=low, registered_on=date(2020, 9, 1))
    high = credential_create(
        actor=world.county_officer,
        worker=worker,
        level="social_worker",
        certificate_number="ZS2022-0002",
        exam_year=2022,
        passed_on=date(2022, 7, 1),
    )
    credentials = list(Credential.objects.prefetch_related("registrations"))
    assert level_on(credentials, date(2022, 8, 1)) == "assistant"  # not yet registered
    registration_create(actor=world.county_officer, credential=high, registered_on=date(2022, 8, 2))
    credentials = list(Credential.objects.prefetch_related("registrations"))
    assert level_on(credentials, date(2022, 9, 1)) == "social_worker"
    assert level_on(credentials, date(2019, 1, 1)) is None


def test_impossible_registrations_are_refused_with_the_rule(world, worker):
    credential = assistant(world, worker)
    client = api_for(world.county_officer)
    url = f"/api/v1/credentials/{credential.pk}/registrations/"
    before = client.post(url, {"registered_on": "2020-06-01"}, format="json")
    assert "早于取得证书日期 2020-07-01" in assert_error(before, 400, "invalid")["fields"][
        "registered_on"][0]  # fmt: skip
    assert client.post(url, {"registered_on": "2020-09-01"}, format="json").status_code == 201
    early = client.post(url, {"registered_on": "2022-01-01"}, format="json")
    message = assert_error(early, 400, "invalid")["fields"]["registered_on"][0]
    assert "2023-08-31" in message and "2023-06-01" in message
    hours = client.post(url, {"registered_on": "2023-07-01", "continuing_education_hours": "-1"},
                        format="json")  # fmt: skip
    assert "continuing_education_hours" in assert_error(hours, 400, "invalid")["fields"]
    assert Registration.objects.count() == 1


def test_the_api_records_a_credential_and_refuses_duplicates(world, worker, outsiders):
    client = api_for(world.county_officer)
    body = {
        "worker": worker.pk,
        "level": "assistant",
        "certificate_number": "ZS2020-0001",
        "exam_year": 2020,
        "passed_on": "2020-07-01",
    }
    created = client.post("/api/v1/credentials/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "unregistered"
    again = client.post("/api/v1/credentials/", body, format="json")
    fields = assert_error(again, 400, "invalid")["fields"]
    assert "已登记" in fields["level"][0] and "已登记" in fields["certificate_number"][0]
    late = client.post(
        "/api/v1/credentials/", {**body, "level": "senior", "certificate_number": "X",
                                 "exam_year": 2021, "passed_on": "2020-07-01"}, format="json"
    )  # fmt: skip
    assert "exam_year" in assert_error(late, 400, "invalid")["fields"]
    listed = client.get(f"/api/v1/credentials/?worker={worker.pk}").json()["results"]
    assert [row["certificate_number"] for row in listed] == ["ZS2020-0001"]
    for outsider in outsiders.members:
        rows = api_for(outsider).get("/api/v1/credentials/")
        assert rows.status_code == 404 or rows.json()["results"] == []
    outsiders.assert_api_hidden(
        f"/api/v1/credentials/{created.json()['id']}/registrations/",
        method="post",
        data={"registered_on": "2020-09-01"},
    )


def test_the_workers_page_records_and_shows_credentials(world, worker):
    client = world.client_for(world.county_officer)
    url = reverse("workforce:worker-credentials", args=[worker.pk])
    bad = client.post(url, {"action": "credential", "level": "assistant", "exam_year": "1999"})
    assert (
        bad.status_code == 400
        and 'data-testid="credential-error-exam_year"' in bad.content.decode()
    )
    client.post(
        url,
        {
            "action": "credential",
            "level": "assistant",
            "certificate_number": "ZS2020-0001",
            "exam_year": "2020",
            "passed_on": "2020-07-01",
        },
    )
    credential = Credential.objects.get()
    client.post(
        url,
        {"action": "registration", "credential": credential.pk, "registered_on": "2024-09-01"},
    )
    page = client.get(reverse("workforce:worker-detail", args=[worker.pk])).content.decode()
    assert "2024-09-01 – 2027-08-31" in page and "助理社会工作师" in page
    assert 'data-testid="worker-level">助理社会工作师' in page.replace("\n", "")


def test_outsiders_cannot_record_a_credential_on_the_page(world, worker, outsiders):
    url = reverse("workforce:worker-credentials", args=[worker.pk])
    data = {
        "action": "credential",
        "level": "assistant",
        "certificate_number": "ZS2020-0009",
        "exam_year": "2020",
        "passed_on": "2020-07-01",
    }
    outsiders.assert_page_hidden(url, method="post", data=data)
    assert not Credential.objects.exists()
