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
        parser.add_argument("--password", help="required when the user is new")

    def handle(self, *args, username, tenant, role, scope, password, **options):
        tenant_obj = Tenant.objects.filter(code=str(tenant).strip()[:4]).first()
        if tenant_obj is None or len(str(tenant).strip()) not in (4, 12):
            raise CommandError(f"租户“{tenant}”不存在。")
        try:
            with pghistory.context(command="add_member"):
                membership = user_with_membership(
                    username=username,
                    password=password,
                    tenant=tenant_obj,
                    role=role,
                    scope_code=scope,
                )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"{membership}")
