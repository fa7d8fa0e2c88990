"""Training records: at most 24 hours a day in all, counted for the year; API and page."""

from datetime import date

import pytest
from django.urls import reverse

from tests.helpers import api_for, assert_error
from workforce.models import Training
from workforce.services import social_worker_create
from workforce.trainings import training_create, training_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(world):
    return social_worker_create(
        actor=world.county_officer, name="李敏", id_number="45020219850303002X"
    )


def body(worker, **changes):
    return {"worker": worker.pk, "course": "儿童保护个案实务", "provider": "柳州市社工协会",
            "held_on": "2024-05-10", "hours": "8", "form": "offline", **changes}  # fmt: skip


def test_a_day_holds_24_hours_in_all(world, worker):
    client = api_for(world.county_officer)
    assert client.post("/api/v1/trainings/", body(worker), format="json").status_code == 201
    too_long = client.post("/api/v1/trainings/", body(worker, hours="25"), format="json")
    assert "hours" in assert_error(too_long, 400, "invalid")["fields"]
    over = client.post("/api/v1/trainings/", body(worker, hours="17"), format="json")
    message = assert_error(over, 400, "invalid")["fields"]["hours"][0]
    assert "已记录 8.0 学时" in message and "24" in message
    bad = client.post(
        "/api/v1/trainings/", body(worker, course="", held_on="2099-01-01", form="tv"),
        format="json",
    )  # fmt: skip
    assert {"course", "held_on", "form"} <= set(assert_error(bad, 400, "invalid")["fields"])
    assert Training.objects.count() == 1


def test_hours_count_for_the_year(world, worker):
    days = ((date(2024, 1, 5), "16"), (date(2024, 11, 2), "20"), (date(2025, 1, 2), "8"))
    for day, hours in days:
        training_create(
            actor=world.county_officer,
            worker=worker,
            course="继续教育",
            held_on=day,
            hours=hours,
            form="online",
        )
    assert training_hours(worker, date(2024, 1, 1), date(2024, 12, 31)) == 36
    listed = api_for(world.county_officer).get(f"/api/v1/trainings/?worker={worker.pk}&year=2024")
    assert len(listed.json()["results"]) == 2


def test_the_page_records_training_and_outsiders_see_none(world, worker, outsiders):
    client = world.client_for(world.county_officer)
    url = reverse("workforce:worker-trainings", args=[worker.pk])
    bad = client.post(
        url, {"course": "x", "held_on": "2024-05-10", "hours": "30", "form": "offline"}
    )
    assert bad.status_code == 400 and 'data-testid="training-error-hours"' in bad.content.decode()
    client.post(
        url, {"course": "督导技巧", "held_on": "2024-05-10", "hours": "6", "form": "online"}
    )
    assert Training.objects.get().hours == 6
    outsiders.assert_page_hidden(
        url,
        method="post",
        data={"course": "x", "held_on": "2024-05-10", "hours": "1", "form": "online"},
    )
    for outsider in outsiders.members:
        rows = api_for(outsider).get("/api/v1/trainings/")
        assert rows.status_code == 404 or rows.json()["results"] == []
