"""Rules of supervision (plan 二(四)3), each with its clause, on accepted months.

The months judged are those of the day's year up to the day whose monthly submission the
purchaser accepted: a month still open or returned is the contractor's to finish, and
completeness reports it. Thresholds come from the tenant's policy values; each check runs
a fixed number of queries.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import ContractFacility, ContractKind
from procurement.selectors import contracts_visible
from stations.compliance import missing_policy
from stations.divisions import Level
from stations.models import Division, FacilityOperatingPeriod
from stations.policy import PolicyMissing
from stations.registry import Finding, Rule, RuleResult
from stations.scoping import Scope
from stations.selectors import policy_value
from supervision.models import (
    MonthlySubmission,
    SubmissionState,
    SupervisionSession,
    SupervisorAssignment,
)
from supervision.services import month_end


def _contracts(scope: Scope, division: Division):
    contracts = contracts_visible(scope).filter(kind=ContractKind.STATION_OPERATION)
    if division.level == Level.COUNTY:
        contracts = contracts.filter(county_code=division.county_code)
    return contracts


def _accepted(scope: Scope, division: Division, as_of: datetime.date):
    """Accepted submissions of the day's year, months begun by the day."""
    return MonthlySubmission.objects.filter(
        contract__in=_contracts(scope, division),
        state=SubmissionState.ACCEPTED,
        month__gte=datetime.date(as_of.year, 1, 1),
        month__lte=as_of,
    )


