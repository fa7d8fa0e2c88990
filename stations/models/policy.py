"""A tenant's policy values: each threshold with its clause and the period it applies to."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations.models.tenancy import Tenant


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PolicyValue(models.Model):
    """The value of one policy code (stations.policy.CATALOGUE) for a tenant over a period.

    Periods of one code do not overlap (the service keeps them apart); an open
    ``effective_to`` means "until another value replaces it".
    """

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="policy_values"
    )
    code = models.CharField(_("规则代码"), max_length=60)
    value = models.JSONField(
        _("取值"), help_text=_("数值、比例（0–1）、区间 {min, max}、清单或是/否")
    )
    unit = models.CharField(_("单位"), max_length=30)
    clause = models.CharField(_("依据条款"), max_length=100)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True)
    note = models.CharField(_("调整说明"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["code", "effective_from"]
        indexes = [
            models.Index(
                fields=["tenant", "code", "effective_from"], name="policy_tenant_code_from"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code", "effective_from"], name="policy_one_start_per_code"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="policy_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.effective_from}–{self.effective_to or ''}: {self.value}"
