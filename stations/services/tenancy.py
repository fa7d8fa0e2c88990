"""Validated, audited writes for tenants, memberships and coverage overrides.

Every service runs in one transaction and under a pghistory context naming
who acted, so that the history rows written by the database triggers say who
changed what.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import permissions
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.models import (
    CoverageOverride,
    Division,
    Membership,
    PasswordChangeRequired,
    Role,
    Tenant,
)
from stations.passwords import temporary_password
from stations.selectors import divisions_visible, in_force_on
from stations.services.history import acting
from stations.services.periods import ONE_DAY, period_make_room, period_save
from stations.services.policy import policy_defaults_seed

EARLIEST_OVERRIDE = datetime.date(2000, 1, 1)
LATEST_OVERRIDE = datetime.date(2100, 12, 31)
# City-level rows of the statistical tree that group counties but are not a network.
NOT_A_PREFECTURE = {"省直辖县级行政区划", "自治区直辖县级行政区划", "县"}
# Municipalities list their districts under a city row named 市辖区: the tenant takes
# the municipality's name.
MUNICIPALITY_DISTRICTS = "市辖区"


def _division_by_code(code: object, *, field: str) -> Division:
    try:
        full_code = normalize_code(code)
    except InvalidDivisionCode as error:
        raise ValidationError({field: str(error)}) from error
    division = Division.objects.filter(code=full_code).first()
    if division is None:
        raise ValidationError(
            {field: _("区划代码“%(code)s”不存在，请先导入官方区划。") % {"code": code}}
        )
    return division


def prefecture_for_tenant(code: object) -> tuple[Division, str]:
    """The prefecture-level division a new tenant ``code`` names and the tenant's name.

    Raises ValidationError on ``code`` for malformed, unknown, non-prefecture,
    retired or already used codes.
    """
    division = _division_by_code(code, field="code")
    if division.level != Level.CITY or division.name in NOT_A_PREFECTURE:
        raise ValidationError(
            {
                "code": _("“%(name)s”（%(code)s）不是地级行政区，不能作为租户。")
                % {"name": division.name, "code": division.short_code}
            }
        )
    if division.retired_on is not None:
        raise ValidationError(
            {"code": _("该区划已于 %(date)s 撤销。") % {"date": division.retired_on}}
        )
    if Tenant.objects.filter(code=division.city_code).exists():
        raise ValidationError({"code": _("租户 %(code)s 已存在。") % {"code": division.city_code}})
    name = division.name
    if name == MUNICIPALITY_DISTRICTS and division.parent is not None:
        name = division.parent.name
    return division, name


def tenant_create(*, code: object, user=None) -> Tenant:
    """Create the tenant of a prefecture-level division; its name comes from the divisions."""
    with acting(user, action="tenant_create"):
        division, name = prefecture_for_tenant(code)
        tenant = Tenant(code=division.city_code, division=division, name=name)
        tenant.full_clean()
        tenant.save()
        policy_defaults_seed(tenant=tenant, user=user)
    return tenant


def membership_set(
    *,
    tenant: Tenant,
    user,
    role: str,
    scope_code: object | None = None,
    acting_user=None,
) -> Membership:
    """Give ``user`` a role in ``tenant`` (replacing the role it had there).

    County officers need a scope: one county of the tenant. Other roles have none.
    """
    scope = membership_scope(tenant=tenant, role=role, scope_code=scope_code)
    with acting(acting_user, action="membership_set"):
        membership = Membership.objects.filter(tenant=tenant, user=user).first()
        if membership is None:
            membership = Membership(tenant=tenant, user=user)
        membership.role = role
        membership.scope = scope
        membership.is_active = True
        membership.full_clean()
        membership.save()
    return membership


def membership_scope(*, tenant: Tenant, role: str, scope_code: object | None) -> Division | None:
    """The scope ``role`` gets in ``tenant`` from ``scope_code``; ValidationError says why not."""
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色“%(role)s”。") % {"role": role}})
    scope = None
    if permissions.is_county_scoped(role):
        if not scope_code:
            raise ValidationError({"scope": _("该角色必须指定一个县（区）作为范围。")})
        if not Division.objects.filter(city_code=tenant.code, level=Level.COUNTY).exists():
            raise ValidationError(
                {
                    "scope": _(
                        "%(tenant)s不设县（市、区），乡镇（街道）直属于市：请给该用户市级角色。"
                    )
                    % {"tenant": tenant.name}
                }
            )
        scope = _division_by_code(scope_code, field="scope")
        if scope.level != Level.COUNTY or scope.city_code != tenant.code:
            raise ValidationError(
                {
                    "scope": _("范围“%(name)s”不是%(tenant)s下的县级区划。")
                    % {"name": scope.name, "tenant": tenant.name}
                }
            )
    elif scope_code:
        raise ValidationError({"scope": _("该角色的范围是整个租户，不能指定县（区）。")})
    return scope


def user_with_membership(
    *, username: str, password: str | None, tenant: Tenant, role: str, scope_code: object | None
) -> tuple[Membership, str | None]:
    """Create the user if missing and set their membership, atomically.

    Returns (membership, temporary password or None). A new user without
    ``password`` gets a generated temporary password (returned once, never
    stored in clear) and must choose their own at the first sign-in
    (PasswordChangeRequired). An explicit ``password`` is the operator's choice
    (integration accounts): it must meet the password rules
    (AUTH_PASSWORD_VALIDATORS) and is not temporary. An existing user without
    ``password`` keeps theirs. Raises ValidationError ({field: messages}).
    """
    user_model = get_user_model()
    temporary = None
    with transaction.atomic():
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username)
            user.full_clean(exclude=["password"])
        if password:
            try:
                validate_password(password, user=user)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from error
            user.set_password(password)
            PasswordChangeRequired.objects.filter(user_id=user.pk).delete()
        elif user.pk is None:
            temporary = temporary_password()
            user.set_password(temporary)
        if user.pk is None or password:
            user.save()
        if temporary:
            PasswordChangeRequired.objects.create(user=user)
        membership = membership_set(tenant=tenant, user=user, role=role, scope_code=scope_code)
    return membership, temporary


def _township_in_scope(actor: Membership, code: object) -> Division:
    division = _division_by_code(code, field="division")
    if not divisions_visible(actor).filter(code=division.code).exists():
        raise ValidationError({"division": _("该区划不在您的管辖范围内。")})
    if division.level != Level.TOWNSHIP:
        raise ValidationError({"division": _("只能调整乡级区划（乡镇、街道）的覆盖口径。")})
    return division


def coverage_override_set(
    *,
    actor: Membership,
    division_code: object,
    counted: bool,
    reason: str,
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
) -> CoverageOverride:
    """Count or exclude one township unit for the actor's tenant from a day, with a reason.

    The override starts today unless an earlier (or later) ``effective_from`` is
    given; ``effective_to`` (included) bounds it. The override of the unit in
    force on the new start keeps applying before it and, when the new one ends
    earlier, again after its end; one that starts the same day is corrected.
    Coverage of days before the start is never changed. Every error is
    reported at once (ValidationError by field); only city admins may do this
    (PermissionDenied).
    """
    if not permissions.can_manage_coverage(actor):
        raise PermissionDenied(_("只有市级管理员可以调整覆盖口径。"))
    errors: dict[str, list[str]] = {}
    division = None
    try:
        division = _township_in_scope(actor, division_code)
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("请填写调整理由。"))
    if division is not None and counted == division.counted_by_default:
        errors.setdefault("counted", []).append(
            _("与默认口径相同，无需调整；如需恢复默认，请结束现有调整。")
        )
    effective_from = effective_from or timezone.localdate()
    if effective_from < EARLIEST_OVERRIDE:
        errors.setdefault("effective_from", []).append(_("起始日期不能早于 2000-01-01。"))
    elif effective_from > LATEST_OVERRIDE:
        errors.setdefault("effective_from", []).append(_("起始日期不能晚于 2100-12-31。"))
    elif division is not None and division.retired_on and effective_from >= division.retired_on:
        errors.setdefault("effective_from", []).append(
            _("该乡镇（街道）已于 %(date)s 撤销。") % {"date": division.retired_on}
        )
    if effective_to is not None and effective_to < effective_from:
        errors.setdefault("effective_to", []).append(_("截止日期不能早于起始日期。"))
    elif effective_to is not None and effective_to > LATEST_OVERRIDE:
        errors.setdefault("effective_to", []).append(
            _("截止日期不能晚于 2100-12-31；长期有效请留空。")
        )
    if errors:
        raise ValidationError(errors)
    assert division is not None  # for the type checker: an error was raised otherwise
    with acting(actor.user, action="coverage_override_set", tenant=actor.tenant.code):

        def resume(old: CoverageOverride, day: datetime.date) -> None:
            CoverageOverride.objects.create(
                tenant=actor.tenant,
                division=division,
                counted=old.counted,
                reason=old.reason,
                effective_from=day,
                effective_to=old.effective_to,
                updated_by=actor.user,
            )

        override = period_make_room(
            CoverageOverride.objects.filter(tenant=actor.tenant, division=division),
            effective_from,
            effective_to,
            resume=resume,
            user=actor.user,
        ) or CoverageOverride(tenant=actor.tenant, division=division, effective_from=effective_from)
        override.counted = counted
        override.reason = reason
        override.effective_to = effective_to
        override.updated_by = actor.user
        period_save(override)
    return override


def coverage_override_end(
    *, actor: Membership, override: CoverageOverride, on: datetime.date | None = None
) -> CoverageOverride | None:
    """From ``on`` (default today) the default rule applies again to the override's unit.

    The override's last day becomes the day before ``on``; ended on its first
    day, it never applied and is deleted (its history stays). ``on`` before the
    override's start, or after its end, is refused (ValidationError on ``on``).
    Returns the ended override, or None when it was deleted.
    """
    if not permissions.can_manage_coverage(actor):
        raise PermissionDenied(_("只有市级管理员可以调整覆盖口径。"))
    if override.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("该口径调整不在您的管辖范围内。"))
    on = on or timezone.localdate()
    if override.effective_to is not None and override.effective_to < on:
        raise ValidationError(
            {"on": _("该调整已于 %(date)s 结束。") % {"date": override.effective_to}}
        )
    if on < override.effective_from:
        raise ValidationError(
            {
                "on": _("结束日期不能早于该调整的起始日期 %(date)s。")
                % {"date": override.effective_from}
            }
        )
    with acting(actor.user, action="coverage_override_end", tenant=actor.tenant.code):
        if on <= override.effective_from:
            override.delete()
            return None
        override.effective_to = on - ONE_DAY
        override.updated_by = actor.user
        override.save(update_fields=["effective_to", "updated_by", "updated_at"])
    return override


def coverage_override_clear(*, actor: Membership, division_code: object) -> None:
    """Return one township unit to the default rule from today (ends the override in force)."""
    if not permissions.can_manage_coverage(actor):
        raise PermissionDenied(_("只有市级管理员可以调整覆盖口径。"))
    division = _township_in_scope(actor, division_code)
    today = timezone.localdate()
    current = (
        CoverageOverride.objects.filter(tenant=actor.tenant, division=division)
        .filter(in_force_on(today))
        .first()
    )
    if current is not None:
        coverage_override_end(actor=actor, override=current, on=today)
