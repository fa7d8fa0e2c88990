"""Tenants, memberships and coverage overrides: what the services accept, refuse and record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from stations.division_import import import_shipped
from stations.models import CoverageOverride, Membership, Role, Tenant
from stations.selectors import township_totals
from stations.services import coverage_override_clear, coverage_override_set, tenant_create
from tests.factories import UserFactory, load_divisions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("5223", "黔西南布依族苗族自治州"),
        ("3412", "阜阳市"),
        ("2302", "齐齐哈尔市"),
        ("3207", "连云港市"),
    ],
)
def test_a_tenant_takes_its_name_from_the_prefecture(code, name):
    load_divisions(code)
    tenant = tenant_create(code=code)
    assert (tenant.code, tenant.name, tenant.division.code) == (code, name, code.ljust(12, "0"))


def test_a_municipality_tenant_takes_the_municipality_name():
    load_divisions("1101")
    assert tenant_create(code="1101").name == "北京市"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("45x2", "无效"),
        ("9999", "不存在"),
        ("450202", "不是地级行政区"),
        ("45", "不是地级行政区"),
        ("4690", "不是地级行政区"),
    ],
)
def test_bad_tenant_codes_are_refused_and_nothing_is_written(code, message):
    load_divisions("4502", "4690")
    with pytest.raises(ValidationError) as raised:
        tenant_create(code=code)
    assert message in " ".join(raised.value.message_dict["code"])
    assert not Tenant.objects.exists()


def test_a_tenant_cannot_be_created_twice():
    load_divisions("4502")
    tenant_create(code="4502")
    with pytest.raises(ValidationError, match="已存在"):
        tenant_create(code="450200000000")
    assert Tenant.objects.count() == 1


def test_create_tenant_command_reports_errors_in_chinese(capsys):
    load_divisions("4502")
    call_command("create_tenant", "4502")
    assert "柳州市" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不是地级行政区"):
        call_command("create_tenant", "450202")


def test_add_member_creates_the_user_and_checks_scope(capsys):
    load_divisions("4502", "4503")
    tenant_create(code="4502")
    call_command(
        "add_member",
        "officer",
        "--tenant",
        "4502",
        "--role",
        "county_officer",
        "--scope",
        "450202",
        "--password",
        "pw-123456",
    )
    membership = Membership.objects.get(user__username="officer")
    assert membership.scope_id == "450202000000"
    assert membership.user.check_password("pw-123456")

    with pytest.raises(CommandError, match="必须指定"):
        call_command(
            "add_member",
            "o2",
            "--tenant",
            "4502",
            "--role",
            "county_officer",
            "--password",
            "x-123456",
        )
    with pytest.raises(CommandError, match="不是柳州市下的县级区划"):
        call_command(
            "add_member",
            "o3",
            "--tenant",
            "4502",
            "--role",
            "county_officer",
            "--scope",
            "450302",
            "--password",
            "x-123456",
        )
    with pytest.raises(CommandError, match="不是柳州市下的县级区划"):
        call_command(
            "add_member",
            "o4",
            "--tenant",
            "4502",
            "--role",
            "county_officer",
            "--scope",
            "450202001",
            "--password",
            "x-123456",
        )
    with pytest.raises(CommandError, match="不能指定"):
        call_command(
            "add_member",
            "o5",
            "--tenant",
            "4502",
            "--role",
            "city_admin",
            "--scope",
            "450202",
            "--password",
            "x-123456",
        )
    with pytest.raises(CommandError, match="租户"):
        call_command(
            "add_member", "o6", "--tenant", "4503", "--role", "city_admin", "--password", "x-123456"
        )
    assert Membership.objects.count() == 1
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__in=["o2", "o3", "o4", "o5", "o6"]).exists()
    # Without --password a new user gets a temporary one (tests/stations/test_accounts.py).
    call_command("add_member", "o7", "--tenant", "4502", "--role", "city_admin")
    assert "临时密码" in capsys.readouterr().out


def test_membership_changes_are_recorded_with_the_acting_user(world):
    from stations.services import membership_set

    membership_set(
        tenant=world.county_officer.tenant,
        user=world.county_officer.user,
        role=Role.COUNTY_OFFICER,
        scope_code="450206",
        acting_user=world.city_admin.user,
    )
    events = Membership.pgh_event_model.objects.filter(pgh_obj_id=world.county_officer.pk)
    assert events.filter(pgh_label="insert").count() == 1
    update = events.get(pgh_label="update")
    assert update.scope_id == "450206000000"
    assert update.pgh_context.metadata["username"] == "lz_admin"


def test_add_member_records_the_command_in_history():
    load_divisions("4502")
    tenant_create(code="4502")
    call_command(
        "add_member", "x1", "--tenant", "4502", "--role", "city_viewer", "--password", "pw-123456"
    )
    event = Membership.pgh_event_model.objects.get(user__username="x1")
    assert event.pgh_context.metadata["command"] == "add_member"


class TestCoverageOverrides:
    def test_a_city_admin_counts_a_township_like_unit_with_a_reason_and_it_is_recorded(self, world):
        load_divisions("4501")  # 南宁 has 类似乡级单位
        tenant_create(code="4501")
        from tests.factories import member

        admin = member("nn_admin", "4501", Role.CITY_ADMIN)
        from stations.models import Division

        zone = Division.objects.filter(city_code="4501", township_kind="township_like").first()
        assert zone is not None
        before = township_totals(admin, admin.tenant.division)

        coverage_override_set(
            actor=admin, division_code=zone.short_code, counted=True, reason="有常住居民"
        )

        after = township_totals(admin, admin.tenant.division)
        assert after["counted"] == before["counted"] + 1
        assert after["total"] == before["total"]
        event = CoverageOverride.pgh_event_model.objects.get(division_id=zone.code)
        assert event.pgh_context.metadata["username"] == "nn_admin"
        assert event.reason == "有常住居民"

        coverage_override_clear(actor=admin, division_code=zone.code)
        assert township_totals(admin, admin.tenant.division) == before
        assert CoverageOverride.pgh_event_model.objects.filter(pgh_label="delete").count() == 1

    def test_excluding_a_counted_township_lowers_the_total_counted(self, world):
        admin = world.city_admin
        other = world.other_tenant_admin
        others_before = township_totals(other, other.tenant.division)
        coverage_override_set(
            actor=admin, division_code="450202001", counted=False, reason="无常住人口"
        )
        totals = township_totals(admin, admin.tenant.division)
        assert (totals["total"], totals["counted"], totals["excluded"]) == (118, 117, 1)
        # The other tenant's figures are its own.
        assert township_totals(other, other.tenant.division) == others_before

    @pytest.mark.parametrize(
        ("code", "counted", "reason", "field"),
        [
            ("450202001", False, "  ", "reason"),
            ("450202001", True, "已计入", "counted"),
            ("450202", False, "县级", "division"),
            ("450302001", False, "别的城市", "division"),
            ("4502020019", False, "坏代码", "division"),
            ("450202999", False, "不存在", "division"),
        ],
    )
    def test_bad_overrides_are_refused_and_nothing_written(
        self, world, code, counted, reason, field
    ):
        with pytest.raises(ValidationError) as raised:
            coverage_override_set(
                actor=world.city_admin, division_code=code, counted=counted, reason=reason
            )
        assert field in raised.value.message_dict
        assert not CoverageOverride.objects.exists()

    @pytest.mark.parametrize("role", ["city_viewer", "county_officer", "contractor", "evaluator"])
    def test_only_city_admins_may_override(self, world, role):
        actor = {
            "city_viewer": world.city_viewer,
            "county_officer": world.county_officer,
            "contractor": world.contractor,
            "evaluator": world.evaluator,
        }[role]
        with pytest.raises(PermissionDenied):
            coverage_override_set(actor=actor, division_code="450202001", counted=False, reason="x")
        assert not CoverageOverride.objects.exists()


def test_a_whole_tenant_counts_its_townships_excluding_township_like_units():
    import_shipped(only="5223")
    tenant = tenant_create(code="5223")
    user = UserFactory(username="qxn")
    from stations.services import membership_set

    admin = membership_set(tenant=tenant, user=user, role=Role.CITY_ADMIN)
    totals = township_totals(admin, tenant.division)
    from stations.models import Division

    like = Division.objects.filter(
        city_code="5223", level="township", township_kind="township_like"
    ).count()
    assert totals["total"] == Division.objects.filter(city_code="5223", level="township").count()
    assert totals["excluded"] == like
