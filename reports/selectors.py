"""Scoped reads of background jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Job, JobKind
from stations.divisions import Level
from stations.models import Membership


def jobs_visible(membership: Membership) -> QuerySet[Job]:
    """Jobs of the membership's tenant whose scope lies inside the membership's scope."""
    if not membership.sees_network:
        return Job.objects.none()
    queryset = Job.objects.filter(tenant_id=membership.tenant_id).select_related(
        "requested_by", "scope"
    )
    root = membership.scope_division
    if root.level == Level.COUNTY:
        queryset = queryset.filter(scope__county_code=root.county_code)
    return queryset


def reports_visible(membership: Membership) -> QuerySet[Job]:
    """Coverage reports in the membership's scope (jobs_visible, of that kind)."""
    return jobs_visible(membership).filter(kind=JobKind.COVERAGE_REPORT)
