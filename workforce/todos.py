"""What the workforce app puts on a to-do list: registrations of the workers in scope that
end within EXPIRING_WITHIN_DAYS days and are not renewed (民发〔2009〕123号: register again
before the old registration ends)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.models import Membership
from stations.registry import TodoItem, TodoSource
from stations.scoping import scope_of
from workforce import permissions
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


TODO_SOURCES = [
    TodoSource(
        code="expiring_registrations",
        title=format_lazy(
            gettext_lazy("{days} 天内到期的职业水平证书登记"), days=EXPIRING_WITHIN_DAYS
        ),
        audience=permissions.gets_registration_reminders,
        items=expiring_registrations,
    ),
]
