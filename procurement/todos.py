"""What procurement puts on a county's to-do list: operating stations no live station
contract covers, and contracts ending within ENDING_SOON_DAYS (procurement.selectors)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement import permissions
from procurement.models import EvaluationStatus
from procurement.selectors import (
    ENDING_SOON_DAYS,
    contracts_ending_within,
    evaluations_visible,
    stations_without_live_contract,
)
from stations import permissions as station_permissions
from stations.models import Membership
from stations.registry import TodoItem, TodoSource


def unrun_stations(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Operating stations of the county without a live station contract today."""
    county = membership.scope_division.county_code if membership.scope else None
    return [
        TodoItem(
            source="unrun_stations",
            key=f"facility:{station.pk}",
            text=_("%(station)s 没有生效的运营合同") % {"station": station.name},
            url=reverse("stations:facility-detail", args=[station.pk]),
        )
        for station in stations_without_live_contract(membership, today, county)[:200]
    ]


def ending_contracts(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """The county's contracts in force today that end within ENDING_SOON_DAYS days."""
    contracts = contracts_ending_within(membership, ENDING_SOON_DAYS, today)
    if membership.scope is not None:
        contracts = contracts.filter(county_code=membership.scope_division.county_code)
    return [
        TodoItem(
            source="ending_contracts",
            key=f"contract:{contract.pk}:{contract.live_until}",
            text=_("合同 %(number)s（%(organisation)s）将于 %(day)s 到期")
            % {
                "number": contract.number,
                "organisation": contract.organisation.name,
                "day": contract.live_until,
            },
            url=reverse("procurement:contract-detail", args=[contract.pk]),
            due=contract.live_until,
        )
        for contract in contracts[:200]
    ]


def evaluations_due(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """The evaluator's evaluations still to submit: assigned, or returned with a reason."""
    due = evaluations_visible(membership).filter(
        status__in=[EvaluationStatus.ASSIGNED, EvaluationStatus.RETURNED]
    )
    items = []
    for evaluation in due.order_by("period_end", "pk")[:200]:
        if evaluation.status == EvaluationStatus.RETURNED:
            text = _("合同 %(number)s 的评估被退回：%(reason)s") % {
                "number": evaluation.contract.number,
                "reason": evaluation.return_reason,
            }
        else:
            text = _("评估合同 %(number)s（%(start)s 至 %(end)s），提交评估结果") % {
                "number": evaluation.contract.number,
                "start": evaluation.period_start,
                "end": evaluation.period_end,
            }
        items.append(
            TodoItem(
                source="evaluations_due",
                key=f"evaluation:{evaluation.pk}:{evaluation.status}",
                text=text,
                url=reverse("procurement:evaluation-detail", args=[evaluation.pk]),
            )
        )
    return items


TODO_SOURCES = [
    TodoSource(
        code="unrun_stations",
        title=gettext_lazy("无生效运营合同的社工站"),
        audience=station_permissions.keeps_a_county,
        items=unrun_stations,
    ),
    TodoSource(
        code="ending_contracts",
        title=format_lazy(gettext_lazy("{days} 天内到期的合同"), days=ENDING_SOON_DAYS),
        audience=station_permissions.keeps_a_county,
        items=ending_contracts,
    ),
    TodoSource(
        code="evaluations_due",
        title=gettext_lazy("待提交的第三方评估"),
        audience=permissions.gets_evaluation_reminders,
        items=evaluations_due,
    ),
]
