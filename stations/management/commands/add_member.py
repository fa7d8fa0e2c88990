import pghistory
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stations.models import Role, Tenant
from stations.registry import membership_links
from stations.services import user_with_membership


class Command(BaseCommand):
    help = "Give a user a role in a tenant, creating the user when missing."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--tenant", required=True, help="tenant code, e.g. 4502")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope", help="county code for county_officer, e.g. 450202")
        parser.add_argument(
            "--password",
            help="the operator's choice, e.g. for an integration account (must meet the "
            "password rules); without it a new user gets a temporary password, printed once, "
            "to change at the first sign-in",
        )
        for link in membership_links():
            roles = ", ".join(link.roles)
            parser.add_argument(f"--{link.option}", help=f"{link.help} (required for {roles})")

    def handle(self, *args, username, tenant, role, scope, password, **options):
        tenant_obj = Tenant.objects.filter(code=str(tenant).strip()[:4]).first()
        if tenant_obj is None or len(str(tenant).strip()) not in (4, 12):
            raise CommandError(f"租户“{tenant}”不存在。")
        links = []
        for link in membership_links():
            value = options.get(link.option)
            if role in link.roles and not value:
                raise CommandError(f"角色 {role} 须用 --{link.option} 指定。")
            if value and role not in link.roles:
                raise CommandError(f"--{link.option} 只用于角色 {', '.join(link.roles)}。")
            if value:
                links.append((link, value))
        try:
            with transaction.atomic(), pghistory.context(command="add_member"):
                membership, temporary = user_with_membership(
                    username=username,
                    password=password,
                    tenant=tenant_obj,
                    role=role,
                    scope_code=scope,
                )
                for link, value in links:
                    link.apply(membership, value)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"{membership}")
        if temporary:
            self.stdout.write(
                f"临时密码（只显示这一次，请当面或通过安全渠道交给本人；首次登录须修改）：{temporary}"
            )
