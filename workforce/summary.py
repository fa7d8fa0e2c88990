"""The workforce summary: the figures of the plan's second goal for a city or county on a day.

One function, used by the API, the pages and the rules, computed in the database in a
fixed number of queries whatever the number of workers:

- licensed (持证) social workers: workers holding a certificate obtained by the day, by
  their highest level; a county counts the workers it registered or stationed there;
- per 1,000 inhabitants (‰), against the latest population figure of the division not
  after the day's year;
- growth of the licensed total since the end of an earlier year;
- the share of the licensed total in each specialty;
- operating township stations where no licensed worker is stationed (驻站社工 or 站长)
  that day;
- registrations in force expiring within ENDING_SOON days.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.expressions import Case, Value, When

from procurement.selectors import stations_operating
from stations.divisions import Level
from stations.models import Division
from stations.scoping import Scope
from workforce.models import (
    LEVEL_RANK,
    Assignment,
    AssignmentRole,
    Credential,
    Population,
    Registration,
    SocialWorker,
    Specialty,
)
from workforce.selectors import social_workers_visible

EXPIRING_WITHIN_DAYS = 90  # the horizon for registrations to renew (issue 10)
# The roles that put a worker at a station (驻站社工 and 站长); a 督导 visits from outside.
STATION_ROLES = (AssignmentRole.STATIONED, AssignmentRole.HEAD)
CITY = ""  # the key of the city's total in licensed_series


def year_elapsed(day: datetime.date) -> float:
    """The fraction of ``day``'s year passed by the end of that day (1.0 on 31 December)."""
    return day.timetuple().tm_yday / (366 if calendar.isleap(day.year) else 365)


