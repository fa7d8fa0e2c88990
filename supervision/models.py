"""Models of the supervision app (plan 二(四)3): supervisors assigned to stations under a
contract, the sessions they hold, and the contractor's monthly submission of them, which
the purchasing county (the city for city contracts) accepts, locking the month, or returns.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.models import Contract
from stations.models import Facility, Tenant
from workforce.models import SocialWorker


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SupervisorAssignment(models.Model):
    """A supervisor (督导, a social worker of the contractor or an external one) assigned to
    a station under a contract from ``started_on`` to ``ended_on`` (both included; none:
    to the end of the contract)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    supervisor = models.ForeignKey(
        SocialWorker,
        verbose_name=_("督导"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="supervisors"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="supervisors"
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期（含）"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督导安排")
        verbose_name_plural = _("督导安排")
        ordering = ["contract", "facility", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="supervisor_assignment_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.facility}"


class SessionForm(models.TextChoices):
    ON_SITE = "on_site", _("驻站现场")
    ONLINE = "online", _("线上")
    GROUP = "group", _("集中")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SupervisionSession(models.Model):
    """One supervision session (督导记录) at a station under a contract: from ``started_at``
    to ``ended_at`` (it may span days, inside one month), ``hours`` the time claimed (the
    duration, or less with ``hours_note``), its form, topics, the stationed workers who
    took part, notes and a sign-in attachment kept with its SHA-256."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="sessions"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="sessions"
    )
    supervisor = models.ForeignKey(
        SocialWorker,
        verbose_name=_("督导"),
        on_delete=models.PROTECT,
        related_name="sessions_led",
    )
    month = models.DateField(_("所属月份"), help_text=_("该月第一天"))
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("督导时长（小时）"), max_digits=5, decimal_places=1)
    hours_note = models.CharField(_("时长说明"), max_length=300, blank=True)
    form = models.CharField(_("督导形式"), max_length=10, choices=SessionForm.choices)
    topics = models.TextField(_("督导主题"))
    participants = models.ManyToManyField(
        SocialWorker, verbose_name=_("参加的驻站社工"), related_name="sessions_attended", blank=True
    )
    notes = models.TextField(_("督导记录"), blank=True)
    attachment = models.FileField(
        _("签到表（照片或 PDF）"), upload_to="supervision/%Y/%m/", blank=True
    )
    attachment_sha256 = models.CharField(_("签到表 SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        ordering = ["contract", "month", "started_at"]
        indexes = [
            models.Index(fields=["tenant", "contract", "month"], name="session_contract_month"),
            models.Index(fields=["tenant", "supervisor", "started_at"], name="session_supervisor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")),
                name="session_time_order",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.started_at:%Y-%m-%d} {self.supervisor}"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已通过（锁定）")
    RETURNED = "returned", _("已退回")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MonthlySubmission(models.Model):
    """The contractor's monthly supervision report (月度督导填报) of one contract and month:
    draft → submitted → accepted (locked) or returned with a reason; a city admin may
    unlock an accepted month with a reason, which returns it."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="submissions"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    state = models.CharField(
        _("状态"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("退回或解锁原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度督导填报")
        verbose_name_plural = _("月度督导填报")
        ordering = ["contract", "month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="one_submission_a_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="submission_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.month:%Y-%m}"

    @property
    def on_time(self) -> bool | None:
        """Whether it was first submitted by its deadline (None until submitted)."""
        if self.first_submitted_at is None or self.deadline is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.first_submitted_at) <= self.deadline
