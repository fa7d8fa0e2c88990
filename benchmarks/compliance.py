"""Benchmark: the compliance rules, the compliance report and the city dashboard (issue 12
targets: the compliance API within 1.5× of (floor + hand-written SQL) per rule on 柳州-size
data; the whole PDF under 5 s in the worker; the city dashboard under 150 ms server time
with at most 15 queries).

Creates a scratch database on the configured server (DATABASE_URL, or the embedded
PostgreSQL) and loads two cities:
  - 柳州 (4502), the demo (`stations.demo.demo_load`): 118 township stations, about 5,500
    workers, three contract rounds, monthly supervision sessions and submissions since
    January 2023, training, registrations; the data the platform is shown with;
  - 重庆 (5001), built here in bulk: its 650 townships each with a station (and a county
    centre per county), one three-year contract per county, 20,000 workers (four in five
    licensed, registered, two stationed per station with training), a supervisor for every
    five stations and a session per station and month of the contracts, all months accepted.
Then, with fresh planner statistics (ANALYZE, as autovacuum keeps them on a live server),
for each city, as its city admin, on one day (default: 2026-11-30), it prints:
  - every rule through the whole stack (GET /api/v1/compliance/?rule=CODE, median of
    --runs) with its query count;
  - hand-written SQL of the two heaviest rules (registration_valid: the highest certificate
    of every worker in post, its registrations and the training of the last ended period;
    supervision_sessions_per_station_month_min: accepted months × covered, operating
    stations without a session), with the number of records each finds beside the rule's;
  - the stack's floor: an authenticated trivial API call (GET /api/v1/me/);
  - the ratio API ÷ (floor + SQL) of those two rules (target ≤ 1.5 for 柳州);
  - the whole compliance API (all rules) and the whole PDF as the worker makes it
    (`reports.services.job_run`: both days' rules, the per-county comparison, WeasyPrint;
    target < 5 s);
  - the city dashboard (GET /, server time and queries; targets 150 ms, 15 queries).
Asserts nothing (benchmarks are not timed tests).

Usage: .venv/bin/python benchmarks/compliance.py [--workers N] [--runs N] [--as-of DATE]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("TEST_DATABASE_NAME", "test_bench_compliance")

PDF_TARGET_S = 5.0
DASHBOARD_TARGET_MS = 150.0
DASHBOARD_QUERIES = 15
RATIO_TARGET = 1.5

# registration_valid by hand: each active worker's highest certificate passed by the day,
# its registrations begun by the day (LAG gives the previous period's end), and the one
# that ended last with the training of its period.
REGISTRATION_SQL = """
WITH w AS (
  SELECT id FROM workforce_socialworker WHERE tenant_id = %(tenant)s AND status = 'active'),
c AS (
  SELECT DISTINCT ON (c.worker_id) c.id, c.worker_id, c.level, c.passed_on
  FROM workforce_credential c JOIN w ON w.id = c.worker_id
  WHERE c.passed_on <= %(day)s
  ORDER BY c.worker_id,
           CASE c.level WHEN 'assistant' THEN 1 WHEN 'social_worker' THEN 2 ELSE 3 END DESC),
r AS (
  SELECT g.credential_id, g.registered_on, g.valid_until, g.continuing_education_hours AS ce,
         COALESCE(LAG(g.valid_until) OVER (PARTITION BY g.credential_id
                                           ORDER BY g.registered_on), DATE '1900-01-01') AS prev
  FROM workforce_registration g JOIN c ON c.id = g.credential_id
  WHERE g.registered_on <= %(day)s),
s AS (
  SELECT c.id, c.worker_id, c.level, c.passed_on, min(r.registered_on) AS first_on,
         (array_agg(r.valid_until ORDER BY r.registered_on))[1] AS first_until,
         (array_agg(r.valid_until ORDER BY r.registered_on DESC))[1] AS current_until
  FROM c LEFT JOIN r ON r.credential_id = c.id
  GROUP BY c.id, c.worker_id, c.level, c.passed_on),
