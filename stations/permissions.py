"""Roles and the named capabilities of the stations app: the only place roles are named.

Services enforce these functions, and views, APIs and templates ask the same
functions which pages to open and which buttons to show, so that a new role
or a changed rule is one edit here. Every function takes the acting
membership (and the object concerned, where it matters) and returns a bool;
none queries the database.

Other apps keep their own ``<app>/permissions.py`` and build on these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from stations.models import Facility, Membership


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_VIEWER = "city_viewer", _("市级查看者")
    COUNTY_OFFICER = "county_officer", _("县（区）民政干部")
    CONTRACTOR = "contractor", _("承接机构")
    EVALUATOR = "evaluator", _("第三方评估机构")


# Roles whose scope is one county of the tenant (DESIGN.md §2).
COUNTY_SCOPED_ROLES = (Role.COUNTY_OFFICER,)
# Roles that see the whole tenant.
CITY_ROLES = (Role.CITY_ADMIN, Role.CITY_VIEWER)
# Roles that see the station network (divisions, facilities, coverage, exports).
# Contractors and evaluators see only what their contracts give them: the
# procurement app contributes those sets to the scope through providers.
NETWORK_ROLES = (*CITY_ROLES, *COUNTY_SCOPED_ROLES)
# The role jobs without a requester (beat's scheduled reports) act with: the whole city.
SCHEDULED_ROLE = Role.CITY_ADMIN
# Roles that keep facilities (a county officer: their county's).
FACILITY_EDITOR_ROLES = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)


def is_county_scoped(role: str) -> bool:
    """Whether a membership of ``role`` is limited to one county (and must name it)."""
    return role in COUNTY_SCOPED_ROLES


def keeps_a_county(membership: Membership) -> bool:
    """A county's to-do list and alerts (the county home): county officers."""
    return is_county_scoped(membership.role)


def can_see_network(membership: Membership) -> bool:
    """Divisions, facilities, coverage and the dashboard of the membership's scope."""
    return membership.role in NETWORK_ROLES


def can_see_facilities(membership: Membership) -> bool:
    """Facility lists and pages, read-only: network roles, and contractors and evaluators,
    whose scope holds only the facilities their contracts give them (procurement)."""
    return can_see_network(membership) or membership.role in (Role.CONTRACTOR, Role.EVALUATOR)


def is_city_level(membership: Membership) -> bool:
    """Whether the membership acts for the whole city (city bureau roles)."""
    return membership.role in CITY_ROLES


def can_unlock_reviewed_months(membership: Membership) -> bool:
    """Unlock an accepted (locked) monthly supervision report, with a reason: city admins."""
    return membership.role == Role.CITY_ADMIN


def can_manage_coverage(membership: Membership) -> bool:
    """Count or exclude a township unit (a dated coverage override): city admins."""
    return membership.role == Role.CITY_ADMIN


def can_unlock_accounts(membership: Membership) -> bool:
    """See and lift sign-in lockouts of the tenant's users: city admins (operators use
    ``manage.py axes_reset_username``)."""
    return membership.role == Role.CITY_ADMIN


def can_manage_policy(membership: Membership) -> bool:
    """Change the tenant's policy values (thresholds with their clauses): city admins."""
    return membership.role == Role.CITY_ADMIN


def can_view_policy(membership: Membership) -> bool:
    """Read the tenant's policy values: everyone who sees the network."""
    return can_see_network(membership)


def can_view_compliance(membership: Membership) -> bool:
    """The compliance page and API of the membership's scope (all counties for the city)."""
    return can_see_network(membership)


def can_request_jobs(membership: Membership) -> bool:
    """Ask for background exports and reports of the membership's scope."""
    return can_see_network(membership)


def can_create_facilities(membership: Membership) -> bool:
    """Create facilities (and import them from a spreadsheet) in the membership's scope."""
    return membership.role in FACILITY_EDITOR_ROLES


def can_import(membership: Membership) -> bool:
    """Upload at least one kind of spreadsheet (stations.registry.import_kinds)."""
    from stations.registry import import_kinds

    return any(kind.may_import(membership) for kind in import_kinds().values())


def can_edit_facility_at(membership: Membership, *, county_code: str | None, level: str) -> bool:
    """Whether the membership may keep a facility of ``level`` in the county ``county_code``.

    City admins keep every facility of the tenant; county officers those of
    their county, except the city centre.
    """
    from stations.models import FacilityLevel

    if membership.role == Role.CITY_ADMIN:
        return True
    if membership.role == Role.COUNTY_OFFICER and membership.scope is not None:
        return level != FacilityLevel.CITY_CENTRE and county_code == membership.scope.county_code
    return False


def can_edit_facility(membership: Membership, facility: Facility) -> bool:
    """Edit, close, reopen and rate ``facility`` (of the membership's tenant)."""
    return facility.tenant_id == membership.tenant_id and can_edit_facility_at(
        membership, county_code=facility.county_code, level=facility.level
    )
