"""Benchmark: the social worker roster import and the workforce summary (issue 10 targets:
20,000 workers with credentials from one workbook in under 30 s in all, ≤ 1 ms per row
amortised; the summary beside hand-written SQL of the same figures and the stack's floor).

Creates a scratch database on the configured server (DATABASE_URL, or the embedded
PostgreSQL), loads the shipped divisions and makes two tenants with a city admin each:
柳州 (4502) with 3,054 workers, the size of its published figure, and 重庆 (5001) with
20,000, the largest. For each it writes an .xlsx roster (name, full ID number, phone,
education, employer, specialties, one credential per licensed worker) and, as the city
admin, through the functions the import page uses, times reading it with the kit, the
preview and the commit (seconds, ms per row, queries). Then, in the same run, it times
(median of --runs):
  - GET /api/v1/workforce/summary/ for the city, through the whole stack with a token;
  - hand-written SQL computing the same figures (licensed by highest level on the day and
    at the end of last year, specialty counts, registrations expiring within 90 days);
  - the floor: an authenticated trivial API call (GET /api/v1/population/?year=2000).
Asserts nothing (benchmarks are not timed tests).

Usage: .venv/bin/python benchmarks/workforce.py [--small N] [--large N] [--runs N]
With BENCH_PROFILE=cumulative (or tottime) it also prints a cProfile of one commit of
each file, rolled back, sorted that way: where an import's time goes.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("TEST_DATABASE_NAME", "test_bench_workforce")

TARGET_SECONDS = 30.0
TARGET_MS_PER_ROW = 1.0
HEADERS = [
    "姓名", "公民身份号码", "联系电话", "学历", "社会工作专业", "所在机构统一社会信用代码",
    "专业领域", "证书级别", "证书编号", "考试年度", "取得证书日期",
]  # fmt: skip
SPECIALTIES = ("养老服务", "社会救助", "未成年人保护、司法保护", "残疾人服务", "养老服务、社会救助")
LEVELS = ("助理社会工作师", "助理社会工作师", "社会工作师", "助理社会工作师", "高级社会工作师")

SUMMARY_SQL = """
WITH ranked AS (
  SELECT c.worker_id,
         max(CASE c.level WHEN 'assistant' THEN 1 WHEN 'social_worker' THEN 2 ELSE 3 END)
           FILTER (WHERE c.passed_on <= %(day)s) AS top_now,
         max(CASE c.level WHEN 'assistant' THEN 1 WHEN 'social_worker' THEN 2 ELSE 3 END)
           FILTER (WHERE c.passed_on <= %(last_year_end)s) AS top_before
  FROM workforce_credential c WHERE c.tenant_id = %(tenant)s GROUP BY c.worker_id)
SELECT
  (SELECT json_object_agg(top_now, n) FROM (
     SELECT top_now, count(*) n FROM ranked WHERE top_now IS NOT NULL GROUP BY top_now) t),
  (SELECT count(*) FROM ranked WHERE top_before IS NOT NULL),
  (SELECT json_object_agg(code, n) FROM (
     SELECT code, count(*) n FROM workforce_socialworker w
     JOIN ranked r ON r.worker_id = w.id AND r.top_now IS NOT NULL,
     unnest(w.specialties) code WHERE w.tenant_id = %(tenant)s GROUP BY code) s),
  (SELECT count(*) FROM workforce_registration g
     WHERE g.tenant_id = %(tenant)s AND g.registered_on <= %(day)s
       AND g.valid_until BETWEEN %(day)s AND %(horizon)s
       AND NOT EXISTS (SELECT 1 FROM workforce_registration later
                       WHERE later.credential_id = g.credential_id
                         AND later.registered_on > g.registered_on)),
  (SELECT population FROM workforce_population
     WHERE tenant_id = %(tenant)s AND division_id = %(division)s AND year <= %(year)s
     ORDER BY year DESC LIMIT 1)
