"""Benchmark: the coverage API against one hand-written SQL count (target: within 2×, < 100 ms).

Creates a scratch database on the configured server (DATABASE_URL, or the
embedded PostgreSQL), migrates it, loads the whole country's divisions, makes a
tenant with a city_admin for every prefecture-level city that tenant_create
accepts, and puts an operating township station in about 90 % of each city's
counted township units. Then, for 4502 柳州市 and for the tenant with the most
counted townships, on 2023-12-31, it times:
  1. GET /api/v1/coverage/?division=CODE&as_of=DATE through the test client
     (token authentication, as API clients do), median of N runs after a warm-up,
     with the number of SQL queries of one call;
  2. coverage_at() alone (no HTTP, DRF or serialisation);
  3. one hand-written SQL statement giving covered and total for the city;
and prints API ÷ raw SQL, plus the query count of the smallest and the largest
tenant (it should not depend on the size of the city). Asserts nothing
(benchmarks are not timed tests).

The scratch database is named by TEST_DATABASE_NAME (default test_bench_coverage)
so that it never collides with a test run's database.

Usage: .venv/bin/python benchmarks/coverage.py [--runs N] [--as-of YYYY-MM-DD] [--explain]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("TEST_DATABASE_NAME", "test_bench_coverage")

TYPICAL_CITY = "4502"  # 柳州市
STATION_SHARE_MODULUS = 10  # a township gets a station unless crc32(code) % 10 == 0
FIRST_START = datetime.date(2019, 1, 1)
START_SPREAD_DAYS = (datetime.date(2023, 12, 31) - FIRST_START).days + 1  # 2019–2023
BATCH = 5000

# The headline count alone: covered and total counted townships of the city.
HEADLINE_SQL = """
    SELECT count(*) FILTER (
               WHERE EXISTS (
                   SELECT 1 FROM stations_facilityoperatingperiod p
                   WHERE p.tenant_id = %(tenant)s
                     AND p.division_id = d.code
                     AND p.level = 'township_station'
                     AND p.started_on <= %(as_of)s
                     AND (p.ended_on IS NULL OR p.ended_on > %(as_of)s))) AS covered,
           count(*) AS total
    FROM stations_division d
    LEFT JOIN stations_coverageoverride o ON o.tenant_id = %(tenant)s AND o.division_id = d.code
    WHERE d.level = 'township'
      AND d.city_code = %(city)s
      AND (d.retired_on IS NULL OR d.retired_on > %(as_of)s)
      AND COALESCE(o.counted, d.township_kind IN ('subdistrict', 'town', 'township'))
"""

# Everything the API answers, by hand in one statement: the count per county,
# the uncovered townships with their county, and operating facilities by level.
ANSWER_SQL = """
    WITH units AS (
        SELECT d.code, d.name, d.county_code, d.parent_id,
               EXISTS (
                   SELECT 1 FROM stations_facilityoperatingperiod p
                   WHERE p.tenant_id = %(tenant)s
                     AND p.division_id = d.code
                     AND p.level = 'township_station'
                     AND p.started_on <= %(as_of)s
                     AND (p.ended_on IS NULL OR p.ended_on > %(as_of)s)) AS covered
        FROM stations_division d
        LEFT JOIN stations_coverageoverride o
               ON o.tenant_id = %(tenant)s AND o.division_id = d.code
        WHERE d.level = 'township'
          AND d.city_code = %(city)s
          AND (d.retired_on IS NULL OR d.retired_on > %(as_of)s)
          AND COALESCE(o.counted, d.township_kind IN ('subdistrict', 'town', 'township'))
    ),
    counties AS (
        SELECT c.code, c.name, c.county_code FROM stations_division c
        WHERE c.parent_id = %(city_division)s
          AND (c.retired_on IS NULL OR c.retired_on > %(as_of)s)
    )
    SELECT 'county', c.code, c.name, count(u.code), count(u.code) FILTER (WHERE u.covered)
    FROM counties c LEFT JOIN units u ON u.county_code = c.county_code
    GROUP BY c.code, c.name
    UNION ALL
    SELECT 'uncovered', u.code, u.name || ' · ' || c.name, NULL, NULL
    FROM units u LEFT JOIN counties c ON c.code = u.parent_id
    WHERE NOT u.covered
    UNION ALL
    SELECT 'level', p.level, NULL, count(DISTINCT p.facility_id), NULL
    FROM stations_facilityoperatingperiod p
    WHERE p.tenant_id = %(tenant)s
      AND p.started_on <= %(as_of)s
      AND (p.ended_on IS NULL OR p.ended_on > %(as_of)s)
    GROUP BY p.level
