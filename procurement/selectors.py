"""Reads of the procurement app, always through the actor's scope.

County officers see the contracts their county bought and those covering a facility of
their county (a city contract), and the evaluations of those; city roles the whole
tenant; contractors and evaluators the id sets procurement's scope providers gave them
(``procurement.scoping``). Organisations are the tenant's register: every network role
sees all of them (an organisation serves several counties).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from procurement import permissions
from procurement.models import (
    AssistanceFunds,
    Contract,
    ContractFacility,
    ContractFunding,
    ContractKind,
    ContractState,
    ContractStatus,
    Evaluation,
    EvaluationStatus,
    FundingSource,
    Organisation,
)
from stations.scoping import CONTRACTS, ORGANISATIONS, scope_of
from stations.selectors import Actor


def organisations_visible(actor: Actor) -> QuerySet[Organisation]:
    """Organisations of the scope's tenant; a contractor or evaluator only its own."""
    scope = scope_of(actor)
    queryset = Organisation.objects.filter(tenant_id=scope.tenant_id).select_related("incubated_by")
    if not scope.network:
        return queryset.filter(pk__in=scope.ids(ORGANISATIONS) or ())
    return queryset


def live_on(day: datetime.date, prefix: str = "") -> Q:
    """Contracts (or rows through ``prefix``, e.g. ``contract__``) in force on ``day``."""
    return (
        ~Q(**{f"{prefix}state": ContractState.DRAFT})
        & Q(**{f"{prefix}start_on__lte": day})
        & Q(**{f"{prefix}live_until__gte": day})
    )


def status_filter(status: str, day: datetime.date) -> Q:
    """Contracts whose ``Contract.status_on(day)`` is ``status`` (a ContractStatus code)."""
    signed = ~Q(state=ContractState.DRAFT)
    filters: dict[str, Q] = {
        ContractStatus.DRAFT: Q(state=ContractState.DRAFT),
        ContractStatus.SIGNED: signed & Q(start_on__gt=day),
        ContractStatus.IN_FORCE: live_on(day),
        ContractStatus.ENDED: signed & Q(end_on__lt=day, state=ContractState.SIGNED),
        ContractStatus.TERMINATED: Q(state=ContractState.TERMINATED, live_until__lt=day),
    }
    return filters.get(status, Q(pk__in=[]))


def contracts_visible(actor: Actor) -> QuerySet[Contract]:
    """Contracts in scope, with purchaser and organisation joined."""
    scope = scope_of(actor)
    queryset = Contract.objects.filter(tenant_id=scope.tenant_id).select_related(
        "purchaser", "organisation"
    )
    if not scope.network:
        return queryset.filter(pk__in=scope.ids(CONTRACTS) or ())
    if scope.county_code:
        covers_county = ContractFacility.objects.filter(
            contract=OuterRef("pk"), facility__county_code=scope.county_code
        )
        queryset = queryset.filter(Q(county_code=scope.county_code) | Exists(covers_county))
    return queryset


def contract_detail(actor: Actor) -> QuerySet[Contract]:
    """``contracts_visible`` with its coverage (facility and division) and funding prefetched."""
    return contracts_visible(actor).prefetch_related(
        Prefetch(
            "coverage",
            queryset=ContractFacility.objects.select_related(
                "facility", "facility__division", "facility__division__parent"
            ).order_by("facility__county_code", "facility__division_id"),
        ),
        "funding",
    )


def evaluations_visible(actor: Actor) -> QuerySet[Evaluation]:
    """Evaluations in scope: of the contracts a network role sees; an evaluator's own
    assignments; a contractor the accepted evaluations of its contracts."""
    scope = scope_of(actor)
    queryset = Evaluation.objects.filter(tenant_id=scope.tenant_id).select_related(
        "contract", "contract__organisation", "organisation"
    )
    if permissions.evaluates_contracts(scope.role):
        return queryset.filter(organisation_id__in=scope.ids(ORGANISATIONS) or ())
    if permissions.runs_contracts(scope.role):
        return queryset.filter(
            contract_id__in=scope.ids(CONTRACTS) or (), status=EvaluationStatus.ACCEPTED
        )
    if not scope.network:
        return queryset.none()
    return queryset.filter(contract__in=contracts_visible(scope).values("pk"))


# How far ahead the county's pages look for contracts about to end (issue 9: 90 days).
ENDING_SOON_DAYS = 90


