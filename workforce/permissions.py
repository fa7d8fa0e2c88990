"""Named capabilities of the workforce app; roles are named in ``stations.permissions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stations import permissions as station_permissions
from stations.permissions import Role

if TYPE_CHECKING:
    from stations.models import Membership


def can_see_social_workers(membership: Membership) -> bool:
    """Social worker pages and API: network roles (a county officer: its county's workers)
    and contractors (their own organisation's)."""
    return station_permissions.can_see_network(membership) or membership.role == Role.CONTRACTOR


def can_manage_social_workers(membership: Membership) -> bool:
    """Register and change workers in scope: city admins, county officers, contractors
    (their own organisation's workers only)."""
    return membership.role in (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.CONTRACTOR)


def keeps_own_organisation_only(role: str) -> bool:
    """Whether ``role`` keeps only the workers its own organisation employs (contractors)."""
    return role == Role.CONTRACTOR


def can_reveal_id_numbers(membership: Membership) -> bool:
    """See a worker's full ID number by an explicit, logged action: a city admin, or a county
    officer for the workers of its county (PIPL: the fewest people who need it)."""
    return membership.role in (Role.CITY_ADMIN, Role.COUNTY_OFFICER)


def can_manage_population(membership: Membership) -> bool:
    """Enter the city's and counties' population figures: city admins."""
    return membership.role == Role.CITY_ADMIN


def gets_registration_reminders(membership: Membership) -> bool:
    """Registrations expiring soon on the to-do list: county officers (their county's
    workers) and contractors (their own organisation's)."""
    return station_permissions.keeps_a_county(membership) or membership.role == Role.CONTRACTOR
