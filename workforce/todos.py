"""What the workforce app puts on a to-do list: registrations of the workers in scope that
end within EXPIRING_WITHIN_DAYS days and are not renewed (民发〔2009〕123号: register again
before the old registration ends); for a county officer, also each licensed worker whose
registration or continuing education fails (rule registration_valid) and each stationed
worker short of the year's training hours so far (rule training_hours_per_year_min)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations import permissions as station_permissions
from stations.models import Membership
from stations.registry import RuleResult, TodoItem, TodoSource
from stations.scoping import scope_of
from workforce import permissions
from workforce.compliance import check_registration_valid, check_training_hours
from workforce.summary import EXPIRING_WITHIN_DAYS, registrations_expiring, workers_in


def expiring_registrations(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Registrations of the membership's workers (a county's as the workforce page counts
    them; a contractor's own organisation's) that expire soon, soonest first."""
    workers = workers_in(scope_of(membership), membership.scope_division, today)
    rows = (
        registrations_expiring(workers, today)
        .select_related("credential__worker")
        .order_by("valid_until", "pk")[:200]
    )
    return [
        TodoItem(
            source="expiring_registrations",
            key=f"registration:{row.pk}",
            text=_("%(name)s 的%(level)s登记将于 %(day)s 到期，请办理再登记")
            % {
                "name": row.credential.worker.name,
                "level": row.credential.get_level_display(),
                "day": row.valid_until,
            },
            url=reverse("workforce:worker-detail", args=[row.credential.worker_id]),
            due=row.valid_until,
        )
        for row in rows
    ]


# A list is for acting on: at most this many items per source.
AT_MOST = 200


def _worker_items(source: str, result: RuleResult, due: datetime.date | None) -> list[TodoItem]:
    """One item per finding of a worker rule; the worker's page (the finding's url) is the
    item's stable identity."""
    return [
        TodoItem(
            source=source,
            key=f"{source}:{finding.url}",
            text=_("%(worker)s：%(actual)s（%(expected)s）")
            % {"worker": finding.subject, "actual": finding.actual, "expected": finding.expected},
            url=finding.url,
            due=due,
        )
        for finding in result.findings[:AT_MOST]
    ]


def registration_problems(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Licensed workers of the county in post whose registration is missing, late or
    expired, or whose last ended period was short of continuing education (民发〔2009〕
    44号、123号, through rule registration_valid)."""
    result = check_registration_valid(scope_of(membership), membership.scope_division, today)
    return _worker_items("registration_problems", result, None)


def training_short(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Workers stationed in the county short of the year's training hours so far (rule
    training_hours_per_year_min, plan 二(四)3), due by 31 December."""
    result = check_training_hours(scope_of(membership), membership.scope_division, today)
    return _worker_items("training_short", result, datetime.date(today.year, 12, 31))


TODO_SOURCES = [
    TodoSource(
        code="expiring_registrations",
        title=format_lazy(
            gettext_lazy("{days} 天内到期的职业水平证书登记"), days=EXPIRING_WITHIN_DAYS
        ),
        audience=permissions.gets_registration_reminders,
        items=expiring_registrations,
    ),
    TodoSource(
        code="registration_problems",
        title=gettext_lazy("登记或继续教育不符合规定的持证社工"),
        audience=station_permissions.keeps_a_county,
        items=registration_problems,
    ),
    TodoSource(
        code="training_short",
        title=gettext_lazy("年度培训学时不足的驻站社工"),
        audience=station_permissions.keeps_a_county,
        items=training_short,
    ),
]