"""


def median_ms(function, runs: int) -> float:
    """Median wall time of ``function()`` in milliseconds over ``runs`` calls (after one warm-up)."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def station_start(code: str) -> datetime.date:
    """A deterministic start date in 2019–2023 for the station of township ``code``."""
    return FIRST_START + datetime.timedelta(days=zlib.crc32(code.encode()) // 7 % START_SPREAD_DAYS)


def create_tenants():
    """A tenant and one city_admin for every city tenant_create accepts; memberships by code."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.exceptions import ValidationError

    from stations.models import Division, Role
    from stations.services.tenancy import membership_set, tenant_create

    tenants = []
    for city in Division.objects.filter(level="city").order_by("code"):
        try:
            tenants.append(tenant_create(code=city.code))
        except ValidationError:
            continue  # 省直辖县级行政区划, 县 of a municipality, …
    user_model = get_user_model()
    password = make_password("benchmark")  # hashed once (MD5), shared by every user
    users = user_model.objects.bulk_create(
        [user_model(username=f"admin-{tenant.code}", password=password) for tenant in tenants]
    )
    return {
        tenant.code: membership_set(tenant=tenant, user=user, role=Role.CITY_ADMIN)
        for tenant, user in zip(tenants, users, strict=True)
    }


def create_stations(memberships) -> tuple[int, float, float]:
    """Operating township stations in ~90 % of the counted townships of every tenant.

    Benchmark data setup, not product code: the rows go in with bulk_create
    instead of facility_create/facility_open (which validate, lock and log each
    station one at a time). The pghistory insert triggers and the overlap check
    on periods still run for every row.
    """
    from stations.divisions import COUNTED_KINDS
    from stations.models import (
        Division,
        Facility,
        FacilityLevel,
        FacilityOperatingPeriod,
        FacilityStatus,
    )

    tenant_ids = {code: membership.tenant_id for code, membership in memberships.items()}
    townships = [
        township
        for township in Division.objects.filter(
            level="township",
            retired_on__isnull=True,
            township_kind__in=COUNTED_KINDS,
            city_code__in=list(tenant_ids),
        )
        .only("code", "name", "city_code", "county_code")
        .order_by("code")
        if zlib.crc32(township.code.encode()) % STATION_SHARE_MODULUS != 0
    ]
    started = time.monotonic()
    facilities = Facility.objects.bulk_create(
        [
            Facility(
                tenant_id=tenant_ids[township.city_code],
                level=FacilityLevel.TOWNSHIP_STATION,
                division_id=township.code,
                county_code=township.county_code,
                name=f"{township.name}社会工作服务站",
                status=FacilityStatus.OPERATING,
                established_on=station_start(township.code),
            )
            for township in townships
        ],
        batch_size=BATCH,
    )
    facilities_seconds = time.monotonic() - started
    FacilityOperatingPeriod.objects.bulk_create(
        [
            FacilityOperatingPeriod(
                tenant_id=facility.tenant_id,
                facility_id=facility.pk,
                division_id=facility.division_id,
                level=facility.level,
                started_on=facility.established_on,
            )
            for facility in facilities
        ],
        batch_size=BATCH,
    )
    return len(facilities), facilities_seconds, time.monotonic() - started


def counted_per_city() -> dict[str, int]:
    from django.db.models import Count

    from stations.divisions import COUNTED_KINDS
    from stations.models import Division

    rows = (
        Division.objects.filter(
            level="township", retired_on__isnull=True, township_kind__in=COUNTED_KINDS
        )
        .values("city_code")
        .annotate(n=Count("code"))
    )
    return {row["city_code"]: row["n"] for row in rows}


def measure(membership, as_of: datetime.date, runs: int, *, explain: bool, profile: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from stations.coverage import coverage_at
    from stations.models import Division

    city = membership.tenant.code
    token, _ = Token.objects.get_or_create(user=membership.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/coverage/?division={city}&as_of={as_of.isoformat()}"

    def api():
        return client.get(url)

    division = Division.objects.get(code=membership.tenant.division_id)
    params = {
        "tenant": membership.tenant_id,
        "as_of": as_of,
        "city": city,
        "city_division": division.code,
    }

    def headline():
        with connection.cursor() as cursor:
            cursor.execute(HEADLINE_SQL, params)
            return cursor.fetchone()

    def answer():
        with connection.cursor() as cursor:
            cursor.execute(ANSWER_SQL, params)
            return cursor.fetchall()

    response = api()
    body = response.json() if response.status_code == 200 else {}
    with CaptureQueriesContext(connection) as captured:
        api()
    # Copied now: every request's request_started signal empties connection.queries.
    queries = list(captured.captured_queries)
    rows = answer()
    counties = [row for row in rows if row[0] == "county"]
    result = {
        "status": response.status_code,
        "api_figures": (body.get("covered"), body.get("total")),
        "api_parts": (
            len(body.get("children", [])),
            len(body.get("uncovered", [])),
            sum(body.get("facilities", {}).values()),
        ),
        "raw_figures": headline(),
        "raw_parts": (
            len(counties),
            sum(1 for row in rows if row[0] == "uncovered"),
            sum(row[3] for row in rows if row[0] == "level"),
        ),
        "raw_county_sum": (sum(row[4] for row in counties), sum(row[3] for row in counties)),
        "queries": len(queries),
        "captured": queries,
        "api_ms": median_ms(api, runs),
        "engine_ms": median_ms(lambda: coverage_at(membership, division, as_of), runs),
        "headline_ms": median_ms(headline, runs),
        "raw_ms": median_ms(answer, runs),
    }
    result["api_sql_ms"] = median_ms(lambda: replay(queries), runs)
    if profile:
        result["profile"] = profile_calls(api)
    if explain:
        result["plans"] = explain_queries(queries)
    return result


def explain_queries(queries) -> list[tuple[float, str, str]]:
    """EXPLAIN ANALYZE of each captured query: (execution ms, first line of SQL, plan)."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            execution = next(
                (
                    float(line.split(":")[1].split()[0])
                    for line in plan.splitlines()
                    if line.strip().startswith("Execution Time")
                ),
                0.0,
            )
            plans.append((execution, sql, plan))
    return plans


