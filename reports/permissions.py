"""Named capabilities of the reports app: who uses jobs and which report kinds they may ask for.

Builds on ``stations.permissions``; roles are named there, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stations import permissions as station_permissions

if TYPE_CHECKING:
    from stations.models import Membership


def can_use_jobs(membership: Membership) -> bool:
    """The jobs page and API: one's own scope's exports and reports."""
    return station_permissions.can_request_jobs(membership)


def can_view_dashboard(membership: Membership) -> bool:
    """The coverage dashboard of the membership's scope (city, or one county)."""
    return station_permissions.can_see_network(membership)


def can_view_compliance(membership: Membership) -> bool:
    """The compliance page, API and report of one's scope: the city (all counties) or a county."""
    return station_permissions.can_view_compliance(membership)


def is_city_level(membership: Membership) -> bool:
    """Acts for the whole city: may look at any county of it."""
    return station_permissions.is_city_level(membership)
