"""Social workers: ID numbers checked (GB 11643), encrypted at rest, found by a keyed hash,
masked everywhere, revealed only by a logged action; scoped like every other record."""

import logging
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from procurement.services import organisation_member_set
from tests.factories import contract, member, organisation, station
from tests.helpers import api_for, assert_error, get
from workforce.id_numbers import id_number_mask, id_number_normalize
from workforce.models import IdNumberReveal, SocialWorker

pytestmark = pytest.mark.django_db

NUMBER = "45020219850303002X"
GOOD = {"name": "李敏", "id_number": "45020219850303002x", "phone": "138 0013 8000"}


@pytest.fixture
def setting(world):
    first = station(world.county_officer, "450202001", date(2020, 6, 1))
    sunshine = organisation(world.county_officer, "柳州市阳光社会工作服务中心", 18)
    rival = organisation(world.other_county_officer, "柳江区星火社工", 77)
    contract(world.county_officer, sunshine, [first], number="A")
    staff = member("sunshine_staff", "4502", "contractor")
    organisation_member_set(membership=staff, uscc=sunshine.uscc)
    return {"sunshine": sunshine, "rival": rival, "staff": staff}


class TestIdNumbers:
    def test_the_issues_examples(self):
        assert id_number_normalize(" 45020219850303002x ") == NUMBER
        assert id_number_normalize("371202198005120031")  # a region abolished in 2019
        for bad, words in (
            ("450202198503030021", "校验码"),
            ("450202850303002", "15 位"),
            ("45020219851303002X", "出生日期"),
            ("4502021985030300", "18 位"),
        ):
            with pytest.raises(Exception, match=words) as error:
                id_number_normalize(bad)
            assert bad not in str(error.value)  # never repeated in full

    def test_the_mask_keeps_region_and_last_four(self):
        assert id_number_mask(NUMBER) == "450202********002X"


