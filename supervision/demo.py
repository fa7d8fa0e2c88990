"""Demo supervision of 柳州 (a demo step, after the workforce): from January 2023 to last
month, supervisors with 2–8 stations each under every station contract, a session for
most station-months and their monthly submissions, so every supervision rule, flag and
completeness figure has something to show:

- one supervisor (of the current contract with the most stations) with 9 stations, some of
  whose sessions claim 12 hours instead of 16;
- a few station-months without a session, a few months first submitted after the
  deadline, one month (柳江区) never submitted;
- 城中区's month three months ago returned by demo_county and submitted again, through
  the services, so its history reads as it happened; last month waits for review everywhere, and in
  城中区 two of its sessions overlap (flags for demo_county to see); this month is the
  contractor's to fill in.

Sessions and submissions are bulk-inserted (history triggers still record them).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from procurement.models import Contract, ContractKind, ContractState
from stations.models import FacilityOperatingPeriod, Membership, Tenant
from stations.services.history import acting
from supervision.models import (
    MonthlySubmission,
    SessionForm,
    SubmissionState,
    SupervisionSession,
    SupervisorAssignment,
)
from supervision.selectors import expected_stations, months_between
from supervision.services import (
    in_force_in,
    month_end,
    month_start,
    submission_accept,
    submission_deadline,
    submission_return,
    submission_submit,
)
from workforce.models import Assignment, SocialWorker
from workforce.summary import STATION_ROLES

DEMO_ADMIN = "demo_city"
FIRST_MONTH = datetime.date(2023, 1, 1)
GROUP = 5  # stations per supervisor (the plan allows 2–8)
OVERLOADED = 9  # the one supervisor above the plan's 8
SHORT_HOURS = Decimal(12)
FULL_HOURS = Decimal(16)
NEVER_SUBMITTED = ("450206", datetime.date(2025, 6, 1))
RETURNED_COUNTY = "450202"  # its month three months before this one: returned, resubmitted
RETURNED_MONTHS_AGO = 3
TOPICS = (
    "个案工作督导：困境儿童家庭走访记录",
    "小组工作督导：老年人互助小组带领技巧",
    "社区工作督导：村（居）民议事会组织",
    "行政督导：服务台账与月度计划",
    "专业伦理督导：服务对象隐私保护",
)


def demo_supervision_load(tenant: Tenant) -> str | None:
    """Load the demo supervision once; None when the tenant already has sessions or has
    no demo workforce."""
    if SupervisionSession.objects.filter(tenant=tenant).exists():
        return None
    if not SocialWorker.objects.filter(tenant=tenant).exists():
        return None
    members = {
        member.user.username: member
        for member in Membership.objects.select_related("user", "tenant", "scope").filter(
            tenant=tenant, user__username__in=[DEMO_ADMIN, "demo_contractor", "demo_county"]
        )
    }
    admin = members.get(DEMO_ADMIN)
    if admin is None:
        return None
    returned = _returned_pair(tenant, members)
    with acting(admin.user, action="demo_supervision_load", tenant=tenant.code):
        summary = _Builder(tenant, admin, returned).build()
    if returned is None:
        return summary
    return summary + _return_and_resubmit(members, *returned)


def _hours_note(hours: Decimal) -> str:
    return f"分两天，每天 {hours / 2:.0f} 小时"


class _Builder:
    def __init__(
        self, tenant: Tenant, admin: Membership, returned: tuple[Contract, datetime.date] | None
    ):
        self.tenant = tenant
        self.admin = admin
        # The (contract id, month) left for _return_and_resubmit to submit through services.
        self.returned = (returned[0].pk, returned[1]) if returned else None
        self.today = timezone.localdate()
        self.last_month = month_start(month_start(self.today) - datetime.timedelta(days=1))
        self.contracts = list(
            Contract.objects.filter(tenant=tenant, kind=ContractKind.STATION_OPERATION)
            .exclude(state=ContractState.DRAFT)
            .filter(live_until__gte=FIRST_MONTH, start_on__lte=self.last_month)
            .select_related("organisation")
            .order_by("county_code", "start_on", "number")
        )

    def build(self) -> str:
        months = months_between(FIRST_MONTH, self.last_month)
        pairs = [
            (contract.pk, month)
            for contract in self.contracts
            for month in months
            if in_force_in(contract, month)
        ]
        expected = expected_stations(pairs)
        supervisors = self._supervisors(expected)
        posted = self._posted()
        sessions, participants = self._sessions(pairs, expected, supervisors, posted)
        SupervisionSession.objects.bulk_create(sessions, batch_size=2000)
        through = SupervisionSession.participants.through
        through.objects.bulk_create(
            [
                through(supervisionsession_id=session.pk, socialworker_id=worker)
                for session, workers in zip(sessions, participants, strict=True)
                for worker in workers
            ],
            batch_size=5000,
        )
        submissions = self._submissions(pairs)
        return (
            f"督导：督导安排 {self.assignments} 条，督导记录 {len(sessions)} 条，"
            f"月度填报 {submissions} 份"
        )

    def _supervisors(self, expected) -> dict[tuple[int, int], tuple[int, int]]:
        """{(contract id, station id): (supervisor id, position among the supervisor's
        stations)}: each contract's stations in groups of GROUP (a last group of one joins
        the one before), the first group of the current contract with the most stations of
        OVERLOADED; supervisors are the organisation's workers without a station post."""
        stations_of: dict[int, list] = {}
        for (contract_id, _month), stations in expected.items():
            known = stations_of.setdefault(contract_id, [])
            for station in stations:
                if station not in known:
                    known.append(station)
        posted = set(
            Assignment.objects.filter(tenant=self.tenant, role__in=STATION_ROLES).values_list(
                "worker_id", flat=True
            )
        )
        free: dict[int, list[int]] = {}
        for worker, employer in (
            SocialWorker.objects.filter(tenant=self.tenant, employer__isnull=False)
            .order_by("pk")
            .values_list("pk", "employer_id")
        ):
            if worker not in posted:
                free.setdefault(employer, []).append(worker)
        # External supervisors for an organisation without workers of its own: taken, each
        # once, from the end of the largest pool (organisations use the start of theirs).
        spare = max(free.values(), key=len) if free else []
        opened = dict(
            FacilityOperatingPeriod.objects.filter(tenant=self.tenant)
            .values("facility_id")
            .annotate(first=Min("started_on"))
            .values_list("facility_id", "first")
        )
        chosen: dict[tuple[int, int], tuple[int, int]] = {}
        rows = []
        current = [c for c in self.contracts if c.live_until >= self.last_month] or self.contracts
        largest = max(current, key=lambda c: (len(stations_of.get(c.pk, [])), -c.pk))
        for contract in self.contracts:
            stations = sorted(stations_of.get(contract.pk, []), key=lambda s: s.division_id)
            sizes = []
            remaining = len(stations)
            if contract == largest and remaining >= OVERLOADED + 2:
                sizes.append(OVERLOADED)
                remaining -= OVERLOADED
            while remaining > 0:
                size = min(GROUP, remaining)
                if remaining - size == 1:
                    size += 1
                sizes.append(size)
                remaining -= size
            pool = free.get(contract.organisation_id) or []
            if not pool and len(spare) > 2 * len(sizes):
                pool = [spare.pop() for _size in sizes]
                free[contract.organisation_id] = pool  # its later contracts keep them
            start = 0
            for group, size in enumerate(sizes):
                if not pool:
                    break
                supervisor = pool[group % len(pool)]
                for position, station in enumerate(stations[start : start + size]):
                    chosen[(contract.pk, station.pk)] = (supervisor, position)
                    rows.append(
                        SupervisorAssignment(
                            tenant=self.tenant,
                            supervisor_id=supervisor,
                            contract=contract,
                            facility=station,
                            started_on=max(contract.start_on, opened.get(station.pk, FIRST_MONTH)),
                            ended_on=contract.live_until,
                        )
                    )
                start += size
        SupervisorAssignment.objects.bulk_create(rows)
        self.assignments = len(rows)
        self.opened = opened
        return chosen

    def _posted(self) -> dict[int, list[tuple[int, datetime.date, datetime.date | None]]]:
        posted: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = {}
        for facility, worker, started, ended in Assignment.objects.filter(
            tenant=self.tenant, role__in=STATION_ROLES
        ).values_list("facility_id", "worker_id", "started_on", "ended_on"):
            posted.setdefault(facility, []).append((worker, started, ended))
        return posted

    def _sessions(self, pairs, expected, supervisors, posted):
        contracts = {contract.pk: contract for contract in self.contracts}
        sessions, participants = [], []
        zone = timezone.get_current_timezone()
        for index, (contract_id, month) in enumerate(pairs):
            contract = contracts[contract_id]
            for serial, station in enumerate(expected[(contract_id, month)]):
                # Days the contract was in force and the station open (assigned from then).
                first = max(month, contract.start_on, self.opened.get(station.pk, month))
                last = min(month_end(month), contract.live_until)
                chosen = supervisors.get((contract_id, station.pk))
                if chosen is None or (serial * 7 + index) % 23 == 0:
                    continue  # a station-month without a session
                supervisor, position = chosen
                day = first + datetime.timedelta(days=1 + 3 * position)
                if day + datetime.timedelta(days=1) > last:
                    day = first
                if day + datetime.timedelta(days=1) > last:
                    continue
                hours = SHORT_HOURS if position >= 6 and month.month % 3 == 0 else FULL_HOURS
                started = datetime.datetime.combine(day, datetime.time(9), tzinfo=zone)
                sessions.append(
                    SupervisionSession(
                        tenant=self.tenant,
                        contract_id=contract_id,
                        facility=station,
                        supervisor_id=supervisor,
                        month=month,
                        started_at=started,
                        ended_at=started + datetime.timedelta(days=1, hours=8),
                        hours=hours,
                        hours_note=_hours_note(hours),
                        form=SessionForm.ON_SITE if serial % 4 else SessionForm.GROUP,
                        topics=TOPICS[(index + serial) % len(TOPICS)],
                        notes="督导者现场查看台账，与驻站社工逐一讨论个案进展。",
                        created_by=self.admin.user,
                    )
                )
                participants.append(
                    [
                        worker
                        for worker, started_on, ended_on in posted.get(station.pk, ())
                        if started_on <= day and (ended_on is None or ended_on >= day)
                    ]
                )
        self._overlap(sessions)
        return sessions, participants

    def _overlap(self, sessions: list[SupervisionSession]) -> None:
        """Last month in 城中区: the supervisor's second station at the first's times."""
        mine = [
            session
            for session in sessions
            if session.month == self.last_month
            and session.contract_id in {c.pk for c in self.contracts if c.county_code == "450202"}
        ]
        by_supervisor: dict[int, list[SupervisionSession]] = {}
        for session in mine:
            by_supervisor.setdefault(session.supervisor_id, []).append(session)
        for group in by_supervisor.values():
            if len(group) >= 2:
                group[1].started_at, group[1].ended_at = group[0].started_at, group[0].ended_at
                return

    def _submissions(self, pairs) -> int:
        contracts = {contract.pk: contract for contract in self.contracts}
        deadlines: dict[datetime.date, datetime.date] = {}
        zone = timezone.get_current_timezone()
        rows = []
        for index, (contract_id, month) in enumerate(pairs):
            contract = contracts[contract_id]
            if (contract.county_code, month) == NEVER_SUBMITTED or (
                (contract_id, month) == self.returned
            ):
                continue
            if month not in deadlines:
                deadlines[month] = submission_deadline(self.admin, month)
            deadline = deadlines[month]
            late = index % 11 == 5
            day = deadline + datetime.timedelta(days=3 + index % 5) if late else (
                deadline - datetime.timedelta(days=index % 7)
            )  # fmt: skip
            submitted = datetime.datetime.combine(day, datetime.time(16, 30), tzinfo=zone)
            waiting = month == self.last_month
            if submitted > timezone.now():
                submitted = timezone.now() - datetime.timedelta(hours=1)
            reviewed = submitted + datetime.timedelta(days=4)
            rows.append(
                MonthlySubmission(
                    tenant=self.tenant,
                    contract_id=contract_id,
                    month=month,
                    state=SubmissionState.SUBMITTED if waiting else SubmissionState.ACCEPTED,
                    submitted_at=submitted,
                    first_submitted_at=submitted,
                    deadline=deadline,
                    reviewed_at=None if waiting else reviewed,
                    reviewed_by=None if waiting else self.admin.user,
                )
            )
        MonthlySubmission.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


