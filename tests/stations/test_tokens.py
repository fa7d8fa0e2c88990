"""API tokens: hashed at rest, expiring, revoked by logout and by a password change."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def token_for(membership) -> tuple[APIClient, dict]:
    client = APIClient()
    body = client.post(
        "/api/v1/auth/token/",
        {"username": membership.user.username, "password": PASSWORD},
        format="json",
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return client, body


def test_a_token_is_stored_only_as_a_hash_and_expires_in_thirty_days(world):
    client, body = token_for(world.county_officer)
    stored = AuthToken.objects.get(user=world.county_officer.user)
    assert body["token"] not in (stored.digest, stored.token_key) and len(body["token"]) == 64
    expiry = timezone.now() + timedelta(days=30)
    assert abs((stored.expiry - expiry).total_seconds()) < 60
    assert body["expiry"].startswith(stored.expiry.astimezone().date().isoformat()[:4])
    assert client.get("/api/v1/me/").status_code == 200
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_logout_revokes_the_token_and_only_that_one(world):
    first, _body = token_for(world.county_officer)
    second, _other = token_for(world.county_officer)
    assert first.post("/api/v1/auth/logout/").status_code == 204
    assert first.get("/api/v1/me/").status_code == 401
    assert second.get("/api/v1/me/").status_code == 200
    assert second.post("/api/v1/auth/logoutall/").status_code == 204
    assert second.get("/api/v1/me/").status_code == 401


def test_a_password_change_revokes_every_token(world):
    client, _body = token_for(world.county_officer)
    user = world.county_officer.user
    user.last_name = "王"
    user.save()  # another change keeps the tokens
    assert client.get("/api/v1/me/").status_code == 200
    user.set_password("Another-Secret-2026")
    user.save()
    assert client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_password_page_revokes_the_tokens_too(world):
    from django.test import Client

    client, _body = token_for(world.county_officer)
    browser = Client()
    assert browser.login(username=world.county_officer.user.username, password=PASSWORD)
    response = browser.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Secret-2026",
            "new_password2": "Another-Secret-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me/").status_code == 401


def test_owners_list_and_revoke_their_own_tokens_only(world):
    client, _body = token_for(world.county_officer)
    token_for(world.county_officer)
    other, _other_body = token_for(world.city_admin)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2 and sum(item["current"] for item in listed) == 1
    assert all(set(item) == {"token_key", "created", "expiry", "current"} for item in listed)
    others_key = AuthToken.objects.get(user=world.city_admin.user).token_key
    assert client.delete(f"/api/v1/auth/tokens/{others_key}/").status_code == 404
    assert other.get("/api/v1/me/").status_code == 200
    mine = next(item["token_key"] for item in listed if not item["current"])
    assert client.delete(f"/api/v1/auth/tokens/{mine}/").status_code == 204
    assert len(client.get("/api/v1/auth/tokens/").json()) == 1
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401
