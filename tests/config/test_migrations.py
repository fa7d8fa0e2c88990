"""Data already in a database when this change is deployed: what the migrations make of it."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("stations", "0003_alter_facility_county_code_and_more"),
    ("reports", "0003_coverage_report"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_overrides_jobs_and_tenants_are_carried_forward():
    old = migrate(BEFORE)
    Division = old.get_model("stations", "Division")
    Tenant = old.get_model("stations", "Tenant")
    User = old.get_model("auth", "User")
    Override = old.get_model("stations", "CoverageOverride")
    Job = old.get_model("reports", "Job")
    codes = {
        "450000000000": ("广西壮族自治区", "province", None, ""),
        "450200000000": ("柳州市", "city", "450000000000", ""),
        "450202000000": ("城中区", "county", "450200000000", ""),
        "450202001000": ("城中街道", "township", "450202000000", "subdistrict"),
    }
    for code, (name, level, parent, kind) in codes.items():
        Division.objects.create(
            code=code, name=name, level=level, parent_id=parent, township_kind=kind,
            edition="2023", province_code=code[:2], city_code=code[:4],
            county_code=code[:6], township_code=code[:9],
        )  # fmt: skip
    tenant = Tenant.objects.create(code="4502", division_id="450200000000", name="柳州市")
    user = User.objects.create(username="old_admin")
    override = Override.objects.create(
        tenant=tenant, division_id="450202001000", counted=False, reason="搬迁", updated_by=user
    )
    with connection.cursor() as cursor:  # written a while ago
        cursor.execute(
            "UPDATE stations_coverageoverrideevent SET pgh_created_at = %s WHERE pgh_obj_id = %s",
            [datetime.datetime(2024, 5, 20, 20, 0, tzinfo=datetime.UTC), override.pk],
        )
    job = Job.objects.create(
        tenant=tenant, requested_by=user, role="county_officer",
        scope_id="450202001000", kind="divisions_export",
    )  # fmt: skip

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = new.get_model("stations", "CoverageOverride").objects.get(pk=override.pk)
    # 20:00 UTC is the next morning in Asia/Shanghai.
    assert (moved.effective_from, moved.effective_to) == (datetime.date(2024, 5, 21), None)
    snapshot = new.get_model("reports", "Job").objects.get(pk=job.pk).requester_scope
    assert (snapshot["county_code"], snapshot["tenant_code"], snapshot["network"]) == (
        "450202",
        "4502",
        True,
    )
    policy = new.get_model("stations", "PolicyValue").objects.filter(tenant_id=tenant.pk)
    assert policy.filter(code="coverage_target").count() == 4
    assert policy.filter(code="submission_deadline_day").get().value == 10
    events = new.get_model("reports", "JobEvent").objects.filter(pgh_obj_id=job.pk)
    assert [event.pgh_label for event in events] == ["insert"]  # the backfill is not a change
