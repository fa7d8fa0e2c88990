"""Schemathesis against our OpenAPI schema: no input the schema admits (or nearly admits)
makes any endpoint answer 5xx, for a city admin and a county officer.

Bounded and seeded: a fixed number of examples per operation and generation mode,
derandomized, so a failure reproduces. Requests go through Django's WSGI
application in this test's transaction (writes are rolled back; nothing is
queued: on_commit never fires).
"""

from contextlib import contextmanager, suppress

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10


@contextmanager
def requests_keep_the_test_connection():
    """As Django's test client does: a request must not close this test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["city_admin", "county_officer"])
def test_no_operation_answers_a_server_error(world, role):
    failures: list[str] = []
    with requests_keep_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        username = getattr(world, role).user.username
        token_case = schema["/api/v1/auth/token/"]["POST"].Case(
            body={"username": username, "password": PASSWORD}, media_type="application/json"
        )
        token = token_case.call().json()["token"]
        headers = {"Authorization": f"Token {token}"}
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 15
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
                def call(case):
                    response = case.call(headers=headers)
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.method} {case.formatted_path} {case.query}"
                            f" {case.body!r:.200} → {response.status_code}"
                        )

                # No negative input exists for an operation without parameters.
                with suppress(Unsatisfiable):
                    call()
    assert failures == []
