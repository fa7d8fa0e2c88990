"""Named capabilities of the procurement app; roles are named in ``stations.permissions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stations import permissions as station_permissions
from stations.permissions import Role

if TYPE_CHECKING:
    from stations.models import Membership


def can_see_organisations(membership: Membership) -> bool:
    """The tenant's organisations: everyone who sees the network (organisations serve several
    counties, so a county officer sees all of the city's)."""
    return station_permissions.can_see_network(membership)


def can_manage_organisations(membership: Membership) -> bool:
    """Register and change organisations: city admins and county officers."""
    return membership.role in (Role.CITY_ADMIN, Role.COUNTY_OFFICER)
