"""Scoped reads of background jobs, and a user's to-do list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from reports.models import Job
from stations.models import Membership
from stations.registry import TodoItem, report_kinds, todo_sources
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


@dataclass
class TodoGroup:
    """One source's items on a user's to-do list (``stations.registry.TodoSource``)."""

    code: str
    title: str
    items: list[TodoItem]


def todos_of(membership: Membership, today: datetime.date) -> list[TodoGroup]:
    """The membership's to-do list on ``today``: every app's sources whose audience it is,
    in INSTALLED_APPS order, the empty ones included (a county sees what it has cleared)."""
    return [
        TodoGroup(code=source.code, title=str(source.title), items=source.items(membership, today))
        for source in todo_sources()
        if source.audience(membership)
    ]
