"""Anomaly flags the purchaser sees before accepting a month (issue 11): a supervisor at
two stations at overlapping times, more than MAX_HOURS_A_DAY hours claimed in one day, a
sign-in sheet identical to another session's, a supervisor not assigned to the station.

Flags are warnings, not refusals: the platform records what the contractor reports and
the reviewer decides. Four queries per month, whatever the number of sessions.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import Contract
from supervision.models import SupervisionSession, SupervisorAssignment
from supervision.services import hours_by_day, month_end

# Hours one supervisor can plausibly give in a day; above it the day is flagged (issue 11).
MAX_HOURS_A_DAY = Decimal(12)


def month_flags(contract: Contract, month: datetime.date) -> dict[int, list[str]]:
    """{session id: [flag messages]} for the sessions of ``contract``'s ``month`` that
    have any."""
    sessions = list(
        SupervisionSession.objects.filter(contract=contract, month=month).select_related("facility")
    )
    if not sessions:
        return {}
    flags: dict[int, list[str]] = {}

    def flag(session: SupervisionSession, message: str) -> None:
        flags.setdefault(session.pk, []).append(message)

    supervisors = {session.supervisor_id for session in sessions}
    first = min(session.started_at for session in sessions) - datetime.timedelta(days=1)
    last = max(session.ended_at for session in sessions) + datetime.timedelta(days=1)
    nearby = list(
        SupervisionSession.objects.filter(
            tenant_id=contract.tenant_id,
            supervisor_id__in=supervisors,
            started_at__lt=last,
            ended_at__gt=first,
        ).select_related("facility")
    )
    hours: dict[tuple[int, datetime.date], Decimal] = {}
    for other in nearby:
        for day, part in hours_by_day(other.started_at, other.ended_at, other.hours).items():
            key = (other.supervisor_id, day)
            hours[key] = hours.get(key, Decimal(0)) + part
    for session in sessions:
        for other in nearby:
            if (
                other.pk != session.pk
                and other.supervisor_id == session.supervisor_id
                and other.facility_id != session.facility_id
                and other.started_at < session.ended_at
                and other.ended_at > session.started_at
            ):
                flag(
                    session,
                    _("同一督导同时在 %(station)s（%(start)s）")
                    % {
                        "station": other.facility.name,
                        "start": f"{timezone.localtime(other.started_at):%Y-%m-%d %H:%M}",
                    },
                )
        for day in hours_by_day(session.started_at, session.ended_at, session.hours):
            total = hours.get((session.supervisor_id, day), Decimal(0))
            if total > MAX_HOURS_A_DAY:
                flag(
                    session,
                    _("%(day)s 该督导共记录 %(hours)s 小时，超过 %(max)s 小时")
                    % {"day": day, "hours": total.quantize(Decimal("0.1")), "max": MAX_HOURS_A_DAY},
                )
    digests = {session.attachment_sha256 for session in sessions if session.attachment_sha256}
    if digests:
        shared: dict[str, list[int]] = {}
        for pk, digest in SupervisionSession.objects.filter(
            tenant_id=contract.tenant_id, attachment_sha256__in=digests
        ).values_list("pk", "attachment_sha256"):
            shared.setdefault(digest, []).append(pk)
        for session in sessions:
            if len(shared.get(session.attachment_sha256, ())) > 1:
                flag(session, _("签到表与另一条督导记录的完全相同"))
    assigned = list(
        SupervisorAssignment.objects.filter(
            contract=contract, supervisor_id__in=supervisors, started_on__lte=month_end(month)
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month))
        .values_list("supervisor_id", "facility_id", "started_on", "ended_on")
    )
    for session in sessions:
        day = timezone.localdate(session.started_at)
        if not any(
            supervisor == session.supervisor_id
            and facility == session.facility_id
            and started <= day
            and (ended is None or ended >= day)
            for supervisor, facility, started, ended in assigned
        ):
            flag(session, _("该督导未被安排负责这个站点"))
    return flags