e AS (
  SELECT DISTINCT ON (r.credential_id) r.* FROM r WHERE r.valid_until < %(day)s
  ORDER BY r.credential_id, r.valid_until DESC),
t AS (
  SELECT e.credential_id, e.ce + COALESCE(sum(tr.hours), 0) AS hours
  FROM e JOIN c ON c.id = e.credential_id
  LEFT JOIN workforce_training tr ON tr.worker_id = c.worker_id AND tr.held_on >= e.registered_on
       AND tr.held_on > e.prev AND tr.held_on <= e.valid_until
  GROUP BY e.credential_id, e.ce)
SELECT s.worker_id FROM s LEFT JOIN t ON t.credential_id = s.id
WHERE s.current_until < %(day)s
   OR (s.first_on IS NULL AND %(day)s > s.passed_on + interval '1 year')
   OR (s.current_until >= %(day)s AND s.first_on > s.passed_on + interval '1 year'
       AND %(day)s <= s.first_until)
   OR t.hours < CASE s.level WHEN 'assistant' THEN 72 ELSE 90 END
"""

# supervision_sessions_per_station_month_min by hand: accepted months of the day's year,
# the stations their contract covers that month and that operate in it, fewer sessions
# than the minimum.
SESSIONS_SQL = """
WITH acc AS (
  SELECT s.contract_id, s.month, (s.month + interval '1 month - 1 day')::date AS last
  FROM supervision_monthlysubmission s
  JOIN procurement_contract c ON c.id = s.contract_id
  WHERE c.tenant_id = %(tenant)s AND c.kind = 'station_operation' AND s.state = 'accepted'
    AND s.month >= %(year_start)s AND s.month <= %(day)s),
pairs AS (
  SELECT acc.contract_id, acc.month, cf.facility_id
  FROM acc JOIN procurement_contractfacility cf ON cf.contract_id = acc.contract_id
  WHERE cf.live_from IS NOT NULL AND cf.live_from <= acc.last AND cf.live_until >= acc.month
    AND EXISTS (SELECT 1 FROM stations_facilityoperatingperiod p
                WHERE p.facility_id = cf.facility_id AND p.started_on <= acc.last
                  AND (p.ended_on IS NULL OR p.ended_on > acc.month)))
SELECT p.facility_id, p.month, count(ss.id)
FROM pairs p LEFT JOIN supervision_supervisionsession ss
  ON ss.contract_id = p.contract_id AND ss.facility_id = p.facility_id AND ss.month = p.month
