"""Reads of the supervision app, always through the actor's scope.

Completeness (DHIS2's lesson: a reporting rate is over what was expected, never above
100 %): the expected submissions are the (contract, month) pairs of the station-operation
contracts in scope that were in force on at least one day of the month; a submission
counts only for an expected pair.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import ContractKind, ContractState
from procurement.selectors import contracts_visible
from stations.divisions import Level
from stations.models import Division
from stations.selectors import Actor
from supervision.models import MonthlySubmission, SubmissionState
from supervision.services import month_end


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class Completeness:
    """Submissions of a city, county or the city's own contracts over a range of months:
    counts of expected, submitted (at least once), accepted and on time (first submitted
    by the deadline); rates as fractions of expected (None when nothing was expected);
    the missing pairs; and, for a city, one child per county (and 市本级)."""

    code: str
    name: str
    expected: int = 0
    submitted: int = 0
    accepted: int = 0
    on_time: int = 0
    missing: list[dict] = field(default_factory=list)
    children: list[Completeness] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(self.submitted / self.expected, 4) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.expected, 4) if self.expected else None

    def add(self, other: Completeness) -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.accepted += other.accepted
        self.on_time += other.on_time
        self.missing.extend(other.missing)


def completeness(
    actor: Actor, division: Division, start: datetime.date, end: datetime.date
) -> Completeness:
    """Completeness and timeliness of ``division`` (the city or a county in scope) for the
    months from ``start`` to ``end``, in two queries whatever the number of contracts."""
    months = months_between(start, end)
    first, last = months[0], month_end(months[-1])
    in_range = (
        contracts_visible(actor)
        .filter(kind=ContractKind.STATION_OPERATION, start_on__lte=last, live_until__gte=first)
        .exclude(state=ContractState.DRAFT)
        .order_by("county_code", "number")
    )
    if division.level == Level.COUNTY:
        in_range = in_range.filter(county_code=division.county_code)
    contracts = list(in_range)
    submissions = {
        (row.contract_id, row.month): row
        for row in MonthlySubmission.objects.filter(
            contract__in=[contract.pk for contract in contracts], month__gte=first, month__lte=last
        )
    }
    groups: dict[str, Completeness] = {}
    names = {
        county.county_code: county.name
        for county in Division.objects.filter(
            city_code=division.city_code, level=Level.COUNTY
        ).only("code", "name")
    }
    for contract in contracts:
        key = contract.county_code
        group = groups.setdefault(
            key, Completeness(code=key, name=names.get(key, "") if key else _("市本级"))
        )
        for month in months:
            if not (contract.start_on <= month_end(month) and contract.live_until >= month):
                continue
            group.expected += 1
            row = submissions.get((contract.pk, month))
            if row is None or row.first_submitted_at is None:
                group.missing.append(
                    {"contract": contract.pk, "number": contract.number, "month": f"{month:%Y-%m}"}
                )
                continue
            group.submitted += 1
            group.accepted += row.state == SubmissionState.ACCEPTED
            first_day = timezone.localdate(row.first_submitted_at)
            group.on_time += row.deadline is not None and first_day <= row.deadline
    result = Completeness(code=division.short_code, name=division.name)
    for key in sorted(groups):
        result.add(groups[key])
    if division.level != Level.COUNTY:
        result.children = [groups[key] for key in sorted(groups)]
    return result


def submissions_visible(actor: Actor):
    """Monthly submissions of the station-operation contracts in scope."""
    from stations.scoping import scope_of

    scope = scope_of(actor)
    return MonthlySubmission.objects.filter(
        tenant_id=scope.tenant_id,
        contract__in=contracts_visible(actor).filter(kind=ContractKind.STATION_OPERATION),
    ).select_related("contract")


def sessions_visible(actor: Actor):
    """Sessions under the station-operation contracts in scope."""
    from stations.scoping import scope_of
    from supervision.models import SupervisionSession

    scope = scope_of(actor)
    return SupervisionSession.objects.filter(
        tenant_id=scope.tenant_id,
        contract__in=contracts_visible(actor).filter(kind=ContractKind.STATION_OPERATION),
    ).select_related("contract", "facility", "supervisor")


def supervisor_assignments_visible(actor: Actor):
    """Supervisor assignments under the contracts in scope."""
    from stations.scoping import scope_of
    from supervision.models import SupervisorAssignment

    scope = scope_of(actor)
    return SupervisorAssignment.objects.filter(
        tenant_id=scope.tenant_id, contract__in=contracts_visible(actor)
    ).select_related("contract", "facility", "supervisor")
