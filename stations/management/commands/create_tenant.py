import pghistory
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stations.services import tenant_create


class Command(BaseCommand):
    help = "Create the tenant of a prefecture-level division (4502 → 柳州市)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="4-digit (or full) code of a prefecture-level division")

    def handle(self, *args, code, **options):
        try:
            with pghistory.context(command="create_tenant"):
                tenant = tenant_create(code=code)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"已创建租户：{tenant.name}（{tenant.code}）")