"""


def roster(city: str, count: int, usccs: list[str]) -> bytes:
    """An .xlsx of ``count`` workers of ``city``: valid unique numbers, four in five licensed."""
    from openpyxl import Workbook
    from stdnum.cn import ric

    book = Workbook(write_only=True)
    sheet = book.create_sheet("社会工作者")
    sheet.append(HEADERS)
    region = f"{city}02"
    for index in range(count):
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(index * 7919) % 14000)
        # 14,000 birth dates and 997 serials: unique for the first 13,958,000 workers.
        body = f"{region}{birth:%Y%m%d}{index % 997:03d}"
        number = body + ric.calc_check_digit(body + "0")
        licensed = index % 5 != 4
        year = 2010 + index % 14
        sheet.append(
            [
                f"社工{index:05d}",
                number,
                f"13{index % 10}{index * 7321 % 10**8:08d}",
                "本科" if index % 2 else "大专",
                "是" if index % 3 == 0 else "否",
                usccs[index % len(usccs)],
                SPECIALTIES[index % len(SPECIALTIES)],
                LEVELS[index % len(LEVELS)] if licensed else None,
                f"Z{city}{index:06d}" if licensed else None,
                str(year) if licensed else None,
                f"{year}-07-01" if licensed else None,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function):
    """(value, seconds, queries) of ``function()``."""
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


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def load_city(city: str, count: int) -> object:
    """The tenant's city admin, after importing ``count`` workers through the kit."""
    from procurement.services import organisation_create
    from procurement.uscc import uscc_compose
    from stations.spreadsheets import read_table
    from tests.factories import member
    from workforce.population import population_set
    from workforce.roster_import import social_workers_import
    from workforce.sheets import ROSTER_SHEET

    admin = member(f"bench_{city}", city, "city_admin")
    usccs = []
    for serial in range(1, 6):
        organisation = organisation_create(
            actor=admin,
            name=f"基准测试社会工作服务中心{serial}",
            uscc=uscc_compose(f"52{city}00", f"MJ{serial:06d}"),
            kind="social_service_agency",
        )
        usccs.append(organisation.uscc)
    population_set(actor=admin, division=city, year=2020, population=count * 1400,
                   source="基准测试")  # fmt: skip
    content = roster(city, count, usccs)
    parsed, read_s, _ = timed(
        lambda: ROSTER_SHEET.rows(
            read_table(io.BytesIO(content), "r.xlsx", sheet_name="社会工作者")
        )
    )
    preview, preview_s, preview_q = timed(
        lambda: social_workers_import(admin, parsed, commit=False)
    )
    if os.environ.get("BENCH_PROFILE"):  # where a commit's time goes
        import cProfile
        import pstats

        from django.db import transaction

        profiler = cProfile.Profile()
        with transaction.atomic():
            profiler.enable()
            social_workers_import(admin, parsed, commit=True)
            profiler.disable()
            transaction.set_rollback(True)
        pstats.Stats(profiler).sort_stats(os.environ["BENCH_PROFILE"]).print_stats(40)
    result, commit_s, commit_q = timed(
        lambda: social_workers_import(admin, parsed, commit=True, expected=preview.plan_digest)
    )
    total = read_s + preview_s + commit_s
    for error in result.errors[:3]:
        print("  error:", error.as_dict())
    print(
        f"{city}: {count} rows · read {read_s:.1f} s · preview {preview_s:.1f} s "
        f"({preview_q} queries) · commit {commit_s:.1f} s ({commit_q} queries) · "
        f"in all {total:.1f} s, {total * 1000 / count:.3f} ms/row "
        f"(target < {TARGET_SECONDS:.0f} s for 20,000, ≤ {TARGET_MS_PER_ROW} ms/row) · "
        f"new {result.count('new')}, errors {len(result.errors)}, committed {result.committed}"
    )
    return admin


def summary_figures(admin, runs: int) -> None:
    from django.db import connection
    from rest_framework.test import APIClient

    from stations.models import Membership

    membership = Membership.objects.select_related("tenant", "user").get(pk=admin.pk)
    client = APIClient()
    client.force_authenticate(membership.user)
    day = datetime.date(2023, 12, 31)
    url = f"/api/v1/workforce/summary/?as_of={day.isoformat()}"
    body = client.get(url).json()
    params = {
        "tenant": membership.tenant_id,
        "day": day,
        "last_year_end": datetime.date(day.year - 1, 12, 31),
        "horizon": day + datetime.timedelta(days=90),
        "division": membership.tenant.code.ljust(12, "0"),
        "year": day.year,
    }

    def hand_written():
        with connection.cursor() as cursor:
            cursor.execute(SUMMARY_SQL, params)
            return cursor.fetchone()

    by_level, before, _specialties, _expiring, _population = hand_written()
    api_ms = median_ms(lambda: client.get(url), runs)
    sql_ms = median_ms(hand_written, runs)
    floor_ms = median_ms(lambda: client.get("/api/v1/population/?year=2000"), runs)
    print(
        f"  summary of {membership.tenant.code} on {day}: API licensed {body['licensed']} "
        f"(SQL {sum((by_level or {}).values())}), growth from {body['growth']['from']} "
        f"(SQL {before}) · API {api_ms:.1f} ms · hand-written SQL {sql_ms:.1f} ms · "
        f"floor (trivial authenticated API call) {floor_ms:.1f} ms · "
        f"API ÷ (floor + SQL) = {api_ms / (floor_ms + sql_ms):.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=3054, help="workers of 柳州 (4502)")
    parser.add_argument("--large", type=int, default=20000, help="workers of 重庆 (5001)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    import django
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    from django.conf import settings

    from stations.division_import import import_shipped

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        import_shipped()
        admins = [load_city("4502", args.small), load_city("5001", args.large)]
        for admin in admins:
            summary_figures(admin, args.runs)
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
