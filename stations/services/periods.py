"""Dated periods (``effective_from``–``effective_to``, both days included; no end = open).

Policy values and coverage overrides are kept as non-overlapping periods per
key (a tenant's code, a tenant's township). Setting a new period never
rewrites the days outside it: the period in force on the new start keeps its
value before it and, when the new one ends earlier, resumes after its end.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from stations.selectors import in_force_on

ONE_DAY = datetime.timedelta(days=1)
Row = TypeVar("Row", bound=Model)


def period_make_room(
    periods: QuerySet[Row],
    start: datetime.date,
    end: datetime.date | None,
    *,
    resume: Callable[[Row, datetime.date], None],
    user,
) -> Row | None:
    """Make room for ``start``–``end`` among ``periods`` (locked here) of one key.

    Returns the period that starts the same day (the caller corrects it), or
    None (the caller creates one). The period in force on ``start`` ends the day
    before; when the new one ends earlier than it did, ``resume(row, day)``
    recreates it from the day after the new end. Any other period overlapping
    the new one is a ValidationError on ``effective_from`` or ``effective_to``,
    and nothing is changed.
    """
    periods = periods.select_for_update()
    containing = periods.filter(in_force_on(start)).order_by("-effective_from").first()
    others = periods.exclude(pk=containing.pk) if containing is not None else periods
    clash = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        clash = clash.filter(effective_from__lte=end)
    first_clash = clash.order_by("effective_from").first()
    if first_clash is not None:
        raise ValidationError(
            {
                "effective_to" if end else "effective_from": _(
                    "与 %(start)s 起的已有期间重叠，请先修改或结束那一段，或选择不重叠的日期。"
                )
                % {"start": first_clash.effective_from}  # type: ignore[attr-defined]
            }
        )
    if containing is None:
        return None
    old_end = containing.effective_to  # type: ignore[attr-defined]
    if end is not None and (old_end is None or old_end > end):
        resume(containing, end + ONE_DAY)
    if containing.effective_from < start:  # type: ignore[attr-defined]
        containing.effective_to = start - ONE_DAY  # type: ignore[attr-defined]
        containing.updated_by = user  # type: ignore[attr-defined]
        containing.save(update_fields=["effective_to", "updated_by", "updated_at"])
        return None
    return containing


def period_save(row: Model) -> None:
    """Validate and save ``row``; two writers of the same start at once get a ValidationError."""
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError(
            {"effective_from": _("该起始日期的记录刚被他人修改，请刷新页面后重试。")}
        ) from error
