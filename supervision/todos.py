"""What supervision puts on a to-do list: for a purchaser, submitted months waiting for
its review; for a county officer, months of the county's contracts past their deadline
and never submitted; for a contractor, months returned to it and months it let pass."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations import permissions as station_permissions
from stations.models import Membership
from stations.registry import TodoItem, TodoSource
from supervision import permissions
from supervision.models import SubmissionState
from supervision.selectors import (
    OVERDUE_LOOKBACK_MONTHS,
    completeness,
    contractor_months,
    deadlines_of,
    submissions_to_review,
)
from supervision.services import month_start


def _url(contract_id: int, month: datetime.date) -> str:
    return reverse("supervision:month", args=[contract_id, f"{month:%Y-%m}"])


def months_to_review(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Submitted months of the contracts the membership purchases, oldest first."""
    return [
        TodoItem(
            source="months_to_review",
            key=f"submission:{row.pk}:{row.submitted_at:%Y%m%d%H%M}",
            text=_("%(number)s · %(month)s 的月度督导等待审核（%(organisation)s）")
            % {
                "number": row.contract.number,
                "month": f"{row.month:%Y-%m}",
                "organisation": row.contract.organisation.name,
            },
            url=_url(row.contract_id, row.month),
        )
        for row in submissions_to_review(membership)
    ]


def months_overdue(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """Months of the county's contracts, of the last OVERDUE_LOOKBACK_MONTHS, never
    submitted although their deadline has passed."""
    this = month_start(today)
    last = month_start(this - datetime.timedelta(days=1))
    start = this
    for _step in range(OVERDUE_LOOKBACK_MONTHS):
        start = month_start(start - datetime.timedelta(days=1))
    missing = completeness(membership, membership.scope_division, start, last).missing
    deadlines = deadlines_of(
        membership, {datetime.date.fromisoformat(f"{m['month']}-01") for m in missing}
    )
    items = []
    for row in missing:
        month = datetime.date.fromisoformat(f"{row['month']}-01")
        deadline = deadlines.get(month)
        if deadline is None or deadline >= today:
            continue
        items.append(
            TodoItem(
                source="months_overdue",
                key=f"contract:{row['contract']}:{row['month']}",
                text=_("%(number)s · %(month)s 的月度督导逾期未提交（截止 %(deadline)s）")
                % {"number": row["number"], "month": row["month"], "deadline": deadline},
                url=_url(row["contract"], month),
                due=deadline,
            )
        )
    return items


def months_to_fix(membership: Membership, today: datetime.date) -> list[TodoItem]:
    """The contractor's months returned to it, and those past their deadline never
    submitted (supervision.selectors.contractor_months)."""
    items = []
    for month in contractor_months(membership, today):
        if month.state == SubmissionState.RETURNED:
            text = _("%(number)s · %(month)s 的月度督导被退回：%(reason)s") % {
                "number": month.contract.number,
                "month": month.month_text,
                "reason": month.submission.reason if month.submission else "",
            }
        elif month.overdue:
            text = _("%(number)s · %(month)s 的月度督导逾期未提交（截止 %(deadline)s）") % {
                "number": month.contract.number,
                "month": month.month_text,
                "deadline": month.deadline,
            }
        else:
            continue
        items.append(
            TodoItem(
                source="months_to_fix",
                key=f"contract:{month.contract.pk}:{month.month_text}:{month.state}",
                text=text,
                url=_url(month.contract.pk, month.month),
                due=month.deadline,
            )
        )
    return items


TODO_SOURCES = [
    TodoSource(
        code="months_to_review",
        title=gettext_lazy("等待审核的月度督导"),
        audience=permissions.reviews_months,
        items=months_to_review,
    ),
    TodoSource(
        code="months_overdue",
        title=gettext_lazy("逾期未提交的月度督导"),
        audience=station_permissions.keeps_a_county,
        items=months_overdue,
    ),
    TodoSource(
        code="months_to_fix",
        title=gettext_lazy("被退回或逾期的月度督导"),
        audience=permissions.submits_months,
        items=months_to_fix,
    ),
]
