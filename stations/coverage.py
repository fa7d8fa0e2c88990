"""The coverage engine (DESIGN.md §4).

coverage(scope, date) = counted township units in scope with at least one
operating township station on that date ÷ counted township units in scope on
that date. Everything is computed in the database in a fixed number of
queries whatever the size of the scope: four for a date, one for a timeline.
Operating periods are never overwritten, so a past date gets its past answer.

Which units count on a day follows the kinds and the tenant's coverage
overrides in force that day: adding an override today never changes an
earlier day's figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When

from stations.divisions import COUNTED_KINDS, Level
from stations.models import Division, FacilityLevel, FacilityOperatingPeriod
from stations.scoping import scope_of
from stations.selectors import Actor, divisions_visible, divisions_with_counting

# The code column that groups townships by each kind of child of a scope.
_GROUP_FIELD = {Level.COUNTY: "county_code", Level.TOWNSHIP: "township_code"}
_PREFIX_FIELD = {
    Level.CITY: "city_code",
    Level.COUNTY: "county_code",
    Level.TOWNSHIP: "township_code",
}
MAX_TIMELINE_MONTHS = 240


@dataclass
class ChildCoverage:
    division: Division
    covered: int
    total: int

    @property
    def rate(self) -> float | None:
        return rate(self.covered, self.total)


@dataclass
class Coverage:
    division: Division
    as_of: datetime.date
    covered: int
    total: int
    facilities: dict[str, int]
    children: list[ChildCoverage] = field(default_factory=list)
    uncovered: list[dict] = field(default_factory=list)
    # Units whose counting a tenant override decides that day: code, name, parent__name,
    # counted, reason, effective_from.
    overridden: list[dict] = field(default_factory=list)

    @property
    def included_by_override(self) -> list[dict]:
        return [unit for unit in self.overridden if unit["counted"]]

    @property
    def excluded_by_override(self) -> list[dict]:
        return [unit for unit in self.overridden if not unit["counted"]]

    @property
    def rate(self) -> float | None:
        return rate(self.covered, self.total)


@dataclass
class TimelinePoint:
    date: datetime.date
    covered: int
    total: int

    @property
    def rate(self) -> float | None:
        return rate(self.covered, self.total)


def rate(covered: int, total: int) -> float | None:
    """covered ÷ total as a fraction rounded to 4 places; None when nothing counts."""
    return round(covered / total, 4) if total else None


def operating_on(as_of: datetime.date) -> Q:
    """Periods that include ``as_of``."""
    return Q(started_on__lte=as_of) & (Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))


def township_units_on(actor: Actor, within: Division, as_of: datetime.date) -> QuerySet:
    """Township units under ``within`` that existed on ``as_of``, annotated with
    ``is_counted`` (overrides in force that day) and ``covered`` (an operating
    township station that day)."""
    prefix_field = _PREFIX_FIELD.get(Level(within.level))
    if prefix_field is None:
        return Division.objects.none()
    stations = FacilityOperatingPeriod.objects.filter(
        operating_on(as_of),
        tenant_id=scope_of(actor).tenant_id,
        division_id=OuterRef("pk"),
        level=FacilityLevel.TOWNSHIP_STATION,
    )
    return (
        divisions_with_counting(actor, as_of)
        .filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=as_of),
            level=Level.TOWNSHIP,
            **{prefix_field: getattr(within, prefix_field)},
        )
        .annotate(covered=Exists(stations))
    )


def counted_units(actor: Actor, within: Division, as_of: datetime.date) -> QuerySet:
    """Counted township units under ``within`` that existed on ``as_of``, with ``covered``."""
    # is_counted is an annotation of divisions_with_counting.
    return township_units_on(actor, within, as_of).filter(is_counted=True)  # type: ignore[misc]


def coverage_at(actor: Actor, within: Division, as_of: datetime.date) -> Coverage:
    """Coverage of a city, county or township in scope on a date, with its breakdown.

    Four queries whatever the scope: children, counts per child, the units that
    are uncovered or overridden, facilities by level.
    """
    # Built once: constructing the annotated queryset costs more than running it.
    townships = township_units_on(actor, within, as_of)
    units = townships.filter(is_counted=True)  # type: ignore[misc]  # an annotation
    children = list(
        divisions_visible(actor)
        .filter(parent=within, level__in=[Level.COUNTY, Level.TOWNSHIP])
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=as_of))
        .order_by("code")
    )
    child_rows: list[ChildCoverage] = []
    if children:
        group = _GROUP_FIELD[Level(children[0].level)]
        counts = {
            row[group]: row
            for row in units.values(group).annotate(
                total=Count("code"), covered_count=Count("code", filter=Q(covered=True))
            )
        }
        for child in children:
            row = counts.get(getattr(child, group), {})
            child_rows.append(
                ChildCoverage(child, covered=row.get("covered_count", 0), total=row.get("total", 0))
            )
        total = sum(child.total for child in child_rows)
        covered = sum(child.covered for child in child_rows)
    else:
        totals = units.aggregate(
            total=Count("code"), covered_count=Count("code", filter=Q(covered=True))
        )
        total, covered = totals["total"], totals["covered_count"]
    # Parent names come from the divisions already read: joining the division
    # table to itself here made PostgreSQL hash the whole country (8 ms for a city).
    parent_names = {child.code: child.name for child in children}
    parent_names[within.code] = within.name
    if within.level == Level.TOWNSHIP and within.parent is not None:  # its only unit is itself
        parent_names[within.parent.code] = within.parent.name
    uncovered, overridden = [], []
    notable = (
        townships.filter(Q(is_counted=True, covered=False) | Q(has_override=True))
        .order_by("code")
        .values_list(
            "code",
            "name",
            "parent_id",
            "is_counted",
            "covered",
            "has_override",
            "override_reason",
            "override_from",
        )
    )
    for code, name, parent_id, counted, is_covered, has_override, reason, since in notable:
        unit = {"code": code, "name": name, "parent__name": parent_names.get(parent_id, "")}
        if counted and not is_covered:
            uncovered.append(unit)
        if has_override:
            overridden.append(
                {**unit, "counted": counted, "reason": reason, "effective_from": since}
            )
    return Coverage(
        division=within,
        as_of=as_of,
        covered=covered,
        total=total,
        facilities=facilities_operating(actor, within, as_of),
        children=child_rows,
        uncovered=uncovered,
        overridden=overridden,
    )


def facilities_operating(actor: Actor, within: Division, as_of: datetime.date) -> dict[str, int]:
    """Facilities operating on ``as_of`` under ``within``, counted by level (one query)."""
    periods = FacilityOperatingPeriod.objects.filter(
        operating_on(as_of), tenant_id=scope_of(actor).tenant_id
    )
    if within.level == Level.COUNTY:
        periods = periods.filter(facility__county_code=within.county_code)
    elif within.level == Level.TOWNSHIP:
        periods = periods.filter(division__township_code=within.township_code)
    counts = {level: 0 for level in FacilityLevel.values}
    # order_by(): the model's default ordering by facility would join every facility.
    grouped = periods.order_by().values("level").annotate(count=Count("facility_id", distinct=True))
    for row in grouped:
        counts[row["level"]] = row["count"]
    return counts


def month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Last days of the months from ``start`` to ``end``; the last point is ``end`` itself."""
    points = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        last = datetime.date(next_year, next_month, 1) - datetime.timedelta(days=1)
        points.append(min(last, end))
        year, month = next_year, next_month
    return points


