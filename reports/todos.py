"""What reports puts on a county's to-do list: the plan's rules the county fails today
(reports.rules runs every app's rules; the records are on the compliance page)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.rules import compliance_run
from stations import permissions as station_permissions
from stations.models import Membership
from stations.registry import TodoItem, TodoSource
from stations.scoping import scope_of


def failing_rules(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """One item per rule the membership's division fails on ``today``."""
    division = membership.scope_division
    compliance = compliance_run(scope_of(membership), division, today)
    url = reverse("reports:compliance")
    return [
        TodoItem(
            source="failing_rules",
            key=f"rule:{outcome.rule.code}",
            text=_("%(title)s（%(clause)s）未达标：%(actual)s，目标 %(expected)s")
            % {
                "title": outcome.rule.title,
                "clause": outcome.rule.clause,
                "actual": outcome.result.actual,
                "expected": outcome.result.expected,
            },
            url=f"{url}#{outcome.rule.code}",
        )
        for outcome in compliance.failed
    ]


TODO_SOURCES = [
    TodoSource(
        code="failing_rules",
        title=gettext_lazy("未达标的指标"),
        audience=station_permissions.keeps_a_county,
        items=failing_rules,
    ),
]