def _returned_pair(
    tenant: Tenant, members: dict[str, Membership]
) -> tuple[Contract, datetime.date] | None:
    """城中区's contract run by demo_contractor and the month RETURNED_MONTHS_AGO, or None
    when the demo accounts or the contract are missing."""
    contractor, county = members.get("demo_contractor"), members.get("demo_county")
    month = month_start(timezone.localdate())
    for _step in range(RETURNED_MONTHS_AGO):
        month = month_start(month - datetime.timedelta(days=1))
    if contractor is None or county is None:
        return None
    contract = (
        Contract.objects.filter(
            tenant=tenant, kind=ContractKind.STATION_OPERATION, county_code=RETURNED_COUNTY
        )
        .exclude(state=ContractState.DRAFT)
        .filter(start_on__lte=month_end(month), live_until__gte=month)
        .filter(organisation__members__membership=contractor)
        .first()
    )
    return (contract, month) if contract is not None else None


def _return_and_resubmit(
    members: dict[str, Membership], contract: Contract, month: datetime.date
) -> str:
    """The returned pair: submitted by demo_contractor, returned by demo_county with a
    reason, submitted again and accepted (through the services, so history reads as it
    happened)."""
    contractor, county = members["demo_contractor"], members["demo_county"]
    first = submission_submit(actor=contractor, contract=contract, month=month)
    submission_return(
        actor=county,
        submission=first,
        reason="有 1 个站点缺少督导记录，请补录后重新提交。",
    )
    again = submission_submit(actor=contractor, contract=contract, month=month)
    submission_accept(actor=county, submission=again)
    return f"，其中 {month:%Y-%m} 退回后重新提交"


DEMO_STEPS = [demo_supervision_load]
