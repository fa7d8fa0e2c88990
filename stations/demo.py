"""The demo tenant 柳州市 (4502) and its accounts, loaded once by `make run`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from stations.demo_network import demo_network_load
from stations.division_import import import_shipped
from stations.models import Division, Role, Tenant
from stations.registry import demo_steps
from stations.services import tenant_create, user_with_membership

DEMO_TENANT = "4502"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str | None
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("demo_city", Role.CITY_ADMIN, None, "市民政局管理员（柳州市）"),
    DemoAccount("demo_viewer", Role.CITY_VIEWER, None, "市级查看者（柳州市）"),
    DemoAccount("demo_county", Role.COUNTY_OFFICER, "450202", "城中区民政干部"),
    DemoAccount("demo_county2", Role.COUNTY_OFFICER, "450206", "柳江区民政干部"),
    DemoAccount("demo_contractor", Role.CONTRACTOR, None, "承接机构"),
    DemoAccount("demo_evaluator", Role.EVALUATOR, None, "第三方评估机构"),
    DemoAccount("demo_evaluator2", Role.EVALUATOR, None, "另一家第三方评估机构"),
)


def demo_load(*, password: str | None = None) -> list[str]:
    """Load divisions, the demo tenant, accounts and stations when missing; keep what exists.

    Returns what was done, one line per step. Existing accounts keep their passwords.
    """
    password = password or settings.DEMO_PASSWORD
    done = []
    if not Division.objects.filter(code=DEMO_TENANT.ljust(12, "0")).exists():
        result = import_shipped()
        done.append(f"官方区划：{result.summary()}")
    with transaction.atomic():
        tenant = Tenant.objects.filter(code=DEMO_TENANT).first()
        if tenant is None:
            tenant = tenant_create(code=DEMO_TENANT)
            done.append(f"租户：{tenant.name}（{tenant.code}）")
        for account in DEMO_ACCOUNTS:
            if tenant.memberships.filter(user__username=account.username).exists():
                continue
            user_with_membership(
                username=account.username,
                password=password,
                tenant=tenant,
                role=account.role,
                scope_code=account.scope,
            )
            done.append(f"账号：{account.username}")
    network = demo_network_load(tenant)
    if network:
        done.append(network)
    for step in demo_steps():  # later apps' records (procurement: organisations, contracts)
        line = step(tenant)
        if line:
            done.append(line)
    return done