class TestApi:
    def test_a_contractor_registers_its_worker_and_the_number_is_encrypted(self, world, setting):
        client = api_for(setting["staff"])
        response = client.post(
            "/api/v1/social-workers/", {**GOOD, "employer": setting["sunshine"].pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["id_number_masked"] == "450202********002X" and "id_number" not in body
        assert body["gender"] == "female" and body["birth_year"] == 1985
        assert NUMBER not in response.content.decode()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM workforce_socialworker")
            stored = cursor.fetchone()[0]
        assert stored != NUMBER and NUMBER not in stored  # Fernet ciphertext at rest
        assert SocialWorker.objects.get().id_number == NUMBER
        listed = client.get("/api/v1/social-workers/").json()["results"]
        assert listed[0]["phone"] == "138****8000"
        # The same number again, in any case: refused, masked in the message.
        again = client.post(
            "/api/v1/social-workers/",
            {**GOOD, "id_number": NUMBER.lower(), "employer": setting["sunshine"].pk},
            format="json",
        )
        message = assert_error(again, 400, "invalid")["fields"]["id_number"][0]
        assert "450202********002X" in message and NUMBER not in again.content.decode()

    def test_every_problem_at_once_and_nothing_written(self, world, setting, caplog):
        caplog.set_level(logging.DEBUG)
        bad = {
            "name": "",
            "id_number": "450202198503030021",
            "gender": "male",
            "birth_date": "1990-01-01",
            "phone": "abc",
            "employer": setting["rival"].pk,  # not the contractor's own organisation
        }
        response = api_for(setting["staff"]).post("/api/v1/social-workers/", bad, format="json")
        fields = assert_error(response, 400, "invalid")["fields"]
        assert {"name", "id_number", "phone", "employer"} <= set(fields)
        disagree = api_for(world.county_officer).post(
            "/api/v1/social-workers/",
            {**GOOD, "gender": "male", "birth_date": "1990-01-01"},
            format="json",
        )
        fields = assert_error(disagree, 400, "invalid")["fields"]
        assert "性别" in fields["gender"][0] and "出生日期" in fields["birth_date"][0]
        assert not SocialWorker.objects.exists()
        assert NUMBER not in caplog.text and "450202198503030021" not in caplog.text

    def test_reveal_is_for_the_city_admin_and_the_county_and_is_logged(self, world, setting):
        created = api_for(world.county_officer).post(
            "/api/v1/social-workers/", {**GOOD, "employer": setting["sunshine"].pk}, format="json"
        )
        url = f"/api/v1/social-workers/{created.json()['id']}/reveal-id/"
        assert api_for(world.county_officer).post(url).json() == {"id_number": NUMBER}
        assert api_for(world.city_admin).post(url).status_code == 200
        assert api_for(world.city_viewer).post(url).status_code == 403
        assert api_for(setting["staff"]).post(url).status_code == 403
        log = list(IdNumberReveal.objects.order_by("pk").values_list("user__username", "channel"))
        assert log == [("lz_chengzhong", "api"), ("lz_admin", "api")]

    def test_scope(self, world, setting, outsiders):
        created = (
            api_for(world.county_officer)
            .post(
                "/api/v1/social-workers/",
                {**GOOD, "employer": setting["sunshine"].pk},
                format="json",
            )
            .json()
        )
        url = f"/api/v1/social-workers/{created['id']}/"
        outsiders.assert_api_hidden(url)
        outsiders.assert_api_hidden(url + "reveal-id/", method="post")
        # The contractor of the employer sees it; the rival organisation's contractor does not.
        assert api_for(setting["staff"]).get(url).status_code == 200
        rival_staff = member("rival_staff", "4502", "contractor")
        organisation_member_set(membership=rival_staff, uscc=setting["rival"].uscc)
        assert api_for(rival_staff).get(url).status_code == 404
        assert api_for(rival_staff).get("/api/v1/social-workers/").json()["results"] == []


class TestPages:
    def test_register_list_masked_reveal_logged(self, world, setting):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("workforce:worker-create"),
            {**GOOD, "employer": setting["sunshine"].pk, "status": "active"},
        )
        worker = SocialWorker.objects.get()
        assert response["Location"] == reverse("workforce:worker-detail", args=[worker.pk])
        listed = get(client, reverse("workforce:worker-list")).content.decode()
        assert "450202********002X" in listed and NUMBER not in listed and "138****8000" in listed
        detail = get(client, reverse("workforce:worker-detail", args=[worker.pk])).content.decode()
        assert 'data-testid="reveal-id"' in detail and NUMBER not in detail
        assert "登记了该社工" in detail
        revealed = client.post(reverse("workforce:worker-reveal-id", args=[worker.pk]))
        assert NUMBER in revealed.content.decode() and revealed["Cache-Control"] == "no-store"
        assert IdNumberReveal.objects.get().user == world.county_officer.user
        edit = get(client, reverse("workforce:worker-edit", args=[worker.pk])).content.decode()
        assert NUMBER not in edit and "450202********002X" in edit

    def test_a_mistaken_save_never_echoes_the_number(self, world, setting):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("workforce:worker-create"),
            {**GOOD, "phone": "abc", "status": "active"},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert 'data-testid="error-phone"' in body and NUMBER not in body
        assert "45020219850303002x" not in body

    def test_outsiders_see_no_worker_page(self, world, setting, outsiders):
        client = world.client_for(world.county_officer)
        client.post(reverse("workforce:worker-create"), {**GOOD, "status": "active"})
        worker = SocialWorker.objects.get()
        for url in (
            reverse("workforce:worker-detail", args=[worker.pk]),
            reverse("workforce:worker-edit", args=[worker.pk]),
        ):
            outsiders.assert_page_hidden(url)
        outsiders.assert_page_hidden(
            reverse("workforce:worker-reveal-id", args=[worker.pk]), method="post"
        )
        assert not IdNumberReveal.objects.exists()


class TestNoWayAroundTheMask:
    def test_the_birth_date_never_completes_the_masked_number(self, world, setting):
        client = api_for(world.county_officer)
        created = client.post(
            "/api/v1/social-workers/", {**GOOD, "employer": setting["sunshine"].pk}, format="json"
        )
        body = created.json()
        assert "birth_date" not in body and body["birth_year"] == 1985
        assert "19850303" not in created.content.decode()
        worker = SocialWorker.objects.get()
        page = world.client_for(world.county_officer).get(
            reverse("workforce:worker-detail", args=[worker.pk])
        )
        assert "1985-03-03" not in page.content.decode()
        edit = world.client_for(world.county_officer).get(
            reverse("workforce:worker-edit", args=[worker.pk])
        )
        assert "1985-03-03" not in edit.content.decode()
        events = SocialWorker.pgh_event_model.objects.values()
        assert all("birth_date" not in event for event in events)

    def test_a_changed_birth_date_must_agree_with_the_stored_number(self, world, setting):
        client = api_for(world.county_officer)
        created = client.post("/api/v1/social-workers/", GOOD, format="json").json()
        response = client.patch(
            f"/api/v1/social-workers/{created['id']}/", {"birth_date": "1990-01-01"}, format="json"
        )
        assert "birth_date" in assert_error(response, 400, "invalid")["fields"]

    def test_unicode_digits_are_a_clear_error_not_a_500(self, world, setting):
        response = api_for(world.county_officer).post(
            "/api/v1/social-workers/", {**GOOD, "id_number": "45020219850303002²"}, format="json"
        )
        assert "id_number" in assert_error(response, 400, "invalid")["fields"]
        odd = api_for(world.county_officer).post(
            "/api/v1/social-workers/", {**GOOD, "id_number": "４５０２０２１９８５０３０３００２X"},
            format="json",
        )  # fmt: skip
        assert odd.status_code in (201, 400)

    def test_a_county_officer_reveals_only_its_countys_workers(self, world, setting):
        # Registered by the city, employed by an organisation with a contract in 城中区:
        # the county officer sees the worker but may not reveal the number.
        created = (
            api_for(world.city_admin)
            .post(
                "/api/v1/social-workers/",
                {**GOOD, "employer": setting["sunshine"].pk},
                format="json",
            )
            .json()
        )
        url = f"/api/v1/social-workers/{created['id']}/reveal-id/"
        assert api_for(world.county_officer).get(url[: -len("reveal-id/")]).status_code == 200
        assert api_for(world.county_officer).post(url).status_code == 403
        revealed = api_for(world.city_admin).post(url)
        assert revealed.status_code == 200 and revealed["Cache-Control"] == "no-store"


def test_record_ids_are_parsed_without_failing():
    from stations.validation import record_id

    assert record_id("42") == 42 and record_id(7) == 7
    for odd in ("²", "1e30", "9" * 30, None, "", "-1", True, " 4 2 "):
        assert record_id(odd) is None, odd
