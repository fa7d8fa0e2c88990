"""Models of the procurement app (DESIGN.md §7): social work organisations, the memberships
that act for them, purchase-of-service contracts with their facilities and funding, and
third-party evaluations.

A contract is live (in force) on a day when it has been signed (its state is not draft)
and the day lies between its start and its last day: the end date, or the termination
date of a contract terminated early. A station has at most one live station-operation
contract on any day; ``ContractFacility`` carries copies of its contract's kind and live
days so that the database checks it (trigger ``one_station_contract_per_day``).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from stations.models import Division, Facility, Membership, Tenant


class OrganisationKind(models.TextChoices):
    SOCIAL_SERVICE_AGENCY = "social_service_agency", _("社会服务机构")
    SOCIAL_GROUP = "social_group", _("社会团体")
    FOUNDATION = "foundation", _("基金会")
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    OTHER = "other", _("其他")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Organisation(models.Model):
    """A social work organisation a tenant hires or has evaluate (a tenant record: the same
    organisation may appear in two cities, with its USCC unique within each)."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("机构名称"), max_length=200)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, help_text=_("18 位，GB 32100；小写字母按大写保存")
    )
    kind = models.CharField(
        _("机构类型"), max_length=30, choices=OrganisationKind.choices, blank=True
    )
    registration_authority = models.CharField(_("登记管理机关"), max_length=100, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    social_work_in_scope = models.BooleanField(_("业务范围含社会工作"), default=False)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    incubated_by = models.ForeignKey(
        Division,
        verbose_name=_("孵化基地所在县（市、区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    incubated_on = models.DateField(_("孵化日期"), null=True, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社会工作服务机构")
        verbose_name_plural = _("社会工作服务机构")
        ordering = ["tenant", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "uscc"], name="organisation_uscc_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """The organisation a contractor or evaluator membership acts for (one each)."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    membership = models.OneToOneField(
        Membership,
        verbose_name=_("成员"),
        on_delete=models.CASCADE,
        related_name="organisation_link",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")

    def __str__(self) -> str:
        return f"{self.membership} → {self.organisation}"


class ContractKind(models.TextChoices):
    STATION_OPERATION = "station_operation", _("站点运营")
    PROJECT = "project", _("专项项目")


class ContractState(models.TextChoices):
    """What was done to a contract; its status on a day follows from this and its dates."""

    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签订")
    TERMINATED = "terminated", _("提前终止")


class ContractStatus(models.TextChoices):
    """A contract's status on a day (``Contract.status_on``), as the API and lists show it."""

    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("已签订未开始")
    IN_FORCE = "in_force", _("履行中")
    ENDED = "ended", _("已到期")
    TERMINATED = "terminated", _("提前终止")


class FundingSource(models.TextChoices):
    BUDGET = "budget", _("财政预算")
    SOCIAL_ASSISTANCE = "social_assistance", _("社会救助专项经费")
    WELFARE_LOTTERY = "welfare_lottery", _("福彩公益金")
    CHARITY = "charity", _("慈善资金")
    DEPARTMENT = "department", _("相关部门资金")
    OTHER = "other", _("其他")


class ContractClause(models.TextChoices):
    """The clauses a contract should state (plan 三(二)); the policy value
    ``contract_required_clauses`` names the ones required, by these labels."""

    STAFFING = "staffing", _("服务人员安排")
    SERVICE_CONTENT = "service_content", _("服务具体内容")
    SERVICE_GOALS = "service_goals", _("服务目标")
    FUND_MANAGEMENT = "fund_management", _("资金管理")
    SUPERVISION_TRAINING = "supervision_training", _("督导培训")
    EVALUATION = "evaluation", _("评估要求")


class PayLevel(models.TextChoices):
    """The qualifications a contract promises monthly pay for (plan 二(三)2)."""

    UNLICENSED = "unlicensed", _("未持证")
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Contract(models.Model):
    """A purchase-of-service contract (采购合同) as signed: recorded even where it breaks a
    rule of the plan, which compliance then flags."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("合同编号"), max_length=60)
    title = models.CharField(_("合同名称"), max_length=200)
    purchaser = models.ForeignKey(
        Division,
        verbose_name=_("采购人（县级或市级民政部门）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The purchaser's county code (6 digits), blank for a city contract: scoping without a join.
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("承接机构"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    kind = models.CharField(_("合同类型"), max_length=20, choices=ContractKind.choices)
    state = models.CharField(
        _("签订状态"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    start_on = models.DateField(_("服务开始日期"))
    end_on = models.DateField(_("服务结束日期"))
    amount = models.DecimalField(
        _("合同金额（元）"), max_digits=14, decimal_places=2, help_text=_("元，保留两位小数")
    )
    pay_unlicensed = models.DecimalField(
        _("未持证驻站社工月薪（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pay_assistant = models.DecimalField(
        _("助理社会工作师月薪（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pay_social_worker = models.DecimalField(
        _("社会工作师月薪（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    clauses = models.JSONField(
        _("必备条款"),
        default=dict,
        blank=True,
        help_text=_('{条款代码: 合同中所在位置}，如 {"staffing": "第三条"}'),
    )
    document = models.FileField(_("合同文本（PDF）"), upload_to="contracts/%Y/", blank=True)
    document_sha256 = models.CharField(_("合同文本 SHA-256"), max_length=64, blank=True)
    published = models.BooleanField(_("已公开"), default=False)
    published_where = models.CharField(_("公开渠道"), max_length=300, blank=True)
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    terminated_on = models.DateField(_("终止日期（最后履行日）"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    live_until = models.GeneratedField(
        expression=Coalesce(F("terminated_on"), F("end_on")),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("履行至"),
    )
    remarks = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("购买服务合同")
        verbose_name_plural = _("购买服务合同")
        ordering = ["tenant", "-start_on", "number"]
        indexes = [
            models.Index(fields=["tenant", "county_code"], name="contract_scope"),
            models.Index(fields=["tenant", "organisation"], name="contract_organisation"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="contract_number_per_tenant"),
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(state="terminated")
                | (Q(terminated_on__gte=F("start_on")) & Q(terminated_on__lte=F("end_on"))),
                name="contract_terminated_within_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def status_on(self, day) -> str:
        """The ContractStatus code on ``day`` (a date)."""
        if self.state == ContractState.DRAFT:
            return ContractStatus.DRAFT
        if self.state == ContractState.TERMINATED and day > self.live_until:
            return ContractStatus.TERMINATED
        if day < self.start_on:
            return ContractStatus.SIGNED
        if day > self.end_on:
            return ContractStatus.ENDED
        return ContractStatus.IN_FORCE if day <= self.live_until else ContractStatus.TERMINATED

    def live_on(self, day) -> bool:
        """Whether the contract is in force on ``day``: signed, and the day within its term."""
        return self.state != ContractState.DRAFT and self.start_on <= day <= self.live_until

    @property
    def years(self) -> float:
        """The agreed term in years (days / 365.25, termination aside)."""
        return ((self.end_on - self.start_on).days + 1) / 365.25


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ContractFacility(models.Model):
    """A facility a contract covers, with the number of stationed social workers promised."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="coverage"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="contract_rows"
    )
    stationed_workers = models.PositiveSmallIntegerField(_("承诺驻站社工人数"))
    # Copies of the contract's kind and live days (null while a draft), kept by the services.
    kind = models.CharField(_("合同类型"), max_length=20, choices=ContractKind.choices)
    live_from = models.DateField(_("履行起"), null=True, blank=True)
    live_until = models.DateField(_("履行至"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同覆盖站点")
        verbose_name_plural = _("合同覆盖站点")
        ordering = ["contract", "facility__county_code", "facility__division_id"]
        indexes = [
            models.Index(fields=["tenant", "facility", "live_from"], name="coverage_facility"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["contract", "facility"], name="contract_facility_once"),
        ]
        triggers = [
            # At most one live station-operation contract per facility on any day. The
            # service locks the facility rows first; this is the database's own check.
            pgtrigger.Trigger(
                name="one_station_contract_per_day",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__kind="station_operation", new__live_from__isnull=False),
                func="""
                IF EXISTS (
                    SELECT 1 FROM procurement_contractfacility c
                    WHERE c.facility_id = NEW.facility_id
                      AND c.kind = 'station_operation'
                      AND c.live_from IS NOT NULL
                      AND c.id IS DISTINCT FROM NEW.id
                      AND c.live_from <= NEW.live_until
                      AND NEW.live_from <= c.live_until
                ) THEN
                    RAISE EXCEPTION 'overlapping station contract for facility %', NEW.facility_id
                        USING ERRCODE = 'exclusion_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.facility}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ContractFunding(models.Model):
    """One funding source of a contract with its amount; the sources add up to the amount."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="funding"
    )
    source = models.CharField(_("资金来源"), max_length=20, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["contract", "source"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "source"], name="funding_source_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


class EvaluationStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评估")
    SUBMITTED = "submitted", _("已提交待审核")
    ACCEPTED = "accepted", _("已采纳")
    RETURNED = "returned", _("已退回")


class EvaluationGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Evaluation(models.Model):
    """A third-party evaluation (第三方评估) of a contract over a period: assigned by the
    purchaser, submitted by the evaluation organisation, accepted or returned with a reason."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="evaluations"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("被评估合同"), on_delete=models.PROTECT, related_name="evaluations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("评估机构"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    period_start = models.DateField(_("评估期起"))
    period_end = models.DateField(_("评估期止"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.ASSIGNED,
    )
    evaluated_on = models.DateField(_("评估日期"), null=True, blank=True)
    score = models.DecimalField(
        _("评估得分"), max_digits=4, decimal_places=1, null=True, blank=True, help_text=_("0–100")
    )
    grade = models.CharField(
        _("评估等级"), max_length=10, choices=EvaluationGrade.choices, blank=True
    )
    findings = models.TextField(_("评估意见"), blank=True)
    report = models.FileField(_("评估报告（PDF）"), upload_to="evaluations/%Y/", blank=True)
    report_sha256 = models.CharField(_("评估报告 SHA-256"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("第三方评估")
        verbose_name_plural = _("第三方评估")
        ordering = ["tenant", "-period_end", "pk"]
        indexes = [
            models.Index(fields=["tenant", "organisation", "status"], name="evaluation_scope"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="evaluation_period_order"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__range=(0, 100)),
                name="evaluation_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.period_start}–{self.period_end}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AssistanceFunds(models.Model):
    """A county's social assistance special funds (社会救助专项经费: 社会救助工作经费、困难群众
    救助补助资金等) in a year, in yuan, with its source document. The base of rule
    social_assistance_funds_share_max (plan 四(二)): services a county buys from these
    funds stay within that share of them."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    division = models.ForeignKey(
        Division, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("社会救助专项经费（元）"), max_digits=16, decimal_places=2)
    source = models.CharField(_("数据来源"), max_length=200)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社会救助专项经费")
        verbose_name_plural = _("社会救助专项经费")
        ordering = ["tenant", "division", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "division", "year"], name="assistance_funds_once_a_year"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="assistance_funds_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}: {self.amount}"
