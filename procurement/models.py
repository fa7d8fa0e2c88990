"""Models of the procurement app: social work organisations (more follow: contracts,
funding, evaluations; DESIGN.md §7)."""

from __future__ import annotations

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.models import Division, Tenant


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