def contracts_ending_within(actor: Actor, days: int, today: datetime.date | None = None):
    """Contracts in force today whose last day falls within ``days`` days, soonest first."""
    today = today or timezone.localdate()
    return (
        contracts_visible(actor)
        .filter(live_on(today), live_until__lte=today + datetime.timedelta(days=days))
        .order_by("live_until", "number")
    )


def contract_history(contract: Contract, limit: int = 300):
    """What happened to a contract, its covered facilities and funding, newest first: one
    readable entry per user action (stations.history), from its last ``limit`` records."""
    from pghistory.models import Events

    from stations.history import history_entries

    events = (
        Events.objects.references(contract)
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
    return history_entries(events, Contract)


def facilities_contractable(actor: Actor):
    """The facilities a contract of the actor may cover: stations and county centres in
    scope (a county officer: of their county), by county and division."""
    from stations.models import FacilityLevel
    from stations.selectors import facilities_visible

    return (
        facilities_visible(actor)
        .filter(level__in=[FacilityLevel.TOWNSHIP_STATION, FacilityLevel.COUNTY_CENTRE])
        .order_by("county_code", "level", "division_id")
    )


def live_station_coverage(day: datetime.date) -> Q:
    """ContractFacility rows of station-operation contracts in force on ``day``."""
    return Q(kind=ContractKind.STATION_OPERATION, live_from__lte=day, live_until__gte=day)


def stations_operating(actor: Actor, day: datetime.date, county_code: str | None = None):
    """Township stations in scope operating on ``day`` (of one county when given)."""
    from stations.coverage import operating_on
    from stations.models import FacilityLevel, FacilityOperatingPeriod
    from stations.selectors import facilities_visible

    operating = FacilityOperatingPeriod.objects.filter(
        operating_on(day), facility_id=OuterRef("pk")
    )
    stations = (
        facilities_visible(actor)
        .filter(level=FacilityLevel.TOWNSHIP_STATION)
        .filter(Exists(operating))
    )
    return stations.filter(county_code=county_code) if county_code else stations


def stations_without_live_contract(
    actor: Actor, day: datetime.date, county_code: str | None = None
):
    """Operating township stations in scope that no live station-operation contract covers
    on ``day``, by county and township."""
    covered = ContractFacility.objects.filter(
        live_station_coverage(day), facility_id=OuterRef("pk")
    )
    return (
        stations_operating(actor, day, county_code)
        .exclude(Exists(covered))
        .order_by("county_code", "division_id")
    )


@dataclass
class ContractFigures:
    """Contracts on a day, for the dashboard: the operating township ``stations`` and how
    many of them a live station-operation contract covers (``under_contract``); the
    ``funding`` of the contracts in force by source as ``(code, label, yuan)`` in the
    order of FundingSource, and its ``total`` in yuan."""

    stations: int
    under_contract: int
    funding: list[tuple[str, str, Decimal]]
    total: Decimal

    @property
    def rate(self) -> float | None:
        """under_contract / stations as a fraction (None without operating stations)."""
        return self.under_contract / self.stations if self.stations else None


def contract_figures(actor: Actor, day: datetime.date) -> ContractFigures:
    """ContractFigures of the actor's scope on ``day``, in two queries."""
    covered = ContractFacility.objects.filter(
        live_station_coverage(day), facility_id=OuterRef("pk")
    )
    counts = stations_operating(actor, day).aggregate(
        stations=Count("pk"), under_contract=Count("pk", filter=Q(Exists(covered)))
    )
    sums = dict(
        ContractFunding.objects.filter(contract__in=contracts_visible(actor).filter(live_on(day)))
        .values("source")
        .annotate(total=Sum("amount"))
        .values_list("source", "total")
    )
    funding = [
        (source.value, str(source.label), sums[source.value])
        for source in FundingSource
        if source.value in sums
    ]
    return ContractFigures(
        stations=counts["stations"],
        under_contract=counts["under_contract"],
        funding=funding,
        total=sum((amount for _, _, amount in funding), Decimal(0)),
    )


def assistance_funds_visible(actor: Actor) -> QuerySet[AssistanceFunds]:
    """Social assistance special funds in scope, with their county: network roles, a county
    officer only its county's; nobody else."""
    scope = scope_of(actor)
    if not scope.network:
        return AssistanceFunds.objects.none()
    queryset = AssistanceFunds.objects.filter(tenant_id=scope.tenant_id).select_related("division")
    if scope.county_code:
        queryset = queryset.filter(division__county_code=scope.county_code)
    return queryset
