"""Seeding and changing a tenant's policy values (stations.policy.CATALOGUE), with history.

A change never rewrites the past silently: a new value starts on a date, the
period it falls into ends the day before, and (when the new value has an end)
the old value resumes the day after. Correcting a period's value keeps its dates.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from stations import permissions
from stations.models import Membership, PolicyValue, Tenant
from stations.policy import CATALOGUE, DEFINITIONS, InvalidPolicyValue, parse_value
from stations.services.history import acting
from stations.services.periods import period_make_room, period_save

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# Stored as data, in Chinese whatever the language of the request that seeds it.
DEFAULT_NOTE = "默认值（DESIGN.md §5，柳州市三年行动计划）"


def policy_defaults_seed(*, tenant: Tenant, user=None) -> int:
    """Give ``tenant`` every catalogue code it lacks, with the default periods; returns rows added.

    Called when a tenant is created; running it again adds nothing.
    """
    with acting(user, action="policy_defaults_seed", tenant=tenant.code):
        present = set(PolicyValue.objects.filter(tenant=tenant).values_list("code", flat=True))
        rows = [
            PolicyValue(
                tenant=tenant,
                code=definition.code,
                value=default.value,
                unit=definition.unit,
                clause=definition.clause,
                effective_from=default.effective_from,
                effective_to=default.effective_to,
                note=DEFAULT_NOTE,
            )
            for definition in CATALOGUE
            if definition.code not in present
            for default in definition.defaults
        ]
        PolicyValue.objects.bulk_create(rows)
    return len(rows)


def policy_value_set(
    *,
    actor: Membership,
    code: str,
    value: Any,
    effective_from: datetime.date | None,
    effective_to: datetime.date | None = None,
    clause: str | None = None,
    note: str = "",
) -> PolicyValue:
    """Set ``code`` to ``value`` from ``effective_from`` (to ``effective_to``, or open).

    Every problem is reported at once, by field (ValidationError); only a city
    admin may change policy (PermissionDenied). A start that equals an existing
    period's start corrects that period's value, clause and end. Whichever
    period the new one falls into keeps its value before the new start and,
    when the new one ends earlier, after its end: a change never leaves a gap.
    """
    if not permissions.can_manage_policy(actor):
        raise PermissionDenied(_("只有市级管理员可以调整政策参数。"))
    errors: dict[str, list[str]] = {}
    definition = DEFINITIONS.get(code)
    if definition is None:
        raise ValidationError({"code": _("未知的规则代码“%(code)s”。") % {"code": code}})
    parsed = None
    try:
        parsed = parse_value(code, value)
    except InvalidPolicyValue as error:
        errors.setdefault("value", []).append(str(error))
    if effective_from is None:
        errors.setdefault("effective_from", []).append(_("请填写起始日期。"))
    elif effective_from < EARLIEST:
        errors.setdefault("effective_from", []).append(_("起始日期不能早于 2000-01-01。"))
    elif effective_from > LATEST:
        errors.setdefault("effective_from", []).append(_("起始日期不能晚于 2100-12-31。"))
    if effective_to and effective_to > LATEST:
        errors.setdefault("effective_to", []).append(
            _("截止日期不能晚于 2100-12-31；长期有效请留空。")
        )
    if effective_from and effective_to and effective_to < effective_from:
        errors.setdefault("effective_to", []).append(_("截止日期不能早于起始日期。"))
    note = (note or "").strip()
    if not note:
        errors.setdefault("note", []).append(_("请填写调整说明（依据的文件或原因）。"))
    clause = (clause or "").strip() or definition.clause
    if errors:
        raise ValidationError(errors)
    assert effective_from is not None  # for the type checker: checked above

    with acting(actor.user, action="policy_value_set", tenant=actor.tenant.code, code=code):

        def resume(old: PolicyValue, day: datetime.date) -> None:
            PolicyValue.objects.create(
                tenant=actor.tenant,
                code=code,
                value=old.value,
                unit=old.unit,
                clause=old.clause,
                effective_from=day,
                effective_to=old.effective_to,
                note=old.note,
                updated_by=actor.user,
            )

        row = period_make_room(
            PolicyValue.objects.filter(tenant=actor.tenant, code=code),
            effective_from,
            effective_to,
            resume=resume,
            user=actor.user,
        ) or PolicyValue(tenant=actor.tenant, code=code, effective_from=effective_from)
        row.value = parsed
        row.unit = definition.unit
        row.clause = clause
        row.effective_to = effective_to
        row.note = note
        row.updated_by = actor.user
        period_save(row)
    return row
