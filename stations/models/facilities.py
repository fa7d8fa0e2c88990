"""Facilities of the station network and their history of operation.

A facility's current status is kept on the row for lists and filters; what
coverage relies on is the set of operating periods, which are never
overwritten: closing a station ends its open period, reopening starts a new
one, so a past date always gets the answer it had.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from stations.divisions import Level
from stations.models.tenancy import Division, Tenant


class FacilityLevel(models.TextChoices):
    CITY_CENTRE = "city_centre", _("市级社会工作发展中心")
    COUNTY_CENTRE = "county_centre", _("县级社会工作服务站指导中心")
    TOWNSHIP_STATION = "township_station", _("乡镇（街道）社会工作服务站")
    VILLAGE_ROOM = "village_room", _("村（社区）社工室")


# The division level each facility level stands on.
DIVISION_LEVEL_OF = {
    FacilityLevel.CITY_CENTRE: Level.CITY,
    FacilityLevel.COUNTY_CENTRE: Level.COUNTY,
    FacilityLevel.TOWNSHIP_STATION: Level.TOWNSHIP,
    FacilityLevel.VILLAGE_ROOM: Level.VILLAGE,
}


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", _("筹建中")
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停运营")
    CLOSED = "closed", _("已关闭")


# The 六有 standard of a station (plan 二(一)3): field stem and label.
SIX_HAVES = (
    ("site", _("有场地")),
    ("equipment", _("有设备")),
    ("staff", _("有人员")),
    ("services", _("有服务功能")),
    ("workflow", _("有工作流程")),
    ("rules", _("有规章制度")),
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Facility(models.Model):
    """A city centre, county guidance centre, township station or village room."""

    tenant = models.ForeignKey(
        Tenant, verbose_name=_("租户"), on_delete=models.CASCADE, related_name="facilities"
    )
    level = models.CharField(_("层级"), max_length=20, choices=FacilityLevel.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="facilities"
    )
    # Copied from the division for scoping and grouping without a join.
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True)
    name = models.CharField(_("牌匾名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.PLANNED
    )
    established_on = models.DateField(_("建成运营日期"), null=True, blank=True)
    closed_on = models.DateField(_("停止运营日期"), null=True, blank=True)
    closure_reason = models.CharField(_("停止运营原因"), max_length=300, blank=True)
    office_area_m2 = models.DecimalField(
        _("办公面积（平方米）"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    # 六有, each with a note (plan 二(一)3).
    has_site = models.BooleanField(_("有场地"), default=False)
    has_site_note = models.CharField(_("场地说明"), max_length=200, blank=True)
    has_equipment = models.BooleanField(_("有设备"), default=False)
    has_equipment_note = models.CharField(_("设备说明"), max_length=200, blank=True)
    has_staff = models.BooleanField(_("有人员"), default=False)
    has_staff_note = models.CharField(_("人员说明"), max_length=200, blank=True)
    has_services = models.BooleanField(_("有服务功能"), default=False)
    has_services_note = models.CharField(_("服务功能说明"), max_length=200, blank=True)
    has_workflow = models.BooleanField(_("有工作流程"), default=False)
    has_workflow_note = models.CharField(_("工作流程说明"), max_length=200, blank=True)
    has_rules = models.BooleanField(_("有规章制度"), default=False)
    has_rules_note = models.CharField(_("规章制度说明"), max_length=200, blank=True)
    six_haves_complete = models.GeneratedField(
        expression=models.ExpressionWrapper(
            Q(has_site=True)
            & Q(has_equipment=True)
            & Q(has_staff=True)
            & Q(has_services=True)
            & Q(has_workflow=True)
            & Q(has_rules=True),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("六有齐全"),
    )
    co_located_venues = models.CharField(_("合署场所"), max_length=300, blank=True)
    is_demonstration = models.BooleanField(_("示范站"), default=False)
    demonstration_year = models.PositiveSmallIntegerField(
        _("示范站认定年份"), null=True, blank=True
    )
    current_stars = models.PositiveSmallIntegerField(_("当前星级"), null=True, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_default=Now())
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("站点设施")
        verbose_name_plural = _("站点设施")
        ordering = ["division_id", "level"]
        indexes = [
            models.Index(fields=["tenant", "county_code", "level"], name="facility_scope"),
            models.Index(fields=["tenant", "status"], name="facility_status"),
            models.Index(fields=["division"], name="facility_division"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(office_area_m2__isnull=True) | Q(office_area_m2__gte=0),
                name="facility_area_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(closed_on__gte=models.F("established_on")),
                name="facility_closed_after_established",
            ),
            models.CheckConstraint(
                condition=Q(is_demonstration=False) | Q(demonstration_year__isnull=False),
                name="facility_demonstration_has_year",
            ),
            models.CheckConstraint(
                condition=Q(current_stars__isnull=True) | Q(current_stars__range=(1, 5)),
                name="facility_current_stars_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status=FacilityStatus.OPERATING) | Q(established_on__isnull=False),
                name="facility_operating_has_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def six_haves(self) -> list[dict]:
        """The 六有 checklist as rows of label, met, note (for pages and reports)."""
        return [
            {
                "stem": stem,
                "label": label,
                "met": getattr(self, f"has_{stem}"),
                "note": getattr(self, f"has_{stem}_note"),
            }
            for stem, label in SIX_HAVES
        ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FacilityOperatingPeriod(models.Model):
    """Days a facility operated: from ``started_on`` up to, not including, ``ended_on``."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="periods"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("层级"), max_length=20, choices=FacilityLevel.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("运营期间")
        verbose_name_plural = _("运营期间")
        ordering = ["facility", "started_on"]
        indexes = [
            models.Index(
                fields=["tenant", "level", "started_on", "ended_on"], name="period_level_dates"
            ),
            models.Index(fields=["division", "level"], name="period_division_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="period_ends_after_start",
            ),
        ]
        triggers = [
            # At most one operating township station per township on any day. The
            # service locks the township row first; this is the database's own check.
            pgtrigger.Trigger(
                name="one_township_station_per_day",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__level="township_station"),
                func="""
                IF EXISTS (
                    SELECT 1 FROM stations_facilityoperatingperiod p
                    WHERE p.tenant_id = NEW.tenant_id
                      AND p.division_id = NEW.division_id
                      AND p.level = 'township_station'
                      AND p.id IS DISTINCT FROM NEW.id
                      AND p.started_on < coalesce(NEW.ended_on, 'infinity'::date)
                      AND NEW.started_on < coalesce(p.ended_on, 'infinity'::date)
                ) THEN
                    RAISE EXCEPTION 'overlapping township station period for %', NEW.division_id
                        USING ERRCODE = 'exclusion_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        end = self.ended_on or "…"
        return f"{self.facility}: {self.started_on} – {end}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FacilityStatusChange(models.Model):
    """One change of status with the day it takes effect and why: the facility's status log."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("状态"), max_length=10, choices=FacilityStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), db_default=Now())

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["facility", "effective_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.facility}: {self.get_status_display()} @ {self.effective_on}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FacilityRating(models.Model):
    """A star rating (星级社工站, 1–5 stars) awarded to a station on a date."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("租户"), on_delete=models.CASCADE)
    facility = models.ForeignKey(
        Facility, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(_("星级"))
    rated_on = models.DateField(_("评定日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["facility", "-rated_on"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__range=(1, 5)), name="rating_stars_1_5"),
            models.UniqueConstraint(
                fields=["tenant", "facility", "rated_on"], name="rating_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility}: {self.stars}★ ({self.rated_on})"
