"""Scoped reads for divisions, tenants, memberships and facilities.

Every function takes the acting scope (``stations.scoping.Scope``; a
membership is accepted and turned into its scope) and returns only what it
may see: its tenant, its county if it has one, the id sets its providers
contributed. A function named ``dangerously_…`` ignores scope and is for the
platform operator's commands only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.divisions import COUNTED_KINDS, InvalidDivisionCode, Level, normalize_code
from stations.history import HistoryEntry, history_entries
from stations.models import (
    CoverageOverride,
    Division,
    Facility,
    ImportJob,
    Membership,
    PolicyValue,
)
from stations.policy import PolicyMissing, definition
from stations.scoping import FACILITIES, Scope, scope_of
from stations.scoping import memberships_of as memberships_of  # re-exported

Actor = Membership | Scope


def divisions_visible(actor: Actor) -> QuerySet[Division]:
    """Divisions inside the scope (its county, else its city), the county or city included.

    A scope without the station network (contractors, evaluators) sees none.
    """
    scope = scope_of(actor)
    if not scope.network:
        return Division.objects.none()
    if scope.county_code:
        return Division.objects.filter(county_code=scope.county_code)
    return Division.objects.filter(city_code=scope.tenant_code)


def division_get(actor: Actor, code: object, *, counting: bool = True) -> Division:
    """The division with this (full or short) code in scope; 404 when malformed, missing or foreign.

    Annotated like ``divisions_with_counting`` unless ``counting`` is False
    (callers that only need the division skip the override subqueries).
    """
    try:
        full_code = normalize_code(code)
    except InvalidDivisionCode as error:
        raise Http404(str(error)) from error
    divisions = divisions_with_counting(actor) if counting else divisions_visible(actor)
    try:
        return divisions.select_related("parent").get(code=full_code)
    except Division.DoesNotExist as error:
        raise Http404("division not found") from error


def division_path(actor: Actor, division: Division) -> list[Division]:
    """Ancestors of ``division`` from the membership's scope root down to it, for breadcrumbs."""
    codes = [
        division.province_code,
        division.city_code,
        division.county_code,
        division.township_code,
    ]
    ancestor_codes = {code.ljust(12, "0") for code in codes} - {division.code}
    ancestors = divisions_visible(actor).filter(code__in=ancestor_codes).order_by("code")
    return [*ancestors, division]


def in_force_on(as_of: datetime.date) -> Q:
    """Rows with an ``effective_from``–``effective_to`` period (both days included) covering
    ``as_of``; an open end never ends."""
    return Q(effective_from__lte=as_of) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=as_of)
    )


def coverage_overrides_visible(actor: Actor) -> QuerySet[CoverageOverride]:
    """The scope's tenant's coverage overrides of units inside the scope, every period."""
    scope = scope_of(actor)
    return (
        CoverageOverride.objects.filter(
            tenant_id=scope.tenant_id,
            division__in=divisions_visible(scope).values("code"),
        )
        .select_related("division", "division__parent", "updated_by")
        .order_by("division_id", "effective_from")
    )