def check_sessions_per_station_month(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each station covered by a contract in an accepted month, and operating in it, has at
    least policy ``supervision_sessions_per_station_month_min`` sessions that month (plan
    二(四)3: “每月每站不少于1次”)."""
    try:
        minimum = int(policy_value(scope, "supervision_sessions_per_station_month_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    accepted = list(_accepted(scope, division, as_of).values_list("contract_id", "month"))
    expected = _("每站每月督导 ≥ %(n)d 次") % {"n": minimum}
    if not accepted:
        return RuleResult(
            passed=None, expected=expected, actual="—", note=_("该年尚无审核通过的月份。")
        )
    contract_ids = {contract for contract, _month in accepted}
    # Plain rows: (contract, facility, live from, live until, name, township code).
    by_contract: dict[int, list[tuple]] = {}
    for row in (
        ContractFacility.objects.filter(contract__in=contract_ids)
        .order_by("facility__division_id")
        .values_list(
            "contract_id",
            "facility_id",
            "live_from",
            "live_until",
            "facility__name",
            "facility__division_id",
        )
    ):
        by_contract.setdefault(row[0], []).append(row)
    spans: dict[int, list[tuple]] = {}
    for facility, started, ended in FacilityOperatingPeriod.objects.filter(
        facility__in={row[1] for rows in by_contract.values() for row in rows}
    ).values_list("facility_id", "started_on", "ended_on"):
        spans.setdefault(facility, []).append((started, ended))
    counts = {
        (contract, facility, month): n
        for contract, facility, month, n in SupervisionSession.objects.filter(
            contract__in=contract_ids, month__in={month for _contract, month in accepted}
        )
        .values_list("contract_id", "facility_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    findings = []
    judged = 0
    for contract, month in accepted:
        last = month_end(month)
        for _contract, facility, live_from, live_until, name, township in by_contract.get(
            contract, []
        ):
            if live_from is None or live_until is None:
                continue  # a draft's rows: never in force
            if live_from > last or live_until < month:
                continue
            operating = any(
                started <= last and (ended is None or ended > month)
                for started, ended in spans.get(facility, ())
            )
            if not operating:
                continue
            judged += 1
            n = counts.get((contract, facility, month), 0)
            if n < minimum:
                findings.append(
                    Finding(
                        subject=f"{name} · {month:%Y-%m}",
                        division=township[:9],
                        expected=expected,
                        actual=_("%(n)d 次") % {"n": n},
                        url=reverse("stations:facility-detail", args=[facility]),
                    )
                )
    return RuleResult(
        passed=not findings,
        expected=expected,
        actual=_("%(ok)d/%(total)d 个站点月份达标")
        % {"ok": judged - len(findings), "total": judged},
        findings=findings,
    )


def check_hours_per_session(scope: Scope, division: Division, as_of: datetime.date) -> RuleResult:
    """Sessions of accepted months last at least policy ``supervision_hours_per_session_min``
    hours (plan 二(四)3: “每次督导时长不少于16小时”)."""
    try:
        minimum = float(policy_value(scope, "supervision_hours_per_session_min", as_of))
    except PolicyMissing as error:
        return missing_policy(error)
    accepted = MonthlySubmission.objects.filter(
        contract=OuterRef("contract"), month=OuterRef("month"), state=SubmissionState.ACCEPTED
    )
    sessions = SupervisionSession.objects.filter(
        Exists(accepted),
        contract__in=_contracts(scope, division),
        month__gte=datetime.date(as_of.year, 1, 1),
        month__lte=as_of,
    )
    total = sessions.count()
    short = list(
        sessions.filter(hours__lt=minimum)
        .select_related("facility", "supervisor")
        .order_by("started_at")
    )
    expected = _("每次督导 ≥ %(n)s 小时") % {"n": f"{minimum:g}"}
    findings = [
        Finding(
            subject=f"{session.facility.name} · {session.started_at:%Y-%m-%d} · "
            f"{session.supervisor.name}",
            division=session.facility.division_id[:9],
            expected=expected,
            actual=_("%(hours)s 小时") % {"hours": session.hours},
            url=reverse("stations:facility-detail", args=[session.facility_id]),
        )
        for session in short
    ]
    return RuleResult(
        passed=not findings if total else None,
        expected=expected,
        actual=_("%(ok)d/%(total)d 次督导达标") % {"ok": total - len(findings), "total": total},
        findings=findings,
        note="" if total else _("该年尚无审核通过的督导记录。"),
    )


def check_stations_per_supervisor(
    scope: Scope, division: Division, as_of: datetime.date
) -> RuleResult:
    """Each supervisor assigned on the day looks after between policy
    ``stations_per_supervisor`` min and max stations (plan 二(四)3: “1名督导人员负责2～8个
    社工站”)."""
    try:
        wanted = policy_value(scope, "stations_per_supervisor", as_of)
    except PolicyMissing as error:
        return missing_policy(error)
    low, high = int(wanted["min"]), int(wanted["max"])
    rows = list(
        SupervisorAssignment.objects.filter(
            contract__in=_contracts(scope, division), started_on__lte=as_of
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
        .values("supervisor_id", "supervisor__name", "supervisor__id_number_masked")
        .annotate(stations=Count("facility", distinct=True))
        .order_by("supervisor__name", "supervisor_id")
    )
    expected = _("每名督导负责 %(low)d–%(high)d 个站点") % {"low": low, "high": high}
    findings = [
        Finding(
            subject=_("%(name)s（%(number)s）")
            % {"name": row["supervisor__name"], "number": row["supervisor__id_number_masked"]},
            division=division.short_code,
            expected=expected,
            actual=_("%(n)d 个站点") % {"n": row["stations"]},
            url=reverse("workforce:worker-detail", args=[row["supervisor_id"]]),
        )
        for row in rows
        if not low <= row["stations"] <= high
    ]
    return RuleResult(
        passed=not findings if rows else None,
        expected=expected,
        actual=_("%(ok)d/%(total)d 名督导达标")
        % {"ok": len(rows) - len(findings), "total": len(rows)},
        findings=findings,
        note="" if rows else _("该日没有督导安排。"),
    )


RULES = [
    Rule(
        code="supervision_sessions_per_station_month_min",
        title=gettext_lazy("每站每月督导次数达到下限"),
        clause="二(四)3",
        check=check_sessions_per_station_month,
    ),
    Rule(
        code="supervision_hours_per_session_min",
        title=gettext_lazy("每次督导时长达到下限"),
        clause="二(四)3",
        check=check_hours_per_session,
    ),
    Rule(
        code="stations_per_supervisor",
        title=gettext_lazy("每名督导负责的社工站数量在规定范围内"),
        clause="二(四)3",
        check=check_stations_per_supervisor,
    ),
]
