"""What the stations app puts on a county's to-do list: township units without an
operating station (stations.coverage)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations import permissions
from stations.coverage import coverage_at
from stations.models import Membership
from stations.registry import TodoItem, TodoSource


def uncovered_townships(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Counted township units of the membership's scope without an operating station."""
    coverage = coverage_at(membership, membership.scope_division, today)
    return [
        TodoItem(
            source="uncovered_townships",
            key=f"division:{unit['code']}",
            text=_("%(name)s（%(parent)s）还没有运营中的社工站")
            % {"name": unit["name"], "parent": unit["parent__name"]},
            url=reverse("stations:division-detail", args=[unit["code"][:9]]),
        )
        for unit in coverage.uncovered
    ]


TODO_SOURCES = [
    TodoSource(
        code="uncovered_townships",
        title=gettext_lazy("未覆盖的乡镇（街道）"),
        audience=permissions.keeps_a_county,
        items=uncovered_townships,
    ),
]
