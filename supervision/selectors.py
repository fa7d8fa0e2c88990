"""Reads of the supervision app, always through the actor's scope.

Completeness (DHIS2's lesson: a reporting rate is over what was expected, never above
100 %): the expected submissions are the (contract, month) pairs of the station-operation
contracts in scope that were in force on at least one day of the month; a submission
counts only for an expected pair.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import Contract, ContractFacility, ContractKind, ContractState
from procurement.selectors import contracts_visible
from stations.divisions import Level
from stations.models import Division, Facility, FacilityOperatingPeriod, Membership
from stations.selectors import Actor, policy_values_in
from supervision.models import MonthlySubmission, SubmissionState, SupervisionSession
from supervision.services import in_force_in, month_end, month_start


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
    the missing pairs; and, for a city, one child per county (and 市本级). Station-months:
    ``station_months`` the covered stations operating on a day of each expected month,
    ``supervised`` those of them with at least one session that month."""

    code: str
    name: str
    expected: int = 0
    submitted: int = 0
    accepted: int = 0
    on_time: int = 0
    station_months: int = 0
    supervised: int = 0
    missing: list[dict] = field(default_factory=list)
    children: list[Completeness] = field(default_factory=list)
    # The same figures per month ("YYYY-MM" → Completeness), for the table by month.
    months: dict[str, Completeness] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(self.submitted / self.expected, 4) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.expected, 4) if self.expected else None

    @property
    def accepted_rate(self) -> float | None:
        return round(self.accepted / self.expected, 4) if self.expected else None

    @property
    def supervised_rate(self) -> float | None:
        if not self.station_months:
            return None
        return round(self.supervised / self.station_months, 4)

    def add(self, other: Completeness) -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.accepted += other.accepted
        self.on_time += other.on_time
        self.station_months += other.station_months
        self.supervised += other.supervised
        self.missing.extend(other.missing)
        for key, figures in other.months.items():
            self.months.setdefault(key, Completeness(code=self.code, name=key)).add(figures)

    def count(
        self,
        month: datetime.date,
        row: MonthlySubmission | None,
        contract,
        stations: int = 0,
        supervised: int = 0,
    ) -> None:
        """Count one expected (contract, month) pair with its ``stations`` expected and
        ``supervised`` station-months, here and in its month's figures."""
        key = f"{month:%Y-%m}"
        for figures in (self, self.months.setdefault(key, Completeness(code=self.code, name=key))):
            figures.expected += 1
            figures.station_months += stations
            figures.supervised += supervised
            if row is None or row.first_submitted_at is None:
                figures.missing.append({"contract": contract.pk, "number": contract.number,
                                        "month": key})  # fmt: skip
                continue
            figures.submitted += 1
            figures.accepted += row.state == SubmissionState.ACCEPTED
            first_day = timezone.localdate(row.first_submitted_at)
            figures.on_time += row.deadline is not None and first_day <= row.deadline


def completeness(
    actor: Actor, division: Division, start: datetime.date, end: datetime.date
) -> Completeness:
    """Completeness and timeliness of ``division`` (the city or a county in scope) for the
    months from ``start`` to ``end``, in six queries whatever the number of contracts."""
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
    pairs = [
        (contract.pk, month)
        for contract in contracts
        for month in months
        if in_force_in(contract, month)
    ]
    stations = expected_stations(pairs)
    with_session = set(
        SupervisionSession.objects.filter(
            contract__in=[contract.pk for contract in contracts], month__gte=first, month__lte=last
        )
        .values_list("contract_id", "month", "facility_id")
        .distinct()
    )
    groups: dict[str, Completeness] = {}
    names = {
        county.county_code: county.name
        for county in Division.objects.filter(
            city_code=division.city_code, level=Level.COUNTY
        ).only("code", "name", "county_code")
    }
    for contract in contracts:
        key = contract.county_code
        group = groups.setdefault(
            key, Completeness(code=key, name=names.get(key, "") if key else _("市本级"))
        )
        for month in months:
            if not in_force_in(contract, month):
                continue
            owed = stations[(contract.pk, month)]
            done = sum((contract.pk, month, station.pk) in with_session for station in owed)
            group.count(month, submissions.get((contract.pk, month)), contract, len(owed), done)
    result = Completeness(code=division.short_code, name=division.name)
    for key in sorted(groups):
        result.add(groups[key])
    if division.level != Level.COUNTY:
        result.children = [groups[key] for key in sorted(groups)]
    return result


def county_of(actor: Actor) -> str | None:
    """The county a county officer's reads are narrowed to (a city contract covers other
    counties' stations too: an officer sees only its own county's), else None."""
    from stations.scoping import scope_of

    return scope_of(actor).county_code


def submissions_visible(actor: Actor):
    """Monthly submissions of the station-operation contracts in scope."""
    from stations.scoping import scope_of

    scope = scope_of(actor)
    return MonthlySubmission.objects.filter(
        tenant_id=scope.tenant_id,
        contract__in=contracts_visible(actor).filter(kind=ContractKind.STATION_OPERATION),
    ).select_related("contract")