def replay(queries) -> None:
    """Run the SQL statements one API call sent, as captured, one after another."""
    from django.db import connection

    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query["sql"])
            cursor.fetchall()


def profile_calls(function, calls: int = 50) -> str:
    """cProfile of ``calls`` calls: the 25 functions with the most cumulative time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        function()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def report(label: str, membership, counted: int, figures: dict) -> None:
    ratio = figures["api_ms"] / figures["raw_ms"] if figures["raw_ms"] else float("nan")
    name = membership.tenant.name
    print(
        f"{label:<9} {membership.tenant.code} {name}（{counted} counted townships）: "
        f"API {figures['api_ms']:6.2f} ms ({figures['queries']} queries), "
        f"coverage_at() {figures['engine_ms']:6.2f} ms, "
        f"raw SQL of the same answer {figures['raw_ms']:6.2f} ms, ratio {ratio:5.2f}; "
        f"headline count alone {figures['headline_ms']:5.2f} ms"
    )
    print(
        f"          the API's {figures['queries']} SQL statements replayed alone: "
        f"{figures['api_sql_ms']:.2f} ms, "
        f"{figures['api_sql_ms'] / figures['raw_ms']:.2f}× the hand-written SQL "
        f"(the rest of the API time is Python: HTTP, authentication, ORM, JSON)"
    )
    covered, total = figures["api_figures"]
    raw_covered, raw_total = figures["raw_figures"]
    agree = (covered, total) == (raw_covered, raw_total) == figures["raw_county_sum"] and figures[
        "api_parts"
    ] == figures["raw_parts"]
    children, uncovered, facilities = figures["api_parts"]
    print(
        f"          HTTP {figures['status']}; API covered/total {covered}/{total}, "
        f"raw SQL {raw_covered}/{raw_total}; {children} counties, {uncovered} uncovered, "
        f"{facilities} facilities ({'agree' if agree else 'DISAGREE'} with the raw SQL)"
    )
    for index, query in enumerate(figures["captured"], 1):
        sql = " ".join(query["sql"].split())
        print(f"          q{index} {float(query['time']) * 1000:6.1f} ms  {sql[:110]}")
    if "profile" in figures:
        print(figures["profile"])
    for execution, sql, plan in figures.get("plans", []):
        print(f"\n--- EXPLAIN ANALYZE ({execution:.1f} ms): {' '.join(sql.split())[:200]}")
        print(plan)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default="2023-12-31")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the API's queries")
    parser.add_argument("--profile", action="store_true", help="cProfile the typical city's API")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection, connections
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from stations.division_import import import_shipped

    # DEBUG off (no query log in the timings), 'testserver' allowed, cheap password hashes.
    setup_test_environment(debug=False)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A throwaway database so that a developer's data and other test runs are never touched.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ["TEST_DATABASE_NAME"]
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        server = connection.cursor().connection.info.server_version
        print(f"database: {connection.settings_dict['NAME']} on PostgreSQL {server // 10000}")
        started = time.monotonic()
        result = import_shipped()
        print(
            f"divisions: {result.read} rows ({result.by_level.get('township', 0)} townships) "
            f"in {time.monotonic() - started:.1f} s"
        )
        started = time.monotonic()
        memberships = create_tenants()
        print(
            f"tenants: {len(memberships)} with a city_admin in {time.monotonic() - started:.1f} s"
        )
        stations, facilities_seconds, seconds = create_stations(memberships)
        print(
            f"stations: {stations} operating township stations with their periods in "
            f"{seconds:.1f} s (facilities {facilities_seconds:.1f} s)"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        per_city = counted_per_city()
        counted = {code: per_city.get(code, 0) for code in memberships}
        largest = max(counted, key=lambda code: (counted[code], code))
        smallest = min((code for code in counted if counted[code]), key=lambda c: (counted[c], c))
        print(f"\nas_of {args.as_of}, median of {args.runs} runs after one warm-up:")
        for label, code in (("typical", TYPICAL_CITY), ("largest", largest)):
            figures = measure(
                memberships[code],
                args.as_of,
                args.runs,
                explain=args.explain,
                profile=args.profile and label == "typical",
            )
            report(label, memberships[code], counted[code], figures)
        figures = measure(memberships[smallest], args.as_of, 1, explain=False, profile=False)
        print(
            f"smallest  {smallest} {memberships[smallest].tenant.name}"
            f"（{counted[smallest]} counted townships）: {figures['queries']} queries"
        )
        print("target: API within 2× the raw SQL of the same answer, under 100 ms for a city")
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
