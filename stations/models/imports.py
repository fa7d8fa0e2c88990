"""Spreadsheet imports as records: the uploaded file, its preview, and its commit.

Every upload becomes an ImportJob: small files are previewed and committed in
the request, bigger ones by the Celery worker while the page polls the job's
progress. The job keeps what the preview showed (per-row plan, every row
error, the plan's digest) so the commit applies exactly that, or refuses.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models.tenancy import Membership, Tenant


class ImportStatus(models.TextChoices):
    PREVIEWING = "previewing", _("检查中")
    PREVIEWED = "previewed", _("待确认")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("失败")


class ImportMode(models.TextChoices):
    UPSERT = "upsert", _("按唯一标识更新已有记录，其余新增")
    CREATE = "create", _("全部作为新记录")


# Who uploaded what, and each change of status; not every progress tick or the bulky plan.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange("status", "changed_since")),
    pghistory.DeleteEvent(),
    exclude=["plan", "errors", "progress"],
)
class ImportJob(models.Model):
    """One uploaded spreadsheet of one kind (stations.registry.import_kinds), and its fate.

    ``counts`` is ``{"new", "changed", "unchanged", "errors"}`` (rows; errors is
    rows with at least one error); ``errors`` a list of ``{"row", "column",
    "value", "rule"}``; ``plan`` the per-row plan ``{"row", "action",
    "changes": [[header, old, new]], "cells": [text…]}`` of the last preview.
    """

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    # The uploader's membership: the worker writes with its rights as they are then.
    membership = models.ForeignKey(
        Membership, verbose_name=_("上传人身份"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=40)
    mode = models.CharField(
        _("导入方式"), max_length=10, choices=ImportMode.choices, default=ImportMode.UPSERT
    )
    file = models.FileField(_("上传的文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    plan = models.JSONField(_("逐行处理"), default=list, blank=True)
    plan_digest = models.CharField(_("预览摘要"), max_length=64, blank=True)
    # True when a commit found the data changed since the preview and wrote nothing.
    changed_since = models.BooleanField(_("预览后数据已变化"), default=False)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # When the current check or write was asked for (the stale sweep goes by it).
    busy_since = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    previewed_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "requested_by", "-created_at"], name="import_owner")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} #{self.pk}"

    @property
    def is_busy(self) -> bool:
        """The worker (or the request) is still checking or writing it."""
        return self.status in (ImportStatus.PREVIEWING, ImportStatus.COMMITTING)

    @property
    def may_commit(self) -> bool:
        """Previewed without a single row error, and not written yet."""
        return self.status == ImportStatus.PREVIEWED and not self.errors and not self.error