def sessions_visible(actor: Actor):
    """Sessions under the station-operation contracts in scope (a county officer: at its
    county's stations only)."""
    from stations.scoping import scope_of
    from supervision.models import SupervisionSession

    scope = scope_of(actor)
    sessions = SupervisionSession.objects.filter(
        tenant_id=scope.tenant_id,
        contract__in=contracts_visible(actor).filter(kind=ContractKind.STATION_OPERATION),
    ).select_related("contract", "facility", "supervisor")
    if scope.county_code:
        sessions = sessions.filter(facility__county_code=scope.county_code)
    return sessions


def supervisor_assignments_visible(actor: Actor):
    """Supervisor assignments under the contracts in scope (a county officer: at its
    county's stations only)."""
    from stations.scoping import scope_of
    from supervision.models import SupervisorAssignment

    scope = scope_of(actor)
    assignments = SupervisorAssignment.objects.filter(
        tenant_id=scope.tenant_id, contract__in=contracts_visible(actor)
    ).select_related("contract", "facility", "supervisor")
    if scope.county_code:
        assignments = assignments.filter(facility__county_code=scope.county_code)
    return assignments


def expected_stations(
    pairs: list[tuple[int, datetime.date]], county: str | None = None
) -> dict[tuple[int, datetime.date], list[Facility]]:
    """The stations each (contract id, month) of ``pairs`` owes sessions for: covered by the
    contract and operating on at least one common day of the month (the expected
    station-months of completeness), by division; ``county`` narrows them to one county's
    stations. Two queries."""
    contract_ids = {contract for contract, _month in pairs}
    rows = ContractFacility.objects.filter(
        contract__in=contract_ids, live_from__isnull=False, live_until__isnull=False
    ).select_related("facility")
    if county:
        rows = rows.filter(facility__county_code=county)
    by_contract: dict[int, list[ContractFacility]] = {}
    for row in rows.order_by("facility__division_id", "facility__name"):
        by_contract.setdefault(row.contract_id, []).append(row)
    periods: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for facility, started, ended in FacilityOperatingPeriod.objects.filter(
        facility__in={row.facility_id for found in by_contract.values() for row in found}
    ).values_list("facility_id", "started_on", "ended_on"):
        periods.setdefault(facility, []).append((started, ended))
    expected: dict[tuple[int, datetime.date], list[Facility]] = {pair: [] for pair in pairs}
    for contract, month in pairs:
        for row in by_contract.get(contract, ()):
            assert row.live_from is not None and row.live_until is not None
            first = max(month, row.live_from)
            last = min(month_end(month), row.live_until)
            if first > last:
                continue
            # Operating periods end the day before ``ended_on``.
            if any(
                started <= last and (ended is None or ended > first)
                for started, ended in periods.get(row.facility_id, ())
            ):
                expected[(contract, month)].append(row.facility)
    return expected


@dataclass
class MonthOverview:
    """One contract's month as the contractor and the reviewer see it: the stations owed
    a session, sessions and hours entered per station, the stations still without one,
    the anomaly flags of its sessions, the submission (None before it is opened), the
    deadline and the days left to it (negative: overdue)."""

    contract: Contract
    month: datetime.date
    stations: list[Facility]
    sessions: dict[int, int]
    hours: Decimal
    flags: dict[int, list[str]]  # session id → anomaly flags (supervision.flags)
    submission: MonthlySubmission | None
    deadline: datetime.date | None

    @property
    def flagged(self) -> int:
        return len(self.flags)

    @property
    def session_count(self) -> int:
        return sum(self.sessions.values())

    @property
    def without(self) -> list[Facility]:
        return [station for station in self.stations if not self.sessions.get(station.pk)]

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else SubmissionState.DRAFT

    @property
    def state_label(self) -> str:
        return str(SubmissionState(self.state).label)

    @property
    def editable(self) -> bool:
        return self.state in (SubmissionState.DRAFT, SubmissionState.RETURNED)

    @property
    def days_left(self) -> int | None:
        """Days to the deadline of a month never submitted (None once it was: a returned
        month is judged on its first submission)."""
        if self.deadline is None or (self.submission and self.submission.first_submitted_at):
            return None
        return (self.deadline - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)

    @property
    def overdue(self) -> bool:
        return self.editable and self.days_left is not None and self.days_left < 0

    @property
    def month_text(self) -> str:
        return f"{self.month:%Y-%m}"


