"""What procurement puts on a county's to-do list: operating stations no live station
contract covers, and contracts ending within ENDING_SOON_DAYS (procurement.selectors)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.selectors import (
    ENDING_SOON_DAYS,
    contracts_ending_within,
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
]
