"""Anomaly flags the reviewer sees: overlapping times at two stations, more than 12 hours a
day, a sign-in sheet identical to another's, a supervisor not assigned to the station."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision.flags import month_flags
from supervision.services import supervisor_assign
from tests.helpers import api_for
from tests.supervision.test_sessions import MARCH, at, session, setting  # noqa: F401

pytestmark = pytest.mark.django_db


def sheet():
    return SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 the same sheet")


def test_each_anomaly_is_flagged_and_a_clean_session_is_not(world, setting):  # noqa: F811
    from tests.factories import station

    supervisor_assign(actor=setting["staff"], supervisor=setting["supervisor"],
                      contract=setting["contract"], facility=setting["first"],
                      started_on=date(2024, 1, 1))  # fmt: skip
    clean = session(setting, started_at=at(date(2024, 3, 4), 9), ended_at=at(date(2024, 3, 4), 17))
    copied = session(setting, started_at=at(date(2024, 3, 11), 9),
                     ended_at=at(date(2024, 3, 11), 12), attachment=sheet())  # fmt: skip
    again = session(setting, started_at=at(date(2024, 3, 12), 9),
                    ended_at=at(date(2024, 3, 12), 12), attachment=sheet())  # fmt: skip
    long_day = session(setting, started_at=at(date(2024, 3, 20), 6),
                       ended_at=at(date(2024, 3, 20), 20))  # fmt: skip
    # The late station opens in July: a second contract station is needed for an overlap.
    third = station(world.county_officer, "450202004", date(2021, 3, 1))
    from procurement.models import ContractFacility

    ContractFacility.objects.create(tenant_id=world.city_admin.tenant_id,
                                    contract=setting["contract"], facility=third,
                                    stationed_workers=2, kind="station_operation",
                                    live_from=setting["contract"].start_on,
                                    live_until=setting["contract"].live_until)  # fmt: skip
    elsewhere = session(setting, facility=third, started_at=at(date(2024, 3, 4), 10),
                        ended_at=at(date(2024, 3, 4), 11))  # fmt: skip
    flags = month_flags(world.county_officer, setting["contract"], MARCH)
    assert clean.pk in flags and any("同时在" in m for m in flags[clean.pk])
    assert any("完全相同" in m for m in flags[copied.pk])
    assert any("完全相同" in m for m in flags[again.pk])
    assert any("超过 12 小时" in m for m in flags[long_day.pk])
    assert any("未被安排" in m for m in flags[elsewhere.pk])
    assert not any("未被安排" in m for m in flags[clean.pk])
    body = api_for(world.county_officer).post(
        "/api/v1/supervision/submissions/",
        {"contract": setting["contract"].pk, "month": "2024-03"},
        format="json",
    )
    assert body.status_code == 403 or body.status_code == 400  # the county does not open months
    opened = (
        api_for(setting["staff"])
        .post(
            "/api/v1/supervision/submissions/",
            {"contract": setting["contract"].pk, "month": "2024-03"},
            format="json",
        )
        .json()
    )
    detail = (
        api_for(world.county_officer).get(f"/api/v1/supervision/submissions/{opened['id']}/").json()
    )
    assert {row["session"] for row in detail["flags"]} == set(flags)
