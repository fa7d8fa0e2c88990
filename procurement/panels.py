"""What procurement adds to a county's page and to the dashboard: the operating stations
no live station contract covers, and the contracts ending within ENDING_SOON_DAYS."""

from __future__ import annotations

import datetime

from django.utils import timezone

from procurement import permissions
from procurement.selectors import (
    ENDING_SOON_DAYS,
    contracts_ending_within,
    stations_without_live_contract,
)
from stations.divisions import Level
from stations.models import Division
from stations.registry import DivisionPanel
from stations.scoping import Scope


def county_items(scope: Scope, county_code: str | None, as_of: datetime.date) -> dict:
    """``{"unrun_stations", "ending_contracts", "ending_days", "can_record"}`` for a county
    (or the whole scope): stations without a live station contract on ``as_of`` (at most
    100), and, when ``as_of`` is today, the contracts ending soonest (at most 50; None for
    a past day)."""
    unrun = stations_without_live_contract(scope, as_of, county_code)
    ending = None
    if as_of == timezone.localdate():
        contracts = contracts_ending_within(scope, ENDING_SOON_DAYS)
        if county_code:
            contracts = contracts.filter(county_code=county_code)
        ending = list(contracts[:50])
    return {
        "unrun_stations": list(unrun[:100]),
        "ending_contracts": ending,
        "ending_days": ENDING_SOON_DAYS,
        "can_record": permissions.role_records_contracts(scope.role),
    }


def _county_panel(scope: Scope, division: Division) -> dict | None:
    return county_items(scope, division.county_code, timezone.localdate())


DIVISION_PANELS = [
    DivisionPanel(
        template="procurement/_county_items.html", levels=(Level.COUNTY,), context=_county_panel
    ),
]