def coverage_timeline(
    actor: Actor, within: Division, start: datetime.date, end: datetime.date
) -> list[TimelinePoint]:
    """Coverage at the end of every month from ``start`` to ``end``, in one query.

    Each day counts the units by the kinds and the overrides in force that day.
    """
    days = month_ends(start, end)
    if not days:
        return []
    prefix_field = _PREFIX_FIELD.get(Level(within.level))
    if prefix_field is None:
        return [TimelinePoint(date=day, total=0, covered=0) for day in days]
    # Township units that existed at some point of the span, with the default rule;
    # the query decides per day whether each existed and whether an override applies.
    units = (
        divisions_visible(actor)
        .filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=start),
            level=Level.TOWNSHIP,
            **{prefix_field: getattr(within, prefix_field)},
        )
        .annotate(
            default_counted=Case(
                When(township_kind__in=COUNTED_KINDS, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("code", "retired_on", "default_counted")
    )
    units_sql, units_params = units.query.sql_with_params()
    tenant_id = scope_of(actor).tenant_id
    sql = f"""
        WITH days AS (SELECT unnest(%s::date[]) AS day),
             units AS ({units_sql}),
             day_units AS (
               SELECT days.day, units.code,
                      COALESCE(o.counted, units.default_counted) AS counted
               FROM days
               JOIN units ON units.retired_on IS NULL OR units.retired_on > days.day
               LEFT JOIN LATERAL (
                 SELECT o.counted FROM stations_coverageoverride o
                 WHERE o.tenant_id = %s AND o.division_id = units.code
                   AND o.effective_from <= days.day
                   AND (o.effective_to IS NULL OR o.effective_to >= days.day)
                 LIMIT 1) o ON TRUE)
        SELECT days.day,
               count(day_units.code) FILTER (WHERE day_units.counted) AS total,
               count(day_units.code) FILTER (
                   WHERE day_units.counted AND EXISTS (
                       SELECT 1 FROM stations_facilityoperatingperiod p
                       WHERE p.tenant_id = %s AND p.division_id = day_units.code
                         AND p.level = %s AND p.started_on <= days.day
                         AND (p.ended_on IS NULL OR p.ended_on > days.day))) AS covered
        FROM days LEFT JOIN day_units ON day_units.day = days.day
        GROUP BY days.day ORDER BY days.day
    """  # noqa: S608 - units_sql is the ORM's own SQL, values go as parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [days, *units_params, tenant_id, tenant_id, FacilityLevel.TOWNSHIP_STATION]
        )
        return [
            TimelinePoint(date=day, total=total, covered=covered)
            for day, total, covered in cursor.fetchall()
        ]
