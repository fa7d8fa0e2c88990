"""Tenants, official divisions, memberships and coverage overrides."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations import permissions
from stations.divisions import COUNTED_KINDS, Level, TownshipKind, short_code
from stations.permissions import COUNTY_SCOPED_ROLES, Role


# Inserts are not tracked: a first load writes 45k–665k rows that the edition
# already documents. Each change stores the row before and after it.
@pghistory.track(
    pghistory.UpdateEvent("division.before_update", row=pghistory.Old),
    pghistory.UpdateEvent("division.update"),
    fields=["name", "parent", "retired_on", "edition"],
)
class Division(models.Model):
    """One unit of the national statistical division tree; shared reference data."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    township_kind = models.CharField(
        _("乡级类型"), max_length=16, choices=TownshipKind.choices, blank=True, default=""
    )
    edition = models.CharField(_("版本"), max_length=10)
    retired_on = models.DateField(_("撤销日期"), null=True, blank=True)
    province_code = models.CharField(_("省级代码"), max_length=2)
    city_code = models.CharField(_("地级代码"), max_length=4)
    county_code = models.CharField(_("县级代码"), max_length=6)
    township_code = models.CharField(_("乡级代码"), max_length=9)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["city_code", "level"], name="division_city_level"),
            models.Index(fields=["county_code", "level"], name="division_county_level"),
            models.Index(fields=["township_code", "level"], name="division_township_level"),
            models.Index(fields=["parent", "level"], name="division_parent_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{12}$"), name="division_code_12_digits"
            ),
            models.CheckConstraint(
                condition=Q(level=Level.TOWNSHIP, township_kind__in=TownshipKind.values)
                | (~Q(level=Level.TOWNSHIP) & Q(township_kind="")),
                name="division_township_kind_only_on_townships",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.short_code}）"

    @property
    def short_code(self) -> str:
        return short_code(self.code)

    @property
    def counted_by_default(self) -> bool:
        """Whether coverage counts this unit when no tenant override says otherwise."""
        return self.level == Level.TOWNSHIP and self.township_kind in COUNTED_KINDS

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Tenant(models.Model):
    """A prefecture-level network (地级市/州/盟), identified by its 4-digit code."""

    code = models.CharField(_("代码"), max_length=4, unique=True)
    division = models.OneToOneField(
        Division, verbose_name=_("地级区划"), on_delete=models.PROTECT, related_name="tenant"
    )
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("租户")
        verbose_name_plural = _("租户")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{4}$"), name="tenant_code_4_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class PasswordChangeRequired(models.Model):
    """A user who signed in with a temporary password must choose their own before anything
    else (``add_member`` without ``--password``). Removed when the password changes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
    )
    since = models.DateTimeField(_("起始时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("须修改临时密码")
        verbose_name_plural = _("须修改临时密码")

    def __str__(self) -> str:
        return str(self.user)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    """The way a user acts in one tenant: a role and, for county officers, a county."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope = models.ForeignKey(
        Division,
        verbose_name=_("范围（县级）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["tenant__code", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in COUNTY_SCOPED_ROLES], scope__isnull=False)
                | (~Q(role__in=[r.value for r in COUNTY_SCOPED_ROLES]) & Q(scope__isnull=True)),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        scope = f" · {self.scope.name}" if self.scope is not None else ""
        return f"{self.user} @ {self.tenant.name}：{self.get_role_display()}{scope}"

    @property
    def scope_division(self) -> Division:
        """The division this membership sees: its county, or the whole tenant."""
        return self.scope if self.scope is not None else self.tenant.division

    # Shorthands for templates; the decisions are stations.permissions'.
    @property
    def sees_network(self) -> bool:
        return permissions.can_see_network(self)

    @property
    def sees_facilities(self) -> bool:
        return permissions.can_see_facilities(self)

    @property
    def is_city_level(self) -> bool:
        return permissions.is_city_level(self)

    @property
    def can_manage_coverage(self) -> bool:
        return permissions.can_manage_coverage(self)

    @property
    def can_unlock_accounts(self) -> bool:
        return permissions.can_unlock_accounts(self)

    @property
    def can_create_facilities(self) -> bool:
        return permissions.can_create_facilities(self)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CoverageOverride(models.Model):
    """A tenant's decision to count or exclude one township-level unit over a period.

    Coverage on a day uses the overrides in force that day (``effective_from`` to
    ``effective_to``, both included; no end = until ended), so adding or ending
    one never changes the figures of days before it applies.
    """

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="coverage_overrides"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("乡级区划"), on_delete=models.PROTECT, related_name="+"
    )
    counted = models.BooleanField(_("计入覆盖率"))
    reason = models.TextField(_("理由"))
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("覆盖口径调整")
        verbose_name_plural = _("覆盖口径调整")
        ordering = ["division_id", "effective_from"]
        indexes = [
            models.Index(
                fields=["tenant", "division", "effective_from"], name="override_tenant_division"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "division", "effective_from"],
                name="coverage_override_one_start_per_division",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="coverage_override_has_reason"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="coverage_override_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        counted = "计入" if self.counted else "不计入"
        return f"{self.division.name}：{counted}（{self.effective_from} 起）"
