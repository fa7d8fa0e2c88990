"""Scoped reads of background jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Job
from stations.registry import report_kinds
from stations.scoping import scope_of
from stations.selectors import Actor


def jobs_visible(actor: Actor) -> QuerySet[Job]:
    """Jobs of the scope's tenant about divisions inside the scope (its county, if any).

    A scope without the station network sees only the jobs its own user asked for.
    """
    scope = scope_of(actor)
    queryset = Job.objects.filter(tenant_id=scope.tenant_id).select_related("requested_by", "scope")
    if scope.county_code:
        queryset = queryset.filter(scope__county_code=scope.county_code)
    if not scope.network:
        queryset = queryset.filter(requested_by_id=scope.user_id)
    return queryset


def reports_visible(actor: Actor) -> QuerySet[Job]:
    """Reports in the scope: jobs_visible of the kinds declared as reports."""
    codes = [kind.code for kind in report_kinds().values() if kind.is_report]
    return jobs_visible(actor).filter(kind__in=codes)
