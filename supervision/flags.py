"""Anomaly flags the purchaser sees before accepting a month (issue 11): a supervisor at
two stations at overlapping times, more hours claimed in one day than policy
``supervision_hours_per_day_max`` (平台默认 12), a
sign-in sheet identical to another session's, a supervisor not assigned to the station.

Flags are warnings, not refusals: the platform records what the contractor reports and
the reviewer decides. Five queries for any number of months and sessions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import Contract
from stations.scoping import scope_of
from stations.selectors import Actor, policy_values_in
from supervision.models import SupervisionSession, SupervisorAssignment
from supervision.services import hours_by_day, month_end

# Hours one supervisor can plausibly give in a day, above which a day is flagged: policy
# (平台默认 12, issue 11), read for the month's first day.
HOURS_A_DAY_CODE = "supervision_hours_per_day_max"


def month_flags(actor: Actor, contract: Contract, month: datetime.date) -> dict[int, list[str]]:
    """{session id: [flag messages]} for the sessions of ``contract``'s ``month`` that
    have any."""
    return months_flags(actor, [(contract, month)])


def months_flags(
    actor: Actor, pairs: Iterable[tuple[Contract, datetime.date]]
) -> dict[int, list[str]]:
    """{session id: [flag messages]} for the sessions of every (contract, month) of
    ``pairs`` that have any, in five queries whatever the number of months."""
    return flags_by_month(actor, pairs)[1]


def _hours_limits(actor: Actor, pairs) -> list[tuple[datetime.date, datetime.date | None, Decimal]]:
    """The periods of policy HOURS_A_DAY_CODE over the months of ``pairs``: (from, to or
    None, hours)."""
    months = {month for _contract, month in pairs}
    first, last = min(months), month_end(max(months))
    return [
        (row.effective_from, row.effective_to, Decimal(str(row.value)))
        for row in policy_values_in(actor, first, last).filter(code=HOURS_A_DAY_CODE)
    ]


def _limit_on(limits, day: datetime.date) -> Decimal | None:
    for start, end, hours in limits:
        if start <= day and (end is None or end >= day):
            return hours
    return None


def flags_by_month(
    actor: Actor, pairs: Iterable[tuple[Contract, datetime.date]]
) -> tuple[dict[tuple[int, datetime.date], list[int]], dict[int, list[str]]]:
    """({(contract id, month): [flagged session ids]}, {session id: [flag messages]})."""
    pairs = list(pairs)
    if not pairs:
        return {}, {}
    months = Q()
    for contract, month in pairs:
        months |= Q(contract=contract, month=month)
    county = scope_of(actor).county_code  # a county officer: its county's sessions only
    if county:
        months &= Q(facility__county_code=county)
    sessions = list(SupervisionSession.objects.filter(months).select_related("facility"))
    if not sessions:
        return {}, {}
    tenant = pairs[0][0].tenant_id
    flags: dict[int, list[str]] = {}

    def flag(session: SupervisionSession, message: str) -> None:
        flags.setdefault(session.pk, []).append(message)

    limits = _hours_limits(actor, pairs)
    supervisors = {session.supervisor_id for session in sessions}
    first = min(session.started_at for session in sessions) - datetime.timedelta(days=1)
    last = max(session.ended_at for session in sessions) + datetime.timedelta(days=1)
    nearby = list(
        SupervisionSession.objects.filter(
            tenant_id=tenant,
            supervisor_id__in=supervisors,
            started_at__lt=last,
            ended_at__gt=first,
        ).select_related("facility")
    )
    hours: dict[tuple[int, datetime.date], Decimal] = {}
    by_supervisor: dict[int, list[SupervisionSession]] = {}
    for other in nearby:
        by_supervisor.setdefault(other.supervisor_id, []).append(other)
        for day, part in hours_by_day(other.started_at, other.ended_at, other.hours).items():
            key = (other.supervisor_id, day)
            hours[key] = hours.get(key, Decimal(0)) + part
    for session in sessions:
        for other in by_supervisor.get(session.supervisor_id, ()):
            if (
                other.pk != session.pk
                and other.facility_id != session.facility_id
                and other.started_at < session.ended_at
                and other.ended_at > session.started_at
            ):
                start = f"{timezone.localtime(other.started_at):%Y-%m-%d %H:%M}"
                if other.contract_id == session.contract_id and (
                    not county or other.facility.county_code == county
                ):
                    message = _("同一督导同时在 %(station)s（%(start)s）") % {
                        "station": other.facility.name,
                        "start": start,
                    }
                else:  # a record whose station is not this reader's to see
                    message = _("同一督导同时有另一条督导记录（%(start)s）") % {"start": start}
                flag(session, message)
        for day in hours_by_day(session.started_at, session.ended_at, session.hours):
            total = hours.get((session.supervisor_id, day), Decimal(0))
            limit = _limit_on(limits, day)
            if limit is None:  # rules never fall back to a number in code: say so
                flag(
                    session, _("本市未设定 %(day)s 适用的每日督导时长上限，未检查。") % {"day": day}
                )
            elif total > limit:
                flag(
                    session,
                    _("%(day)s 该督导共记录 %(hours)s 小时，超过 %(max)s 小时")
                    % {"day": day, "hours": total.quantize(Decimal("0.1")), "max": limit},
                )
    digests = {session.attachment_sha256 for session in sessions if session.attachment_sha256}
    if digests:
        shared: dict[str, list[int]] = {}
        for pk, digest in SupervisionSession.objects.filter(
            tenant_id=tenant, attachment_sha256__in=digests
        ).values_list("pk", "attachment_sha256"):
            shared.setdefault(digest, []).append(pk)
        for session in sessions:
            if len(shared.get(session.attachment_sha256, ())) > 1:
                flag(session, _("签到表与另一条督导记录的完全相同"))
    earliest = min(month for _contract, month in pairs)
    latest = month_end(max(month for _contract, month in pairs))
    assigned = list(
        SupervisorAssignment.objects.filter(
            contract__in={contract.pk for contract, _month in pairs},
            supervisor_id__in=supervisors,
            started_on__lte=latest,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=earliest))
        .values_list("contract_id", "supervisor_id", "facility_id", "started_on", "ended_on")
    )
    for session in sessions:
        day = timezone.localdate(session.started_at)
        if not any(
            contract == session.contract_id
            and supervisor == session.supervisor_id
            and facility == session.facility_id
            and started <= day
            and (ended is None or ended >= day)
            for contract, supervisor, facility, started, ended in assigned
        ):
            flag(session, _("该督导未被安排负责这个站点"))
    grouped: dict[tuple[int, datetime.date], list[int]] = {}
    for session in sessions:
        if session.pk in flags:
            grouped.setdefault((session.contract_id, session.month), []).append(session.pk)
    return grouped, flags
