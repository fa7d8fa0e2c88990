"""Training records (培训): course, provider, day, hours, form, certificate.

A day holds at most 24 hours of training for one worker, across all its records; a
record is refused, with every problem at once, when it would go beyond, has no hours,
or lies in the future. The hours count toward the year's minimum (policy
``training_hours_per_year_min``, plan 二(四)3) and toward continuing education.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stations.history import register_actions
from stations.models import Membership
from stations.services.history import acting
from stations.validation import date_problem
from workforce import permissions
from workforce.models import SocialWorker, Training, TrainingForm

HOURS_IN_A_DAY = Decimal(24)

register_actions({"training_create": gettext_lazy("记录了培训")})


def training_check(*, actor: Membership, worker: SocialWorker, **values: Any) -> Training:
    """The training ``values`` describe, unsaved: ``course``, ``provider``, ``held_on``,
    ``hours`` (more than 0, one decimal), ``form`` (``online``/``offline``),
    ``certificate_number``. Raises PermissionDenied or ValidationError (every problem)."""
    if not permissions.can_manage_social_workers(actor) or worker.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("您的角色不能记录培训。"))
    errors: dict[str, list] = {}
    course = str(values.get("course") or "").strip()
    if not course:
        errors.setdefault("course", []).append(_("请填写课程名称。"))
    held_on: datetime.date | None = values.get("held_on")
    if held_on is None:
        errors.setdefault("held_on", []).append(_("请填写培训日期。"))
    elif date_problem(held_on):
        errors.setdefault("held_on", []).append(date_problem(held_on))
    try:
        hours = Decimal(str(values.get("hours")))
        if not hours.is_finite() or hours <= 0 or hours != hours.quantize(Decimal("0.1")):
            raise InvalidOperation
    except InvalidOperation:
        errors.setdefault("hours", []).append(_("学时应为大于 0 的数字，最多一位小数。"))
        hours = Decimal(0)
    if hours and held_on is not None and "held_on" not in errors:
        recorded = Training.objects.filter(worker=worker, held_on=held_on).aggregate(
            total=Sum("hours")
        )["total"] or Decimal(0)
        if recorded + hours > HOURS_IN_A_DAY:
            errors.setdefault("hours", []).append(
                _("%(day)s 已记录 %(recorded)s 学时，再加 %(hours)s 学时超过一天 24 小时。")
                % {"day": held_on, "recorded": recorded, "hours": hours}
            )
    form = values.get("form")
    if form not in TrainingForm.values:
        errors.setdefault("form", []).append(_("请选择培训形式。"))
    for field, limit in (("provider", 200), ("certificate_number", 60)):
        if len(str(values.get(field) or "")) > limit:
            errors.setdefault(field, []).append(_("不能超过 %(limit)d 个字符。") % {"limit": limit})
    if errors:
        raise ValidationError(errors)
    assert held_on is not None and form is not None
    return Training(
        tenant_id=actor.tenant_id,
        worker=worker,
        course=course,
        provider=str(values.get("provider") or "").strip(),
        held_on=held_on,
        hours=hours,
        form=form,
        certificate_number=str(values.get("certificate_number") or "").strip(),
    )


def training_create(*, actor: Membership, worker: SocialWorker, **values: Any) -> Training:
    """Record a training (see training_check); the day's total is checked under a lock."""
    with acting(actor.user, action="training_create", tenant=actor.tenant.code):
        locked = SocialWorker.objects.select_for_update().get(pk=worker.pk)
        training = training_check(actor=actor, worker=locked, **values)
        training.save()
    return training


def training_hours(worker: SocialWorker, start: datetime.date, end: datetime.date) -> Decimal:
    """The worker's training hours from ``start`` to ``end`` (both included)."""
    total = Training.objects.filter(worker=worker, held_on__range=(start, end)).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal(0)
