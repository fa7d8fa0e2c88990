"""Error pages and the server `make run` starts: friendly, Chinese, and never a debug page."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client, RequestFactory

from config import api
from tests.worker import ROOT
from tests.worker import test_database_url as worker_database_url

sys.path.insert(0, str(ROOT / "scripts"))
import run as run_script  # noqa: E402


@pytest.mark.django_db
class TestPages:
    def test_an_unknown_page_is_the_friendly_404_in_the_layout(self):
        response = Client().get("/no-such-page/")
        page = response.content.decode()
        assert response.status_code == 404
        assert "页面不存在" in page and "返回首页" in page and "navbar" in page
        assert "URLconf" not in page and "Traceback" not in page

    def test_an_unknown_host_is_a_friendly_400_with_no_traceback(self):
        response = Client().get("/", HTTP_HOST="evil.example")
        page = response.content.decode()
        assert response.status_code == 400 and "请求有误" in page and "DJANGO_ALLOWED_HOSTS" in page
        assert "DisallowedHost" not in page and "Traceback" not in page

    def test_api_errors_keep_their_body(self):
        response = Client().get("/api/v1/me/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "bad_request"
        assert Client().get("/api/v1/no-such/").json()["error"]["code"] == "not_found"

    def test_403_and_500_pages_render_without_failing(self):
        request = RequestFactory().get("/facilities/1/")
        denied = api.permission_denied(request, PermissionError("您的角色不能修改该站点。"))
        assert denied.status_code == 403 and "您的角色不能修改该站点" in denied.content.decode()
        api_denied = api.permission_denied(RequestFactory().get("/api/v1/facilities/"))
        assert api_denied.status_code == 403
        error = api.server_error(request)
        assert error.status_code == 500 and "服务器错误" in error.content.decode()


def test_make_run_allows_localhost_and_the_bound_address_only():
    assert run_script.allowed_hosts("127.0.0.1") == "localhost,127.0.0.1,[::1]"
    assert run_script.allowed_hosts("0.0.0.0") == "localhost,127.0.0.1,[::1]"
    assert run_script.allowed_hosts("192.168.1.20").endswith(",192.168.1.20")
    assert run_script.web_command("127.0.0.1", "8000", dev=False)[0].endswith("gunicorn")
    assert "runserver" in run_script.web_command("127.0.0.1", "8000", dev=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_the_server_make_run_starts_has_debug_off_and_a_secret_of_its_own(tmp_path):
    """gunicorn with the settings `make run` uses, DJANGO_DEBUG unset: the friendly 404,
    a 400 without traceback for a malformed request, and a generated secret key."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=worker_database_url(),
        DATA_DIR=str(tmp_path),
        DJANGO_ALLOWED_HOSTS=run_script.allowed_hosts("127.0.0.1"),
    )
    server = subprocess.Popen(
        run_script.web_command("127.0.0.1", str(port), dev=False),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=2)  # noqa: S310
                break
            except (OSError, urllib.error.URLError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)  # noqa: S310
        page = missing.value.read().decode()
        assert missing.value.code == 404 and "页面不存在" in page and "URLconf" not in page
        bad = urllib.request.Request(base + "/", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=5)  # noqa: S310
        page = refused.value.read().decode()
        assert refused.value.code == 400 and "请求有误" in page and "Traceback" not in page
        key = (tmp_path / "secret-key").read_text()
        assert len(key) > 40 and "insecure" not in key
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.mark.django_db
class TestSignIn:
    """Five wrong passwords for one username from one address lock that pair (MLPS 3)."""

    @pytest.fixture(autouse=True)
    def lockout_on(self, settings):
        settings.AXES_ENABLED = True

    def test_the_login_page_locks_after_five_failures_and_says_so_in_chinese(self, world):
        client = Client()
        username = world.county_officer.user.username
        for _attempt in range(4):
            response = client.post("/accounts/login/", {"username": username, "password": "x"})
            assert response.status_code == 200  # the form again, with its error
        # The fifth failure locks.
        response = client.post("/accounts/login/", {"username": username, "password": "x"})
        page = response.content.decode()
        assert response.status_code == 429 and "连续 5 次登录失败" in page and "30 分钟" in page
        # Even the right password is refused now, for this username from this address.
        from tests.factories import PASSWORD

        right = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert right.status_code == 429
        # Another user from the same address is not affected.
        other = world.city_admin.user.username
        ok = Client().post("/accounts/login/", {"username": other, "password": PASSWORD})
        assert ok.status_code == 302

    def test_the_token_endpoint_shares_the_lockout_and_the_operator_unlocks(self, world):
        from django.core.management import call_command
        from rest_framework.test import APIClient

        from tests.factories import PASSWORD

        username = world.county_officer.user.username
        api = APIClient()
        answers = [
            api.post("/api/v1/auth/token/", {"username": username, "password": "x"}, format="json")
            for _attempt in range(5)
        ]
        assert [answer.status_code for answer in answers] == [401, 401, 401, 401, 429]
        locked = api.post(
            "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
        )
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "locked_out"
        assert "暂时锁定" in locked.json()["error"]["message"]
        call_command("axes_reset_username", username)
        unlocked = api.post(
            "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
        )
        assert unlocked.status_code == 200 and unlocked.json()["token"]


@pytest.mark.django_db
def test_the_token_endpoint_is_throttled_per_address(world, monkeypatch):
    from django.core.cache import cache
    from rest_framework.test import APIClient
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    api = APIClient()
    answers = [
        api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
        for _attempt in range(4)
    ]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert answers[-1].json()["error"]["code"] == "throttled"
    cache.clear()


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script_and_sessions_end_when_idle(world, settings):
    client = world.client_for(world.county_officer)
    response = client.get("/facilities/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page = response.content.decode()
    assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page
    assert settings.SESSION_COOKIE_AGE == 30 * 60


@pytest.mark.django_db
def test_a_session_is_renewed_by_use_at_most_once_a_minute(world, monkeypatch):
    from stations import middleware

    client = world.client_for(world.county_officer)
    assert "sessionid" not in client.get("/facilities/").cookies  # just signed in: fresh
    clock = [time.time() + 61]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    renewed = client.get("/facilities/").cookies["sessionid"]
    assert renewed["max-age"] == 30 * 60
    assert "sessionid" not in client.get("/facilities/").cookies  # within the minute
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs and "script=" in docs