def on_post(day: datetime.date, prefix: str = "") -> Q:
    """Assignments running on ``day`` (both ends included); ``prefix`` names the relation
    when filtering from another model (``"assignments__"``)."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


@dataclass
class WorkforceSummary:
    """The figures (see the module docstring); ``per_thousand`` in ‰, ``growth_rate`` and
    ``specialties`` values as fractions (0.1 = 10 %)."""

    division: Division
    as_of: datetime.date
    licensed: int
    by_level: dict[str, int]
    population: int | None
    population_year: int | None
    per_thousand: float | None
    growth_since: int
    growth_from: int
    growth_rate: float | None
    specialties: dict[str, float]
    townships_without_licensed: list[dict] = field(default_factory=list)
    expiring_registrations: int = 0
    passes: dict = field(default_factory=dict)


def workers_in(scope: Scope, division: Division, day: datetime.date) -> QuerySet[SocialWorker]:
    """The workers of a city (every worker in scope) or a county (registered by it, or
    stationed there on ``day`` as 驻站社工 or 站长; a 督导 visiting does not count)."""
    workers = social_workers_visible(scope)
    if division.level == Level.COUNTY:
        stationed = Assignment.objects.filter(
            on_post(day),
            worker=OuterRef("pk"),
            county_code=division.county_code,
            role__in=STATION_ROLES,
        )
        workers = workers.filter(Q(registered_county=division.county_code) | Exists(stationed))
    return workers


def _rank() -> Case:
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        output_field=IntegerField(),
    )


def licensed_levels(
    scope: Scope, division: Division, days: list[datetime.date]
) -> dict[datetime.date, dict[str, int]]:
    """{day: {level: number of workers of ``division`` (see ``workers_in``) whose highest
    certificate obtained by that day is that level}} for each of ``days``, in one query."""
    workers = social_workers_visible(scope).values("pk", "registered_county")
    workers_sql, workers_params = workers.query.sql_with_params()
    county = division.county_code if division.level == Level.COUNTY else ""
    ranks = " ".join("WHEN %s THEN %s" for _level in LEVEL_RANK)
    sql = f"""
        WITH days AS (SELECT unnest(%s::date[]) AS day),
             workers(id, county) AS ({workers_sql}),
             members AS (
               SELECT days.day, w.id FROM days JOIN workers w
                 ON %s = '' OR w.county = %s OR EXISTS (
                   SELECT 1 FROM workforce_assignment a
                   WHERE a.worker_id = w.id AND a.county_code = %s
                     AND a.role = ANY(%s) AND a.started_on <= days.day
                     AND (a.ended_on IS NULL OR a.ended_on >= days.day))),
             tops AS (
               SELECT m.day, max(CASE c.level {ranks} END) AS top
               FROM members m JOIN workforce_credential c
                 ON c.worker_id = m.id AND c.passed_on <= m.day
               GROUP BY m.day, m.id)
        SELECT day, top, count(*) FROM tops GROUP BY day, top
    """  # noqa: S608 - workers_sql is the ORM's own SQL, values go as parameters
    params = [
        list(days),
        *workers_params,
        county,
        county,
        county,
        list(STATION_ROLES),
        *(value for level, rank in LEVEL_RANK.items() for value in (level, rank)),
    ]
    by_rank: dict[datetime.date, dict[int, int]] = {day: {} for day in days}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, top, n in cursor.fetchall():
            by_rank[day][top] = n
    return {
        day: {level: counts.get(rank, 0) for level, rank in LEVEL_RANK.items()}
        for day, counts in by_rank.items()
    }


def licensed_on(workers: QuerySet[SocialWorker], day: datetime.date) -> QuerySet[SocialWorker]:
    """The workers of ``workers`` holding a certificate obtained by ``day``."""
    return workers.filter(pk__in=Credential.objects.filter(passed_on__lte=day).values("worker"))


def specialty_shares(
    workers: QuerySet[SocialWorker], day: datetime.date, licensed: int
) -> dict[str, float]:
    """{specialty: share of the ``licensed`` workers of ``workers`` in it on ``day``}, as
    fractions (a worker may have several specialties), in one query; 0.0 when none."""
    counts = licensed_on(workers, day).aggregate(
        **{code: Count("pk", filter=Q(specialties__contains=[code])) for code in Specialty.values}
    )
    return {code: (counts[code] / licensed if licensed else 0.0) for code in Specialty.values}


def exam_passes(workers: QuerySet[SocialWorker], as_of: datetime.date) -> dict:
    """Certificates of ``workers`` obtained in the national exam of ``as_of``'s year and of
    the year before, by the day: ``{"year", "count", "previous", "rate"}``, ``rate`` the
    change as a fraction (None without passes the year before). A worker passing the
    next level counts again: these are passes, not workers."""
    year = as_of.year
    counts = Credential.objects.filter(
        worker__in=workers.values("pk"), passed_on__lte=as_of
    ).aggregate(
        count=Count("pk", filter=Q(exam_year=year)),
        previous=Count("pk", filter=Q(exam_year=year - 1)),
    )
    previous = counts["previous"]
    rate = (counts["count"] - previous) / previous if previous else None
    return {"year": year, "count": counts["count"], "previous": previous, "rate": rate}


def registrations_expiring(
    workers: QuerySet[SocialWorker], as_of: datetime.date
) -> QuerySet[Registration]:
    """The registrations of ``workers`` valid on ``as_of`` that end within
    EXPIRING_WITHIN_DAYS days and have not been renewed by then."""
    return Registration.objects.filter(
        credential__worker__in=workers.values("pk"),
        registered_on__lte=as_of,
        valid_until__gte=as_of,
        valid_until__lte=as_of + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
    ).exclude(
        Exists(
            # A re-registration recorded by the day; a later one did not exist yet.
            Registration.objects.filter(
                credential=OuterRef("credential"),
                registered_on__gt=OuterRef("registered_on"),
                registered_on__lte=as_of,
            )
        )
    )


def workforce_summary(
    scope: Scope, division: Division, as_of: datetime.date, since: int | None = None
) -> WorkforceSummary:
    """The summary for ``division`` (the city or a county in scope) on ``as_of``; growth
    is measured from the end of year ``since`` (default: the year before)."""
    workers = workers_in(scope, division, as_of)
    since = since if since is not None else as_of.year - 1
    start = datetime.date(since, 12, 31)
    levels = licensed_levels(scope, division, [as_of, start])
    by_level = levels[as_of]
    licensed = sum(by_level.values())
    growth_from = sum(levels[start].values())
    growth_rate = (licensed - growth_from) / growth_from if growth_from else None
    figure = (
        Population.objects.filter(
            tenant_id=scope.tenant_id, division=division, year__lte=as_of.year
        )
        .order_by("-year")
        .first()
    )
    per_thousand = licensed / figure.population * 1000 if figure and figure.population else None
    specialties = specialty_shares(workers, as_of, licensed)
    county = division.county_code if division.level == Level.COUNTY else None
    stationed_licensed = Assignment.objects.filter(
        on_post(as_of),
        facility=OuterRef("pk"),
        role__in=STATION_ROLES,
        worker__in=Credential.objects.filter(passed_on__lte=as_of).values("worker"),
    )
    without = list(
        stations_operating(scope, as_of, county)
        .exclude(Exists(stationed_licensed))
        .order_by("county_code", "division_id")
        .values("pk", "name", "division_id")
    )
    current = registrations_expiring(workers, as_of)
    return WorkforceSummary(
        passes=exam_passes(workers, as_of),
        division=division,
        as_of=as_of,
        licensed=licensed,
        by_level=by_level,
        population=figure.population if figure else None,
        population_year=figure.year if figure else None,
        per_thousand=per_thousand,
        growth_since=since,
        growth_from=growth_from,
        growth_rate=growth_rate,
        specialties=specialties,
        townships_without_licensed=[
            {"facility": row["pk"], "name": row["name"], "division": row["division_id"][:9]}
            for row in without
        ],
        expiring_registrations=current.count(),
    )


def licensed_series(scope: Scope, days: list[datetime.date]) -> dict[datetime.date, dict[str, int]]:
    """Licensed workers on each of ``days``: ``{day: {county code: n, CITY: n}}``, in one query.

    A county counts the workers it registered or stationed there that day as 驻站社工 or
    站长 (as ``workers_in``); a worker may count in two counties, never twice in the city, whose
    total is every licensed worker in scope. Counties without any are absent.
    """
    if not days:
        return {}
    # No ordering: Meta's would sort every worker by tenant and name for nothing.
    workers = social_workers_visible(scope).order_by().values("pk", "registered_county")
    workers_sql, workers_params = workers.query.sql_with_params()
    # Three disjoint parts, summed per (day, county): the licensed workers registered in a
    # county; those stationed in a county other than the one that registered them (each
    # once a day and county); and the city's total.
    sql = f"""
        WITH days AS (SELECT unnest(%s::date[]) AS day),
             workers(id, registered_county) AS ({workers_sql}),
             first_passed AS (
               SELECT c.worker_id, w.registered_county AS county, min(c.passed_on) AS passed_on
               FROM workforce_credential c JOIN workers w ON w.id = c.worker_id
               GROUP BY c.worker_id, w.registered_county),
             licensed AS (
               SELECT days.day, f.worker_id AS worker, f.county
               FROM days JOIN first_passed f ON f.passed_on <= days.day)
        SELECT day, county, count(*) FROM licensed WHERE county <> '' GROUP BY day, county
        UNION ALL
        SELECT l.day, a.county_code, count(DISTINCT l.worker) FROM licensed l
        JOIN workforce_assignment a ON a.worker_id = l.worker AND a.role = ANY(%s)
          AND a.started_on <= l.day AND (a.ended_on IS NULL OR a.ended_on >= l.day)
        WHERE a.county_code <> '' AND a.county_code <> l.county
        GROUP BY l.day, a.county_code
        UNION ALL
        SELECT day, %s, count(*) FROM licensed GROUP BY day
    """  # noqa: S608 - workers_sql is the ORM's own SQL, values go as parameters
    series: dict[datetime.date, dict[str, int]] = {day: {CITY: 0} for day in days}
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(days), *workers_params, list(STATION_ROLES), CITY])
        for day, county, n in cursor.fetchall():
            series[day][county] = series[day].get(county, 0) + n
    return series


@dataclass
class TrendPoint:
    """The licensed total at the end of ``year`` (or on the day, for the day's year) and
    the plan's path for it (None where the policy sets none)."""

    year: int
    day: datetime.date
    licensed: int
    plan: float | None


@dataclass
class CountyDensity:
    """A county's licensed workers on the day per 1,000 inhabitants (‰) of its latest
    population figure not after the day's year (None without one)."""

    division: Division
    licensed: int
    population: int | None
    per_thousand: float | None


@dataclass
class WorkforceTrend:
    points: list[TrendPoint]
    baseline_year: int | None
    counties: list[CountyDensity]


def workforce_trend(
    scope: Scope, division: Division, as_of: datetime.date, counties: list[Division]
) -> WorkforceTrend:
    """Licensed totals at each year's end from the policy's ``licensed_baseline_year``
    (else five years back) to the day, beside the plan's path: the baseline compounded by
    each year's ``licensed_growth_rate``; and the density of each of ``counties`` on the
    day. Three queries, whatever the number of workers or years."""
    from stations.selectors import policy_values_visible

    rows = list(
        policy_values_visible(scope).filter(
            code__in=["licensed_growth_rate", "licensed_baseline_year"]
        )
    )

    def value_on(code: str, day: datetime.date) -> float | None:
        for row in rows:
            if row.code != code:
                continue
            if row.effective_from <= day and (row.effective_to is None or day <= row.effective_to):
                return float(row.value)
        return None

    def rate_on(day: datetime.date) -> float | None:
        return value_on("licensed_growth_rate", day)

    baseline = value_on("licensed_baseline_year", as_of)
    baseline_year: int | None = int(baseline) if baseline is not None else None
    first = min(baseline_year, as_of.year - 1) if baseline_year else as_of.year - 5
    days = [datetime.date(year, 12, 31) for year in range(first, as_of.year)] + [as_of]
    series = licensed_series(scope, days)
    key = division.county_code if division.level == Level.COUNTY else CITY
    points = []
    plan: float | None = None
    for day in days:
        licensed = series[day].get(key, 0)
        if baseline_year is not None and day.year == baseline_year:
            plan = float(licensed)
        elif plan is not None:
            rate = rate_on(day)
            # The day itself, before 31 December: the same pace for the part of its year.
            share = year_elapsed(day)
            plan = plan * (1 + rate) ** share if rate is not None else None
        points.append(TrendPoint(year=day.year, day=day, licensed=licensed, plan=plan))
    figures = {
        row.division_id: row.population
        for row in Population.objects.filter(
            tenant_id=scope.tenant_id,
            division__in=[county.code for county in counties],
            year__lte=as_of.year,
        )
        .order_by("division_id", "-year")
        .distinct("division_id")
    }
    density = []
    for county in counties:
        licensed = series[as_of].get(county.county_code, 0)
        population = figures.get(county.code)
        density.append(
            CountyDensity(
                division=county,
                licensed=licensed,
                population=population,
                per_thousand=licensed / population * 1000 if population else None,
            )
        )
    return WorkforceTrend(points=points, baseline_year=baseline_year, counties=density)
