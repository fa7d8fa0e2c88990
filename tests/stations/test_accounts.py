"""Accounts: password rules, temporary passwords changed at first sign-in, unlocking."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from stations.models import PasswordChangeRequired
from stations.passwords import character_kinds, temporary_password

pytestmark = pytest.mark.django_db


class TestPasswordRules:
    @pytest.mark.parametrize(
        "password", ["Shegong-2026", "liuzhou#2026", "LIUZHOU2026x", "Zhan-Dian!"]
    )
    def test_three_kinds_and_eight_characters_pass(self, password):
        validate_password(password, user=get_user_model()(username="lz_city"))

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab1-", "至少"),  # too short
            ("liuzhou2026", "至少 3 种"),  # lower and digits only
            ("Lz-city-admin9", "不能包含用户名"),
        ],
    )
    def test_others_are_refused_in_chinese(self, password, message):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user=get_user_model()(username="city-admin"))
        assert any(message in text for text in refused.value.messages)

    def test_temporary_passwords_meet_the_rules_and_differ(self):
        passwords = {temporary_password() for _ in range(20)}
        assert len(passwords) == 20 and all(character_kinds(p) == 4 for p in passwords)

    def test_the_password_page_applies_the_rules(self, world):
        client = world.client_for(world.county_officer)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": "test-password-123",
                "new_password1": "abcdefgh",
                "new_password2": "abcdefgh",
            },
        )
        assert "至少 3 种" in response.content.decode()


class TestTemporaryPasswords:
    def add(self, *args) -> str:
        out = io.StringIO()
        call_command("add_member", *args, stdout=out)
        return out.getvalue()

    def test_a_new_member_gets_a_temporary_password_to_change_first(self, world):
        printed = self.add("lz_new", "--tenant", "4502", "--role", "city_viewer")
        temporary = printed.strip().rsplit("：", 1)[-1]
        assert "临时密码" in printed and character_kinds(temporary) == 4
        user = get_user_model().objects.get(username="lz_new")
        assert user.check_password(temporary) and PasswordChangeRequired.objects.filter(user=user)
        assert temporary not in user.password  # only its hash is kept

        # The API refuses a token until the password is the user's own.
        token = APIClient().post(
            "/api/v1/auth/token/", {"username": "lz_new", "password": temporary}, format="json"
        )
        assert token.status_code == 403
        assert token.json()["error"]["code"] == "password_change_required"

        client = Client()
        signed_in = client.post(
            reverse("login"), {"username": "lz_new", "password": temporary}, follow=True
        )
        assert signed_in.redirect_chain[-1][0] == reverse("password_change")
        assert "临时密码" in signed_in.content.decode()
        assert client.get(reverse("reports:home"))["Location"] == reverse("password_change")
        assert client.get("/api/v1/me/").status_code == 403
        client.post(
            reverse("password_change"),
            {
                "old_password": temporary,
                "new_password1": "Liuzhou-2027",
                "new_password2": "Liuzhou-2027",
            },
        )
        assert not PasswordChangeRequired.objects.exists()
        assert client.get(reverse("reports:home")).status_code == 200

    def test_an_explicit_password_is_the_operators_choice_and_must_meet_the_rules(self, world):
        printed = self.add(
            "lz_robot", "--tenant", "4502", "--role", "city_viewer", "--password", "Robot-2026x"
        )
        assert "临时密码" not in printed and not PasswordChangeRequired.objects.exists()
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="至少 3 种"):
            self.add(
                "lz_weak", "--tenant", "4502", "--role", "city_viewer", "--password", "weakweak"
            )
        assert not get_user_model().objects.filter(username="lz_weak").exists()


class TestUnlocking:
    @pytest.fixture(autouse=True)
    def lockout_on(self, settings):
        settings.AXES_ENABLED = True

    def lock(self, username: str) -> None:
        for _attempt in range(5):
            Client().post("/accounts/login/", {"username": username, "password": "wrong"})

    def test_the_city_admin_sees_and_unlocks_the_tenants_users_only(self, world):
        self.lock(world.county_officer.user.username)
        self.lock(world.other_tenant_admin.user.username)
        admin = Client()
        admin.force_login(world.city_admin.user)
        page = admin.get(reverse("stations:locked-accounts")).content.decode()
        assert "lz_chengzhong" in page and "gl_admin" not in page
        # Another tenant's user is not the city's to unlock.
        url = reverse("stations:locked-accounts")
        assert admin.post(url, {"username": "gl_admin"}).status_code == 404
        response = admin.post(url, {"username": "lz_chengzhong"}, follow=True)
        assert "已解锁：lz_chengzhong" in response.content.decode()
        ok = Client().post(
            "/accounts/login/", {"username": "lz_chengzhong", "password": "test-password-123"}
        )
        assert ok.status_code == 302

    def test_only_city_admins_reach_the_page(self, world, outsiders):
        url = reverse("stations:locked-accounts")
        for membership in (world.county_officer, world.city_viewer, world.contractor):
            client = Client()
            client.force_login(membership.user)
            assert client.get(url).status_code in (403, 404)
        assert Client().get(url).status_code == 302
