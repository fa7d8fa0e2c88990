"""Fixtures shared by the whole suite.

The world most tests need: official divisions of 柳州市 (4502) and 桂林市
(4503), a tenant for each, and members of every role, including two county
officers of different counties and an admin of the other tenant.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from stations.models import Membership, Role
from tests.factories import PASSWORD, load_divisions, member

# Playwright's sync API runs an event loop in the test thread; Django refuses
# database calls from a thread with a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


ROOT = Path(__file__).resolve().parents[1]
LAST_RUN = ROOT / "artifacts" / "last-test-run.json"


def pytest_sessionstart(session):
    session.config._started_at = time.monotonic()
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        pytest.exit(f"REQUIRE_SERVICES=1 but {', '.join(missing)} unset", returncode=3)
    import redis

    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.exit(f"REQUIRE_SERVICES=1 but Redis does not answer: {error}", returncode=3)


def pytest_sessionfinish(session, exitstatus):
    """Record the outcome in artifacts/last-test-run.json, so the stop check can read it.

    Only a run of the whole suite is recorded, and only by the controlling process
    (under xdist the workers report to it):
    ``{"head": commit, "passed", "failed", "errors", "seconds", "exit_status"}``.
    """
    if hasattr(session.config, "workerinput"):
        return
    config = session.config
    whole_suite = (
        list(config.args) == list(config.getini("testpaths"))
        and not config.option.keyword
        and not config.option.markexpr
        and not getattr(config.option, "lf", False)
    )
    if not whole_suite:  # a partial run says nothing about this commit's suite
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter is not None else {}

    def count(key: str) -> int:
        return len(stats.get(key, []))

    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = ""
    started = getattr(session.config, "_started_at", time.monotonic())
    LAST_RUN.parent.mkdir(parents=True, exist_ok=True)
    LAST_RUN.write_text(
        json.dumps(
            {
                "head": head,
                "passed": count("passed"),
                "failed": count("failed"),
                "errors": count("error"),
                "seconds": round(time.monotonic() - started, 1),
                "exit_status": int(exitstatus),
            },
            indent=2,
        )
    )


@pytest.fixture(autouse=True)
def chinese_first():
    """Every test starts in the platform's language (zh-hans).

    A request in English activates English for the thread (LocaleMiddleware does
    not switch back), which would otherwise leak into the next test of the same
    process and change the messages it reads.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    city_admin: Membership
    city_viewer: Membership
    county_officer: Membership  # 城中区 450202
    other_county_officer: Membership  # 柳江区 450206
    contractor: Membership
    evaluator: Membership
    other_tenant_admin: Membership  # 桂林市 4503

    def client_for(self, membership: Membership) -> Client:
        client = Client()
        assert client.login(username=membership.user.username, password=PASSWORD)
        return client

    @property
    def everyone(self) -> list[Membership]:
        return [
            self.city_admin,
            self.city_viewer,
            self.county_officer,
            self.other_county_officer,
            self.contractor,
            self.evaluator,
            self.other_tenant_admin,
        ]


@dataclass
class Outsiders:
    """Who must never see 柳州 城中区 (450202)'s objects: another county's officer,
    another tenant's admin, a contractor and an evaluator (without contracts) and
    an anonymous visitor. Every app's negative tests reuse it."""

    other_county_officer: Membership  # 柳江区 450206 of the same city
    other_tenant_admin: Membership  # 桂林市 4503
    contractor: Membership
    evaluator: Membership

    @property
    def members(self) -> list[Membership]:
        return [
            self.other_county_officer,
            self.other_tenant_admin,
            self.contractor,
            self.evaluator,
        ]

    def assert_page_hidden(self, url: str, *, method: str = "get", data=None, members=None):
        """Each outsider gets 404 for the page, anonymous is sent to log in."""
        for membership in self.members if members is None else members:
            client = Client()
            assert client.login(username=membership.user.username, password=PASSWORD)
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 404, (membership, url, response.status_code)
        response = getattr(Client(), method)(url, data or {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    def assert_api_hidden(self, url: str, *, method: str = "get", data=None, members=None):
        """Each outsider gets 404 with the common error body, anonymous 401."""
        from tests.helpers import api_for, assert_error

        for membership in self.members if members is None else members:
            response = getattr(api_for(membership), method)(url, data or {}, format="json")
            assert response.status_code == 404, (membership, url, response.status_code)
            assert_error(response, 404, response.json()["error"]["code"])
        from rest_framework.test import APIClient

        assert getattr(APIClient(), method)(url, data or {}).status_code == 401, url


@pytest.fixture
def outsiders(world) -> Outsiders:
    return Outsiders(
        other_county_officer=world.other_county_officer,
        other_tenant_admin=world.other_tenant_admin,
        contractor=world.contractor,
        evaluator=world.evaluator,
    )


@pytest.fixture
def world(django_db_blocker) -> World:
    load_divisions("4502", "4503")
    return World(
        city_admin=member("lz_admin", "4502", Role.CITY_ADMIN),
        city_viewer=member("lz_viewer", "4502", Role.CITY_VIEWER),
        county_officer=member("lz_chengzhong", "4502", Role.COUNTY_OFFICER, "450202"),
        other_county_officer=member("lz_liujiang", "4502", Role.COUNTY_OFFICER, "450206"),
        contractor=member("lz_contractor", "4502", Role.CONTRACTOR),
        evaluator=member("lz_evaluator", "4502", Role.EVALUATOR),
        other_tenant_admin=member("gl_admin", "4503", Role.CITY_ADMIN),
    )