def month_overviews(
    actor: Actor, pairs: list[tuple[Contract, datetime.date]]
) -> list[MonthOverview]:
    """The overview of each (contract, month) of ``pairs``, in order, in a fixed number of
    queries whatever their number (stations 2, sessions 1, submissions 1, flags 4)."""
    from supervision.flags import flags_by_month

    if not pairs:
        return []
    keys = [(contract.pk, month) for contract, month in pairs]
    county = county_of(actor)
    stations = expected_stations(keys, county)
    months = Q()
    for contract, month in pairs:
        months |= Q(contract=contract, month=month)
    in_county = Q(facility__county_code=county) if county else Q()
    counts: dict[tuple[int, datetime.date], dict[int, int]] = {}
    hours: dict[tuple[int, datetime.date], Decimal] = {}
    for contract_id, month, facility, n, total in (
        SupervisionSession.objects.filter(months, in_county)
        .values_list("contract_id", "month", "facility_id")
        .annotate(n=Count("pk"), total=Sum("hours"))
        .order_by()
    ):
        counts.setdefault((contract_id, month), {})[facility] = n
        hours[(contract_id, month)] = hours.get((contract_id, month), Decimal(0)) + total
    submissions = {
        (row.contract_id, row.month): row for row in MonthlySubmission.objects.filter(months)
    }
    flagged, flags = flags_by_month(actor, pairs)
    deadlines = deadlines_of(actor, {month for _contract, month in pairs})
    return [
        MonthOverview(
            contract=contract,
            month=month,
            stations=stations[(contract.pk, month)],
            sessions=counts.get((contract.pk, month), {}),
            hours=hours.get((contract.pk, month), Decimal(0)),
            flags={pk: flags[pk] for pk in flagged.get((contract.pk, month), ())},
            submission=submissions.get((contract.pk, month)),
            deadline=(
                submissions[(contract.pk, month)].deadline
                if (contract.pk, month) in submissions
                and submissions[(contract.pk, month)].deadline
                else deadlines[month]
            ),
        )
        for contract, month in pairs
    ]


# How far back the portal looks for months never submitted (overdue).
OVERDUE_LOOKBACK_MONTHS = 12


def deadlines_of(
    actor: Actor, months: set[datetime.date]
) -> dict[datetime.date, datetime.date | None]:
    """Each month's deadline (services.submission_deadline) from one read of the policy;
    None for a month whose following month has no deadline day."""
    from supervision.services import DEADLINE_DAY, deadline_on

    if not months:
        return {}
    followings = {month: month_end(month) + datetime.timedelta(days=1) for month in months}
    rows = list(
        policy_values_in(actor, min(followings.values()), max(followings.values())).filter(
            code=DEADLINE_DAY
        )
    )
    deadlines: dict[datetime.date, datetime.date | None] = {}
    for month, following in followings.items():
        day = next(
            (
                row.value
                for row in rows
                if row.effective_from <= following
                and (row.effective_to is None or row.effective_to >= following)
            ),
            None,
        )
        deadlines[month] = deadline_on(month, int(day)) if day is not None else None
    return deadlines


def contractor_months(actor: Actor, today: datetime.date) -> list[MonthOverview]:
    """The contractor's portal: months returned to it (any month, to fix and submit again)
    and months of the last OVERDUE_LOOKBACK_MONTHS never submitted, then for each
    station-operation contract in force on a day of this month or the last, those months
    (the last first, as its deadline comes first)."""
    this = month_start(today)
    last = month_start(this - datetime.timedelta(days=1))
    earliest = this
    for _step in range(OVERDUE_LOOKBACK_MONTHS):
        earliest = month_start(earliest - datetime.timedelta(days=1))
    visible = contracts_visible(actor).filter(kind=ContractKind.STATION_OPERATION)
    contracts = list(
        visible.filter(start_on__lte=month_end(this), live_until__gte=earliest)
        .exclude(state=ContractState.DRAFT)
        .select_related("organisation")
        .order_by("number")
    )
    older = list(
        MonthlySubmission.objects.filter(contract__in=visible, month__lt=last)
        .filter(Q(state=SubmissionState.RETURNED) | Q(month__gte=earliest))
        .select_related("contract__organisation")
        .order_by("month", "contract__number")
    )
    returned = [(row.contract, row.month) for row in older if row.state == SubmissionState.RETURNED]
    submitted = {(row.contract_id, row.month) for row in older if row.first_submitted_at}
    overdue = [
        (contract, month)
        for month in months_between(earliest, last)[:-1]
        for contract in contracts
        if in_force_in(contract, month) and (contract.pk, month) not in submitted
    ]
    current = [
        (contract, month)
        for contract in contracts
        for month in (last, this)
        if in_force_in(contract, month)
    ]
    return month_overviews(actor, returned + overdue + current)


QUEUE_AT_MOST = 200


def submissions_to_review(actor: Membership) -> list[MonthlySubmission]:
    """Submitted months waiting for the actor's decision (the contracts it purchases: a
    county officer's county, a city admin's city), oldest first, at most QUEUE_AT_MOST."""
    from supervision import permissions

    waiting = submissions_visible(actor).filter(state=SubmissionState.SUBMITTED)
    county = county_of(actor)
    if county:  # a county officer reviews its county's contracts, not the city's
        waiting = waiting.filter(contract__county_code=county)
    return [
        row
        for row in waiting.select_related("contract__organisation").order_by("submitted_at")[
            :QUEUE_AT_MOST
        ]
        if permissions.can_review(actor, row.contract)
    ]


def review_queue(actor: Membership) -> list[MonthOverview]:
    """The overviews of ``submissions_to_review``."""
    return month_overviews(
        actor, [(row.contract, row.month) for row in submissions_to_review(actor)]
    )
