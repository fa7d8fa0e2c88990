"""Background jobs (Celery) that produce files: exports now, official reports later."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import Division, Membership, Role, Tenant


class JobKind(models.TextChoices):
    DIVISIONS_EXPORT = "divisions_export", _("区划与覆盖口径清单（XLSX）")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Job(models.Model):
    """One request for a file produced by a worker: who asked, for what, and how it went."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Role and scope at the time of the request: the worker produces the file as
    # that membership would have seen it, and only that scope may download it.
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope = models.ForeignKey(
        Division, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=40, choices=JobKind.choices)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    result_file = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="job_tenant_created")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_0_100"),
            models.CheckConstraint(
                condition=~Q(status=JobStatus.SUCCEEDED) | ~Q(result_file=""),
                name="job_succeeded_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def acting_membership(self) -> Membership:
        """An unsaved membership with the requester's role and scope, for scoped selectors."""
        scope = self.scope if self.scope.level == "county" else None
        return Membership(tenant=self.tenant, user=self.requested_by, role=self.role, scope=scope)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