def divisions_with_counting(actor: Actor, as_of: datetime.date | None = None) -> QuerySet[Division]:
    """Divisions in scope annotated with whether station coverage counts them on ``as_of``.

    ``is_counted`` is the tenant's override in force that day (default today)
    where one exists, else the default rule (街道, 镇 and 乡 count; 类似乡级单位
    and non-township levels do not); ``override_reason`` is that override's
    reason or None, ``override_from`` the day it applies from.
    """
    scope = scope_of(actor)
    as_of = as_of or timezone.localdate()
    overrides = CoverageOverride.objects.filter(
        in_force_on(as_of), tenant_id=scope.tenant_id, division_id=OuterRef("pk")
    )
    default_counted = Case(
        When(level=Level.TOWNSHIP, township_kind__in=COUNTED_KINDS, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return divisions_visible(scope).annotate(
        is_counted=Coalesce(Subquery(overrides.values("counted")[:1]), default_counted),
        override_reason=Subquery(overrides.values("reason")[:1]),
        override_from=Subquery(overrides.values("effective_from")[:1]),
        has_override=Exists(overrides),
    )


def township_units(actor: Actor) -> QuerySet[Division]:
    """Current (not retired) township units in scope, annotated as ``divisions_with_counting``."""
    return divisions_with_counting(actor).filter(level=Level.TOWNSHIP, retired_on__isnull=True)


def children_with_township_counts(actor: Actor, parent: Division) -> list[dict]:
    """Children of ``parent`` in scope with their township units: total, counted and excluded.

    Two queries whatever the number of children: the children, and one grouped
    count over the township units below them.
    """
    children = list(
        divisions_visible(actor).filter(parent=parent, retired_on__isnull=True).order_by("code")
    )
    if not children:
        return []
    child_level = children[0].level
    group_field = {
        Level.CITY: "city_code",
        Level.COUNTY: "county_code",
        Level.TOWNSHIP: "township_code",
    }.get(Level(child_level))
    counts: dict[str, dict] = {}
    if group_field:
        rows = (
            township_units(actor)
            .filter(**{f"{group_field}__in": [_prefix(child, group_field) for child in children]})
            .values(group_field)
            .annotate(total=Count("code"), counted=Count("code", filter=Q(is_counted=True)))
        )
        counts = {row[group_field]: row for row in rows}
    result = []
    for child in children:
        row = counts.get(_prefix(child, group_field), {}) if group_field else {}
        total = row.get("total", 0)
        counted = row.get("counted", 0)
        result.append(
            {"division": child, "total": total, "counted": counted, "excluded": total - counted}
        )
    return result


def _prefix(division: Division, field: str | None) -> str:
    return getattr(division, field) if field else ""


def township_totals(actor: Actor, within: Division) -> dict[str, int]:
    """Township units below ``within`` in scope: total, counted, excluded (one query)."""
    field = {
        Level.CITY: "city_code",
        Level.COUNTY: "county_code",
        Level.TOWNSHIP: "township_code",
    }.get(Level(within.level))
    queryset = township_units(actor)
    queryset = queryset.filter(**{field: getattr(within, field)}) if field else queryset.none()
    totals = queryset.aggregate(
        total=Count("code"), counted=Count("code", filter=Q(is_counted=True))
    )
    return {**totals, "excluded": totals["total"] - totals["counted"]}


def coverage_override_history(actor: Actor, division: Division) -> QuerySet:
    """Recorded changes of this tenant's overrides of ``division``, newest first."""
    event_model = CoverageOverride.pgh_event_model  # type: ignore[attr-defined]  # pghistory
    return (
        event_model.objects.filter(tenant_id=scope_of(actor).tenant_id, division_id=division.code)
        .select_related("pgh_context")
        .order_by("-pgh_created_at")
    )


def division_history(actor: Actor, division: Division) -> QuerySet:
    """Recorded changes (renames, moves, retirements) of one division in scope, newest first."""
    event_model = Division.pgh_event_model  # type: ignore[attr-defined]  # added by pghistory
    in_scope = divisions_visible(actor).filter(code=division.code).values("code")
    return (
        event_model.objects.filter(pgh_obj_id__in=in_scope)
        .select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_label")
    )


def facilities_visible(actor: Actor) -> QuerySet[Facility]:
    """Facilities of the scope's tenant, in its county if it has one, limited to its
    facility ids when a provider restricts them (a contractor: its contracts' stations)."""
    scope = scope_of(actor)
    queryset = Facility.objects.filter(tenant_id=scope.tenant_id).select_related(
        "division", "division__parent"
    )
    if scope.county_code:
        queryset = queryset.filter(county_code=scope.county_code)
    return scope.restrict(queryset, FACILITIES)


def imports_visible(actor: Actor) -> QuerySet[ImportJob]:
    """The spreadsheet imports the actor uploaded in its tenant: an import is its uploader's.

    Another user, county or tenant never sees it (404), whatever their role.
    """
    scope = scope_of(actor)
    return ImportJob.objects.filter(tenant_id=scope.tenant_id, requested_by_id=scope.user_id)


def facility_history(facility: Facility, limit: int = 300) -> list[HistoryEntry]:
    """What happened to a facility and its periods, ratings and status log, newest first:
    one readable entry per user action (stations.history), from its last ``limit`` records."""
    from pghistory.models import Events

    events = (
        Events.objects.references(facility)
        .order_by("-pgh_created_at", "-pgh_id")
        .values(
            "pgh_created_at",
            "pgh_label",
            "pgh_model",
            "pgh_diff",
            "pgh_context",
            "pgh_context_id",
            "pgh_data",
        )[:limit]
    )
    return history_entries(events, Facility)


def policy_values_visible(actor: Actor) -> QuerySet[PolicyValue]:
    """Every policy value of the scope's tenant (policy is the city's: one for all its counties)."""
    return PolicyValue.objects.filter(tenant_id=scope_of(actor).tenant_id).order_by(
        "code", "effective_from"
    )


def policy_values_in(actor: Actor, start: datetime.date, end: datetime.date) -> QuerySet:
    """The scope's tenant's policy values whose period overlaps ``start``–``end``, by code."""
    return (
        policy_values_visible(actor)
        .filter(effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    )


def policy_value(actor: Actor, code: str, on: datetime.date):
    """The value of policy ``code`` in force on ``on`` for the scope's tenant.

    Raises stations.policy.PolicyMissing (a Chinese message naming the code) when
    the tenant has none that day: rules never fall back to a number in code.
    """
    row = policy_values_in(actor, on, on).filter(code=code).first()
    if row is None:
        raise PolicyMissing(
            _("本市未设定 %(date)s 适用的“%(title)s”（%(code)s），请在政策参数页补充。")
            % {"date": on, "title": definition(code).title, "code": code}
        )
    return row.value


def policy_history(actor: Actor) -> QuerySet:
    """Recorded changes of the scope's tenant's policy values, newest first."""
    event_model = PolicyValue.pgh_event_model  # type: ignore[attr-defined]  # pghistory
    return (
        event_model.objects.filter(tenant_id=scope_of(actor).tenant_id)
        .select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_id")
    )


def facility_states_on(
    facility_ids: Iterable[int], as_of: datetime.date, fields: Sequence[str]
) -> dict[int, dict]:
    """What was on record for each facility at the end of ``as_of`` (Asia/Shanghai).

    Read from the facilities' history (pghistory snapshots): the last snapshot
    written that day or before; for a facility first recorded later (entered
    after the fact), what was on record at the end of the day it was entered.
    So a rule checked for a past day gives the answer it gave then, whatever was
    edited since. Two queries whatever the number of facilities.
    Returns ``{facility_id: {field: value}}``.
    """
    ids = list(facility_ids)
    if not ids:
        return {}
    cutoff = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    events = Facility.pgh_event_model.objects.filter(  # type: ignore[attr-defined]  # pghistory
        pgh_obj_id__in=ids
    ).exclude(pgh_label="delete")
    columns = ("pgh_obj_id", *fields)
    states = {
        row["pgh_obj_id"]: row
        for row in events.filter(pgh_created_at__lt=cutoff)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
        .values(*columns)
    }
    later = set(ids) - set(states)
    if later:
        first_day: dict[int, datetime.date] = {}
        for row in (
            events.filter(pgh_obj_id__in=later)
            .order_by("pgh_obj_id", "pgh_created_at", "pgh_id")
            .values("pgh_created_at", *columns)
        ):
            day = timezone.localdate(row.pop("pgh_created_at"))
            facility = row["pgh_obj_id"]
            if first_day.setdefault(facility, day) == day:  # still its first day on record
                states[facility] = row
    return states
