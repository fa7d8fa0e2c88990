import pghistory
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stations.models import Role, Tenant
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

    def handle(self, *args, username, tenant, role, scope, password, **options):
        tenant_obj = Tenant.objects.filter(code=str(tenant).strip()[:4]).first()
        if tenant_obj is None or len(str(tenant).strip()) not in (4, 12):
            raise CommandError(f"租户“{tenant}”不存在。")
        try:
            with pghistory.context(command="add_member"):
                membership, temporary = user_with_membership(
                    username=username,
                    password=password,
                    tenant=tenant_obj,
                    role=role,
                    scope_code=scope,
                )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"{membership}")
        if temporary:
            self.stdout.write(
                f"临时密码（只显示这一次，请当面或通过安全渠道交给本人；首次登录须修改）：{temporary}"
            )
