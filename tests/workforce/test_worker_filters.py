"""The worker list's filters (county, station, level, specialty, credential status) on the
page, the API and the export agree with the credential rules computed in Python."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.helpers import api_for
from tests.workforce.test_summary import city  # noqa: F401 - fixture
from workforce.credentials import level_on, status_on
from workforce.models import LEVEL_RANK, SocialWorker
from workforce.selectors import _last_due_expiry, with_credential_state

pytestmark = pytest.mark.django_db


def expected_states():
    today = timezone.localdate()
    states = {}
    for worker in SocialWorker.objects.prefetch_related("credentials__registrations"):
        credentials = [c for c in worker.credentials.all() if c.passed_on <= today]
        level = level_on(credentials, today)
        held = sorted(credentials, key=lambda credential: LEVEL_RANK[credential.level])
        state = status_on(list(held[-1].registrations.all()), today) if held else None
        states[worker.name] = (level, state)
    return states


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def test_levels_and_credential_statuses_agree_with_the_rules(world, city):  # noqa: F811
    expected = expected_states()
    annotated = {
        worker.name: (worker.top_level, worker.credential_state)
        for worker in with_credential_state(SocialWorker.objects.all(), timezone.localdate())
    }
    assert annotated == expected
    api = api_for(world.county_officer)
    for level in ("assistant", "social_worker", "senior"):
        wanted = {name for name, (top, _state) in expected.items() if top == level}
        assert names(api.get("/api/v1/social-workers/", {"level": level})) == wanted, level
    for state in ("valid", "due", "expired", "unregistered"):
        wanted = {name for name, (_top, got) in expected.items() if got == state}
        found = names(api.get("/api/v1/social-workers/", {"credential_status": state}))
        assert found == wanted, state


def test_the_due_window_ends_where_re_registration_opens():
    from datetime import date, timedelta

    from workforce.credentials import window_opens

    for day in (date(2026, 11, 30), date(2024, 2, 29), date(2025, 5, 31), date(2025, 12, 31)):
        last = _last_due_expiry(day)
        assert window_opens(last) <= day < window_opens(last + timedelta(days=1)), day


def test_county_station_and_specialty(world, city):  # noqa: F811
    api = api_for(world.county_officer)
    assert names(api.get("/api/v1/social-workers/", {"specialty": "elderly_care"})) == {"甲", "乙"}
    assert names(api.get("/api/v1/social-workers/", {"county": "450202"})) == {"甲", "乙", "丙"}
    city_admin = api_for(world.city_admin)
    assert names(city_admin.get("/api/v1/social-workers/", {"county": "450206"})) == set()
    first = city["first"].pk
    stationed = {
        worker.name
        for worker in SocialWorker.objects.filter(assignments__facility_id=first)
        .filter(assignments__started_on__lte=timezone.localdate())
        .exclude(assignments__ended_on__lt=timezone.localdate())
    }
    assert names(api.get("/api/v1/social-workers/", {"station": first})) == stationed
    bad = api.get("/api/v1/social-workers/", {"level": "doctor"})
    assert bad.status_code == 400 and "level" in bad.json()["error"]["fields"]


def test_the_page_shows_and_filters_and_the_export_follows(world, city):  # noqa: F811
    client = world.client_for(world.county_officer)
    page = client.get(reverse("workforce:worker-list"), {"specialty": "elderly_care"})
    text = page.content.decode()
    assert "甲" in text and "乙" in text and ">丙<" not in text
    assert 'data-testid="worker-level">助理社会工作师<' in text  # 甲: registered
    assert 'data-testid="worker-credential-status">未登记<' in text  # 乙's 社会工作师
    exported = client.get(reverse("workforce:worker-export"), {"specialty": "elderly_care"})
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows[1:]) == ["乙", "甲"]


def test_filters_read_only_the_posts_the_user_may_see(world):
    from datetime import date

    from tests.factories import contract, organisation, station
    from workforce.assignments import assignment_create
    from workforce.services import social_worker_create

    liujiang = station(world.other_county_officer, "450206100", date(2021, 3, 1))
    runner = organisation(world.county_officer, "柳州市城中区阳光社会工作服务中心", 18)
    signed = contract(world.other_county_officer, runner, [liujiang], number="LJ")
    worker = social_worker_create(actor=world.county_officer, name="韦丽",
                                  id_number="45020219850303002X", employer=runner.pk)  # fmt: skip
    assignment_create(actor=world.other_county_officer, worker=worker, role="stationed",
                      facility=liujiang.pk, contract=signed.pk,
                      started_on=date(2024, 3, 1))  # fmt: skip
    chengzhong = api_for(world.county_officer)
    assert names(chengzhong.get("/api/v1/social-workers/")) == {"韦丽"}  # its own registration
    # Where the worker is posted in 柳江区 is 柳江区's: not learnt through the filters.
    assert names(chengzhong.get("/api/v1/social-workers/", {"county": "450206"})) == set()
    assert names(chengzhong.get("/api/v1/social-workers/", {"station": liujiang.pk})) == set()
    liujiang_officer = api_for(world.other_county_officer)
    assert names(liujiang_officer.get("/api/v1/social-workers/", {"county": "450206"})) == {"韦丽"}
    admin = world.client_for(world.city_admin)
    page = admin.get(reverse("workforce:worker-list"), {"station": liujiang.pk}).content.decode()
    assert "韦丽" in page