GROUP BY p.contract_id, p.facility_id, p.month
HAVING count(ss.id) < %(minimum)s
"""
HEAVIEST = {
    "registration_valid": REGISTRATION_SQL,
    "supervision_sessions_per_station_month_min": SESSIONS_SQL,
}


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def queries_of(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def build_large(code: str, workers: int):
    """重庆-size data in bulk (see the module's docstring); returns the city admin."""
    from django.db import transaction
    from stdnum.cn import ric

    from procurement.models import Organisation
    from procurement.services import contract_create
    from procurement.uscc import uscc_compose
    from stations.divisions import Level
    from stations.models import Division
    from stations.services import policy_value_set
    from stations.services.facilities import facility_create
    from supervision.models import (
        MonthlySubmission,
        SubmissionState,
        SupervisionSession,
        SupervisorAssignment,
    )
    from supervision.services import deadline_on
    from tests.factories import member
    from workforce.id_numbers import id_number_hash, id_number_mask
    from workforce.models import (
        Assignment,
        Credential,
        Population,
        Registration,
        SocialWorker,
        Training,
    )

    started = time.perf_counter()
    admin = member(f"bench_{code}", code, "city_admin")
    tenant = admin.tenant
    policy_value_set(actor=admin, code="minimum_wage_monthly", value="2100",
                     effective_from=datetime.date(2020, 1, 1), note="基准测试")  # fmt: skip
    counties = list(
        Division.objects.filter(
            city_code=code, level=Level.COUNTY, retired_on__isnull=True
        ).order_by("code")
    )
    townships = list(
        Division.objects.filter(
            city_code=code, level=Level.TOWNSHIP, retired_on__isnull=True
        ).order_by("code")
    )
    opened = datetime.date(2020, 1, 1)
    stations: dict[str, list] = {}
    with transaction.atomic():
        for county in counties:
            facility_create(actor=admin, level="county_centre", division_code=county.code,
                            status="operating", established_on=opened)  # fmt: skip
        for index, township in enumerate(townships):
            station = facility_create(
                actor=admin, level="township_station", division_code=township.code,
                status="operating", established_on=opened,
                **{f"has_{stem}": index % 10 != 3 or stem != "rules"
                   for stem in ("site", "equipment", "staff", "services", "workflow", "rules")},
            )  # fmt: skip
            stations.setdefault(township.county_code, []).append(station)
    contracts = {}
    for serial, county in enumerate(counties, start=1):
        if county.county_code not in stations:
            continue
        organisation = Organisation.objects.create(
            tenant=tenant, name=f"{county.name}基准社会工作服务中心",
            uscc=uscc_compose(f"52{county.county_code}", f"MJ{serial:06d}"),
        )  # fmt: skip
        covered = stations[county.county_code]
        amount = Decimal(120000 * len(covered) * 3)
        contracts[county.county_code] = contract_create(
            actor=admin, number=f"CQ{serial:02d}-2024-01", title=f"{county.name}社工站运营项目",
            purchaser=county.code, organisation=organisation.pk, kind="station_operation",
            state="signed", signed_on=datetime.date(2023, 12, 20),
            start_on=datetime.date(2024, 1, 1), end_on=datetime.date(2026, 12, 31),
            amount=amount, funding={"budget": amount},
            facilities=[{"facility": f.pk, "stationed_workers": 2} for f in covered],
            pay={"unlicensed": "3400", "assistant": "4200", "social_worker": "4900"},
            clauses={c: "第三条" for c in ("staffing", "service_content", "service_goals",
                                         "fund_management", "supervision_training",
                                         "evaluation")},
        )  # fmt: skip
    # Workers: the first two per station are stationed, one per five stations supervises.
    all_stations = [s for county in sorted(stations) for s in stations[county]]
    rows = []
    for index in range(workers):
        county = counties[index % len(counties)].county_code
        birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=(index * 7919) % 14000)
        body = f"{county}{birth:%Y%m%d}{index % 997:03d}"
        number = body + ric.calc_check_digit(body + "0")
        rows.append(SocialWorker(
            tenant=tenant, name=f"社工{index:05d}", gender="male" if index % 2 else "female",
            id_number=number, id_number_hash=id_number_hash(number),
            id_number_masked=id_number_mask(number), birth_date=birth, registered_county=county,
            specialties=[("elderly_care", "social_assistance", "minor_protection",
                          "judicial_protection")[index % 4]],
        ))  # fmt: skip
    people = SocialWorker.objects.bulk_create(rows, batch_size=2000)
    credentials = Credential.objects.bulk_create(
        [
            Credential(
                tenant=tenant,
                worker=person,
                level="assistant" if index % 7 else "social_worker",
                certificate_number=f"CQ{index:06d}",
                exam_year=2015 + index % 10,
                passed_on=datetime.date(2015 + index % 10, 7, 1),
            )  # fmt: skip
            for index, person in enumerate(people)
            if index % 5 != 4
        ],
        batch_size=2000,
    )
    registrations = []
    for index, credential in enumerate(credentials):
        registered = credential.passed_on + datetime.timedelta(days=60)
        while registered <= datetime.date(2026, 11, 30):
            until = registered.replace(year=registered.year + 3) - datetime.timedelta(days=1)
            registrations.append(Registration(
                tenant=tenant, credential=credential, registered_on=registered,
                valid_until=until, continuing_education_hours=Decimal(40 if index % 30 == 7
                                                                      else 96),
            ))  # fmt: skip
            if index % 50 == 11:
                break  # lapsed
            registered = until + datetime.timedelta(days=1)
    Registration.objects.bulk_create(registrations, batch_size=5000)
    posts, trainings, assignments = [], [], []
    for position, station in enumerate(all_stations):
        contract = contracts[station.county_code]
        for seat in range(2):
            person = people[position * 2 + seat]
            posts.append(Assignment(
                tenant=tenant, worker=person, facility=station, county_code=station.county_code,
                role="stationed", contract=contract, started_on=datetime.date(2024, 1, 1),
            ))  # fmt: skip
            for year in (2024, 2025, 2026):
                for quarter in range(4 if person.pk % 10 != 3 else 2):
                    trainings.append(Training(
                        tenant=tenant, worker=person, course="社会救助政策与实务",
                        held_on=datetime.date(year, 2 + quarter * 3, 10), hours=Decimal(12),
                        form="offline",
                    ))  # fmt: skip
        supervisor = people[len(all_stations) * 2 + position // 5]
        assignments.append(SupervisorAssignment(
            tenant=tenant, supervisor=supervisor, contract=contract, facility=station,
            started_on=datetime.date(2024, 1, 1),
        ))  # fmt: skip
    Assignment.objects.bulk_create(posts, batch_size=2000)
    Training.objects.bulk_create(trainings, batch_size=5000)
    SupervisorAssignment.objects.bulk_create(assignments, batch_size=2000)
    months = []
    month = datetime.date(2024, 1, 1)
    while month < datetime.date(2026, 11, 1):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    zone = datetime.timezone(datetime.timedelta(hours=8))
    sessions = []
    for assignment in assignments:
        for month in months:
            if (assignment.facility_id + month.month) % 40 == 0:
                continue  # one station-month in forty without a session
            begin = datetime.datetime(month.year, month.month, 12, 9, tzinfo=zone)
            sessions.append(SupervisionSession(
                tenant=tenant, contract=assignment.contract, facility_id=assignment.facility_id,
                supervisor=assignment.supervisor, month=month, started_at=begin,
                ended_at=begin + datetime.timedelta(days=1, hours=8), hours=Decimal(16),
                form="on_site", topics="个案督导",
            ))  # fmt: skip
    SupervisionSession.objects.bulk_create(sessions, batch_size=5000)
    submitted = datetime.datetime(2026, 11, 5, 10, tzinfo=zone)
    MonthlySubmission.objects.bulk_create(
        [
            MonthlySubmission(
                tenant=tenant,
                contract=contract,
                month=month,
                state=SubmissionState.ACCEPTED,
                submitted_at=submitted,
                first_submitted_at=submitted,
                deadline=deadline_on(month, 10),
                reviewed_at=submitted,
            )  # fmt: skip
            for contract in contracts.values()
            for month in months
        ],
        batch_size=2000,
    )
    Population.objects.bulk_create(
        [
            Population(
                tenant=tenant, division=county, year=2024, population=1_000_000, source="基准测试"
            )  # fmt: skip
            for county in counties
        ]
    )
    print(
        f"{code}: built {len(all_stations)} stations, {len(contracts)} contracts, "
        f"{len(people)} workers ({len(credentials)} licensed), {len(registrations)} "
        f"registrations, {len(posts)} posts, {len(trainings)} trainings, {len(sessions)} "
        f"sessions in {time.perf_counter() - started:.0f} s"
    )
    return admin


def measure(admin, day: datetime.date, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from reports.services import job_request, job_run
    from stations.models import Membership
    from stations.registry import rules
    from stations.scoping import scope_of
    from stations.selectors import policy_value

    membership = Membership.objects.select_related("tenant", "user", "scope").get(pk=admin.pk)
    code = membership.tenant.code
    client = APIClient()
    client.force_authenticate(membership.user)
    base = f"/api/v1/compliance/?division={code}&as_of={day.isoformat()}"
    floor = median_ms(lambda: client.get("/api/v1/me/"), runs)
    print(f"{code} ({membership.tenant.name}) on {day}: floor (GET /api/v1/me/) {floor:.1f} ms")
    params = {
        "tenant": membership.tenant_id,
        "day": day,
        "year_start": datetime.date(day.year, 1, 1),
        "minimum": int(
            policy_value(scope_of(membership), "supervision_sessions_per_station_month_min", day)
        ),
    }
    for rule in rules():
        url = f"{base}&rule={rule.code}"
        body = client.get(url).json()["rules"][0]
        api_ms = median_ms(lambda url=url: client.get(url), runs)
        count = queries_of(lambda url=url: client.get(url))
        line = (
            f"  {rule.code:44s} {api_ms:8.1f} ms {count:3d} queries  "
            f"{len(body['findings']):6d} records"
        )
        sql = HEAVIEST.get(rule.code)
        if sql:

            def hand_written(sql=sql):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()

            found = len(hand_written())
            sql_ms = median_ms(hand_written, runs)
            ratio = api_ms / (floor + sql_ms)
            line += (
                f" · hand-written SQL {sql_ms:.1f} ms ({found} records) · "
                f"API ÷ (floor + SQL) = {ratio:.2f} (target ≤ {RATIO_TARGET})"
            )
        print(line)
    whole = median_ms(lambda: client.get(base), max(3, runs // 3))
    print(f"  whole compliance API (every rule): {whole:.0f} ms")
    job = job_request(actor=membership, kind="compliance",
                      parameters={"as_of": day.isoformat(), "format": "pdf"})  # fmt: skip
    started = time.perf_counter()
    job = job_run(job_id=job.pk)
    pdf_s = time.perf_counter() - started
    size = job.result_file.size if job.result_file else 0
    print(
        f"  compliance PDF in the worker (job_run): {pdf_s:.2f} s, {size // 1024} KB, "
        f"status {job.status} (target < {PDF_TARGET_S:.0f} s)"
    )
    page = Client()
    page.force_login(membership.user)
    page.get("/")
    dashboard_ms = median_ms(lambda: page.get("/"), runs)
    dashboard_q = queries_of(lambda: page.get("/"))
    print(
        f"  city dashboard GET /: {dashboard_ms:.1f} ms server time, {dashboard_q} queries "
        f"(targets < {DASHBOARD_TARGET_MS:.0f} ms, ≤ {DASHBOARD_QUERIES} queries)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=20000, help="workers of 重庆 (5001)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--as-of", default="2026-11-30")
    args = parser.parse_args()

    import logging

    import django
    from django.db import connection, connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    django.setup()
    logging.disable(logging.INFO)  # WeasyPrint's progress lines
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from stations.demo import demo_load
    from stations.models import Role
    from stations.selectors import memberships_of

    # DEBUG off (no query log in the timings), 'testserver' allowed, cheap password hashes.
    setup_test_environment(debug=False)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A throwaway database so that a developer's data and other test runs are never touched.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ["TEST_DATABASE_NAME"]
    day = datetime.date.fromisoformat(args.as_of)
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        started = time.perf_counter()
        demo_load(password="bench-password-123")
        print(f"4502: demo loaded in {time.perf_counter() - started:.0f} s")
        liuzhou = memberships_of(get_user_model().objects.get(username="demo_city")).get(
            role=Role.CITY_ADMIN
        )
        chongqing = build_large("5001", args.workers)
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them
            cursor.execute("ANALYZE")
        for admin in (liuzhou, chongqing):
            measure(admin, day, args.runs)
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
