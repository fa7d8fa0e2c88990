"""Models of the workforce app (DESIGN.md §7): social workers, their ID numbers as personal
information, and the log of every full ID number shown. Credentials, assignments and
training follow."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from procurement.models import Contract, Organisation
from stations.models import Facility, Tenant


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    BELOW_HIGH_SCHOOL = "below_high_school", _("初中及以下")
    HIGH_SCHOOL = "high_school", _("高中、中专")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Specialty(models.TextChoices):
    """Fields of practice; the plan's four (PLAN_SPECIALTIES) count for the 10% rule."""

    MINOR_PROTECTION = "minor_protection", _("未成年人保护")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助")
    ELDERLY_CARE = "elderly_care", _("养老服务")
    JUDICIAL_PROTECTION = "judicial_protection", _("司法保护")
    DISABILITY = "disability", _("残疾人服务")
    OTHER = "other", _("其他")


# Plan 一(三)2: each of these at least policy specialist_share_min of the licensed total.
PLAN_SPECIALTIES = (
    Specialty.MINOR_PROTECTION,
    Specialty.SOCIAL_ASSISTANCE,
    Specialty.ELDERLY_CARE,
    Specialty.JUDICIAL_PROTECTION,
)


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEFT = "left", _("离职")


# The ID number, its hash and the birth date (characters 7–14 of the number, which the
# mask hides) are not copied into history rows: history keeps the mask.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["id_number", "id_number_hash", "birth_date"],
)
class SocialWorker(models.Model):
    """A social worker of the tenant (a tenant record: the same person may work in two cities).

    ``id_number`` is encrypted at rest (Fernet), found through ``id_number_hash`` (HMAC,
    unique in the tenant) and shown as ``id_number_masked`` everywhere; only the logged
    reveal (IdNumberReveal) shows it in full.
    """

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="social_workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    id_number = EncryptedCharField(_("公民身份号码"), max_length=18)
    id_number_hash = models.CharField(_("身份号码索引"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("公民身份号码（隐去）"), max_length=18, editable=False)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    social_work_major = models.BooleanField(_("社会工作专业"), default=False)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("所在机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="social_workers",
    )
    # The county whose officer registered the worker (blank: the city or a contractor did).
    registered_county = models.CharField(_("登记县级代码"), max_length=6, blank=True)
    party_member = models.BooleanField(_("中共党员"), default=False)
    specialties = ArrayField(
        models.CharField(max_length=24, choices=Specialty.choices),
        verbose_name=_("专业领域"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    remarks = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")
        ordering = ["tenant", "name", "pk"]
        indexes = [
            models.Index(fields=["tenant", "employer"], name="worker_employer"),
            models.Index(fields=["tenant", "registered_county"], name="worker_county"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "id_number_hash"], name="worker_id_number_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"


class IdNumberReveal(models.Model):
    """One time a full ID number was shown: who, when, whose (PIPL access log)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社会工作者"), on_delete=models.CASCADE, related_name="reveals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("角色"), max_length=20)
    revealed_at = models.DateTimeField(_("查看时间"), auto_now_add=True)
    channel = models.CharField(_("途径"), max_length=10, default="page")  # page or api

    class Meta:
        verbose_name = _("身份号码查看记录")
        verbose_name_plural = _("身份号码查看记录")
        ordering = ["-revealed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} → {self.worker.id_number_masked} @ {self.revealed_at:%Y-%m-%d %H:%M}"


class CredentialLevel(models.TextChoices):
    """The national qualification levels, lowest first (a worker's level is the highest
    one whose registration is in force)."""

    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


LEVEL_RANK = {level: rank for rank, level in enumerate(CredentialLevel.values, start=1)}


class CredentialStatus(models.TextChoices):
    """A credential's standing on a day (``Credential.status_on``)."""

    VALID = "valid", _("有效")
    DUE = "due", _("待再登记")
    EXPIRED = "expired", _("已过期")
    UNREGISTERED = "unregistered", _("未登记")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Credential(models.Model):
    """A worker's national social work qualification certificate (职业水平证书)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    worker = models.ForeignKey(
        SocialWorker,
        verbose_name=_("社会工作者"),
        on_delete=models.CASCADE,
        related_name="credentials",
    )
    level = models.CharField(_("级别"), max_length=20, choices=CredentialLevel.choices)
    certificate_number = models.CharField(_("证书编号"), max_length=40)
    exam_year = models.PositiveSmallIntegerField(_("考试年度"))
    passed_on = models.DateField(_("取得证书日期"))

    class Meta:
        verbose_name = _("职业水平证书")
        verbose_name_plural = _("职业水平证书")
        ordering = ["worker", "passed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "certificate_number"], name="credential_number_per_tenant"
            ),
            models.UniqueConstraint(fields=["worker", "level"], name="credential_level_once"),
        ]
        indexes = [models.Index(fields=["tenant", "level", "passed_on"], name="credential_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.certificate_number}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Registration(models.Model):
    """One registration of a credential (登记 or 再登记): valid from ``registered_on`` to
    ``valid_until`` (both included), with the continuing-education hours of the period."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    credential = models.ForeignKey(
        Credential, verbose_name=_("证书"), on_delete=models.CASCADE, related_name="registrations"
    )
    registered_on = models.DateField(_("登记日期"))
    valid_until = models.DateField(_("有效期至"))
    continuing_education_hours = models.DecimalField(
        _("本期继续教育学时"),
        max_digits=6,
        decimal_places=1,
        default=0,
        help_text=_("平台外取得的学时（小时）；平台记录的本期培训自动计入，不要重复填写。"),
    )

    class Meta:
        verbose_name = _("证书登记")
        verbose_name_plural = _("证书登记")
        ordering = ["credential", "registered_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("registered_on")),
                name="registration_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(continuing_education_hours__gte=0),
                name="registration_hours_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "valid_until"], name="registration_expiry")]

    def __str__(self) -> str:
        return f"{self.credential}: {self.registered_on} – {self.valid_until}"


class AssignmentRole(models.TextChoices):
    STATIONED = "stationed", _("驻站社工")
    HEAD = "head", _("站长")
    SUPERVISOR = "supervisor", _("督导")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Assignment(models.Model):
    """A worker at a facility in a role, from ``started_on`` to ``ended_on`` (both days
    included; none: still there), under a contract or not, full-time or not. A worker is
    full-time at one facility at most on any day (trigger ``one_full_time_post_per_day``)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    worker = models.ForeignKey(
        SocialWorker,
        verbose_name=_("社会工作者"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="assignments"
    )
    # The facility's county, for scoping without a join.
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True)
    role = models.CharField(_("岗位"), max_length=12, choices=AssignmentRole.choices)
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("派驻依据合同"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期（含）"), null=True, blank=True)
    full_time = models.BooleanField(_("全职"), default=True)

    class Meta:
        verbose_name = _("驻站安排")
        verbose_name_plural = _("驻站安排")
        ordering = ["worker", "-started_on"]
        indexes = [
            models.Index(fields=["tenant", "county_code"], name="assignment_scope"),
            models.Index(fields=["facility", "started_on"], name="assignment_facility"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="one_full_time_post_per_day",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__full_time=True),
                func="""
                IF EXISTS (
                    SELECT 1 FROM workforce_assignment a
                    WHERE a.worker_id = NEW.worker_id
                      AND a.full_time
                      AND a.id IS DISTINCT FROM NEW.id
                      AND a.started_on <= coalesce(NEW.ended_on, 'infinity'::date)
                      AND NEW.started_on <= coalesce(a.ended_on, 'infinity'::date)
                ) THEN
                    RAISE EXCEPTION 'overlapping full-time assignment for worker %', NEW.worker_id
                        USING ERRCODE = 'exclusion_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.facility}"


class TrainingForm(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Training(models.Model):
    """Training a worker took on a day (培训): its hours count toward the year's 48 hours
    (plan 二(四)3) and toward the continuing education of the registration period."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    worker = models.ForeignKey(
        SocialWorker,
        verbose_name=_("社会工作者"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    course = models.CharField(_("课程"), max_length=200)
    provider = models.CharField(_("培训机构"), max_length=200, blank=True)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    form = models.CharField(_("形式"), max_length=10, choices=TrainingForm.choices)
    certificate_number = models.CharField(_("结业证书编号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["worker", "-held_on"]
        indexes = [models.Index(fields=["tenant", "held_on"], name="training_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="training_hours_in_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.held_on} {self.course}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Population(models.Model):
    """A division's resident population in a year, with its source: the denominator of
    licensed social workers per 1,000 inhabitants (‰)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    division = models.ForeignKey(
        "stations.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    population = models.PositiveIntegerField(_("常住人口（人）"))
    source = models.CharField(_("数据来源"), max_length=200)

    class Meta:
        verbose_name = _("人口")
        verbose_name_plural = _("人口")
        ordering = ["tenant", "division", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "division", "year"], name="population_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}: {self.population}"
