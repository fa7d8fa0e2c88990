"""Background jobs (Celery) that produce files: exports now, official reports later."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Division, Role, Tenant
from stations.scoping import Scope


class JobKind:
    """Codes of the reports app's own kinds, for code that names one; the kinds themselves
    (label, parameters, formats, producer) are declared once in reports/reports.py."""

    DIVISIONS_EXPORT = "divisions_export"
    COVERAGE_REPORT = "coverage"
    COMPLIANCE_REPORT = "compliance"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (XLSX)"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Job(models.Model):
    """One request for a file produced by a worker: who asked, for what, and how it went."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    # None for the reports beat produces on its own.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Role and scope at the time of the request: the worker produces the file as
    # that membership would have seen it, and only that scope may download it.
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    scope = models.ForeignKey(
        Division, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    # The requester's scope when they asked (stations.scoping.Scope.snapshot()): the
    # worker runs the job with exactly this scope, whatever the division asked for.
    requester_scope = models.JSONField(_("申请人范围"), default=dict, blank=True)
    # A code of stations.registry.report_kinds(), checked when the job is requested.
    kind = models.CharField(_("类型"), max_length=40)
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
            # One scheduled report per tenant, kind, scope, date and format: beat
            # firing twice (two beat processes, a restart) queues nothing more.
            models.UniqueConstraint(
                "tenant",
                "kind",
                "scope",
                KT("parameters__as_of"),
                KT("parameters__format"),
                condition=Q(requested_by__isnull=True),
                name="job_scheduled_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk}"

    @property
    def download_name(self) -> str:
        """The file's name for the user: ``柳州市-社工站覆盖率报告-2023-12-31.pdf``.

        Scope, kind (in the current language), the as-of date (else the day it
        was asked for) and the stored file's extension. Sent with RFC 5987
        ``filename*`` by FileResponse, so browsers keep the Chinese.
        """
        from stations.registry import report_kinds

        kind = report_kinds().get(self.kind)
        title = str(kind.title or kind.label) if kind is not None else self.kind
        day = (self.parameters or {}).get("as_of") or timezone.localdate(self.created_at)
        extension = (self.result_file.name or "").rsplit(".", 1)[-1] or "bin"
        return f"{self.scope.name}-{title}-{day}.{extension}"

    @property
    def kind_label(self) -> str:
        """The Chinese (or current language's) label of the kind, or its code if unknown."""
        from stations.registry import report_kinds

        kind = report_kinds().get(self.kind)
        return str(kind.label) if kind is not None else self.kind

    def acting_scope(self) -> Scope:
        """The scope the job runs with: its requester's, as recorded when they asked.

        Scheduled reports have no requester: they act with the whole city's scope.
        """
        if self.requester_scope:
            return Scope.from_snapshot(self.requester_scope)
        return Scope.for_tenant(self.tenant)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Alert(models.Model):
    """A to-do item delivered to one membership (提醒): made each morning from the to-do
    sources (stations.registry.TodoSource) of the membership's scope, once per item
    (``source`` + ``key``); read when the user marks it, resolved when the item has left
    the list (it opens again if the item comes back)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    membership = models.ForeignKey(
        "stations.Membership",
        verbose_name=_("接收人身份"),
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    source = models.CharField(_("类别"), max_length=40)
    key = models.CharField(_("对象"), max_length=120)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300)
    due = models.DateField(_("期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("已处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "source", "key"], name="alert_once"),
        ]
        indexes = [models.Index(fields=["membership", "read_at"], name="alert_unread")]

    def __str__(self) -> str:
        return self.text


class AlertDigest(models.Model):
    """The daily digest e-mail of one membership on one day: sent at most once."""

    membership = models.ForeignKey(
        "stations.Membership", on_delete=models.CASCADE, related_name="alert_digests"
    )
    day = models.DateField(_("日期"))
    sent_to = models.EmailField(_("收件地址"))
    items = models.PositiveIntegerField(_("提醒条数"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提醒摘要邮件")
        verbose_name_plural = _("提醒摘要邮件")
        constraints = [
            models.UniqueConstraint(fields=["membership", "day"], name="alert_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.sent_to} {self.day}"
