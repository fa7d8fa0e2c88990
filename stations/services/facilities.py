"""Creating, editing, closing, reopening and rating facilities.

Every form, API call, spreadsheet row and demo loader goes through these
functions. Operating periods are what coverage counts: opening a facility
starts one, closing or suspending ends it, reopening starts another.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import permissions
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.models import (
    DIVISION_LEVEL_OF,
    Division,
    Facility,
    FacilityLevel,
    FacilityOperatingPeriod,
    FacilityRating,
    FacilityStatus,
    FacilityStatusChange,
    Membership,
)
from stations.services.history import acting

# Fields a form, API or spreadsheet may set directly; status and dates have their own services.
DETAIL_FIELDS = (
    "name",
    "address",
    "phone",
    "office_area_m2",
    "has_site",
    "has_site_note",
    "has_equipment",
    "has_equipment_note",
    "has_staff",
    "has_staff_note",
    "has_services",
    "has_services_note",
    "has_workflow",
    "has_workflow_note",
    "has_rules",
    "has_rules_note",
    "co_located_venues",
    "is_demonstration",
    "demonstration_year",
    "remarks",
)

_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会)$")


def signboard_name(division: Division, level: str) -> str:
    """The signboard name in the official format, from the division names.

    A township station reads ``××县（市、区）××乡镇（街道）社会工作服务站``.
    """
    parent_name = division.parent.name if division.parent is not None else ""
    if level == FacilityLevel.CITY_CENTRE:
        return f"{division.name}社会工作发展中心"
    if level == FacilityLevel.COUNTY_CENTRE:
        return f"{division.name}社会工作服务站指导中心"
    if level == FacilityLevel.TOWNSHIP_STATION:
        return f"{parent_name}{division.name}社会工作服务站"
    return f"{parent_name}{_VILLAGE_SUFFIX.sub('', division.name)}社工室"


def _require_edit(actor: Membership, facility: Facility) -> None:
    if facility.tenant_id != actor.tenant_id:
        raise PermissionDenied(_("该站点不在您的管辖范围内。"))
    if not permissions.can_edit_facility(actor, facility):
        raise PermissionDenied(_("您的角色不能修改该站点。"))


def _today() -> datetime.date:
    return timezone.localdate()


def _division_for(actor: Membership, level: str, division_code: object) -> Division:
    if level not in FacilityLevel.values:
        raise ValidationError({"level": _("未知的站点层级“%(level)s”。") % {"level": level}})
    try:
        code = normalize_code(division_code)
    except InvalidDivisionCode as error:
        raise ValidationError({"division": str(error)}) from error
    division = (
        Division.objects.select_related("parent")
        .filter(code=code, city_code=actor.tenant.code)
        .first()
    )
    if division is None or (
        actor.scope is not None and division.county_code != actor.scope.county_code
    ):
        raise ValidationError(
            {"division": _("区划“%(code)s”不存在或不在您的管辖范围内。") % {"code": division_code}}
        )
    expected = DIVISION_LEVEL_OF[FacilityLevel(level)]
    if division.level != expected:
        raise ValidationError(
            {
                "division": _("%(facility)s必须设在%(level)s区划上，“%(name)s”是%(actual)s。")
                % {
                    "facility": FacilityLevel(level).label,
                    "level": Level(expected).label,
                    "name": division.name,
                    "actual": Level(division.level).label,
                }
            }
        )
    if division.retired_on is not None:
        raise ValidationError({"division": _("区划“%(name)s”已撤销。") % {"name": division.name}})
    if not permissions.can_edit_facility_at(actor, county_code=division.county_code, level=level):
        raise PermissionDenied(_("您的角色不能在该区划建站。"))
    return division


def _clean_details(details: dict) -> dict:
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError({field: _("不能通过此方式修改。") for field in sorted(unknown)})
    cleaned = dict(details)
    if "office_area_m2" in cleaned and cleaned["office_area_m2"] not in (None, ""):
        try:
            area = Decimal(str(cleaned["office_area_m2"]))
        except InvalidOperation as error:
            raise ValidationError({"office_area_m2": _("办公面积必须是数字。")}) from error
        if area < 0:
            raise ValidationError({"office_area_m2": _("办公面积不能为负数。")})
        cleaned["office_area_m2"] = area
    elif "office_area_m2" in cleaned:
        cleaned["office_area_m2"] = None
    return cleaned


def _check_demonstration(facility: Facility) -> None:
    if facility.is_demonstration and not facility.demonstration_year:
        raise ValidationError({"demonstration_year": _("示范站须填写认定年份。")})
    if facility.demonstration_year and not (2000 <= facility.demonstration_year <= _today().year):
        raise ValidationError({"demonstration_year": _("认定年份应在 2000 年至今年之间。")})
    if facility.demonstration_year and not facility.is_demonstration:
        facility.demonstration_year = None


def _lock_division(division_id: str) -> None:
    """Serialise period changes of one division so overlap checks cannot race."""
    Division.objects.select_for_update().filter(pk=division_id).exists()


def _check_no_overlap(facility: Facility, started_on: datetime.date, ended_on=None) -> None:
    if facility.level != FacilityLevel.TOWNSHIP_STATION:
        return
    overlapping = (
        FacilityOperatingPeriod.objects.filter(
            tenant_id=facility.tenant_id,
            division_id=facility.division_id,
            level=FacilityLevel.TOWNSHIP_STATION,
        )
        .exclude(facility_id=facility.pk)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
    )
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lt=ended_on)
    other = overlapping.select_related("facility").first()
    if other is not None:
        raise ValidationError(
            {
                "division": _(
                    "该乡镇（街道）自 %(since)s 起已有运营中的社工站“%(name)s”，"
                    "同一时间只能有一个。"
                )
                % {"since": other.started_on, "name": other.facility.name}
            }
        )


def _open_period(facility: Facility, started_on: datetime.date) -> None:
    _lock_division(facility.division_id)
    _check_no_overlap(facility, started_on)
    try:
        with transaction.atomic():
            FacilityOperatingPeriod.objects.create(
                tenant_id=facility.tenant_id,
                facility=facility,
                division_id=facility.division_id,
                level=facility.level,
                started_on=started_on,
            )
    except DatabaseError as error:  # the trigger's check, should a race slip through
        raise ValidationError(
            {"division": _("该乡镇（街道）同一时间只能有一个运营中的社工站。")}
        ) from error


def _log_status(
    facility: Facility, actor: Membership | None, on: datetime.date, reason: str = ""
) -> None:
    FacilityStatusChange.objects.create(
        tenant_id=facility.tenant_id,
        facility=facility,
        status=facility.status,
        effective_on=on,
        reason=reason,
        recorded_by=actor.user if actor is not None else None,
    )


def facility_create(
    *,
    actor: Membership,
    level: str,
    division_code: object,
    status: str = FacilityStatus.PLANNED,
    established_on: datetime.date | None = None,
    **details,
) -> Facility:
    """Create a facility on a division of the matching level in the actor's scope.

    Without a name the official signboard name is proposed. A facility created
    as operating needs its establishment date and starts its first operating period.
    """
    division = _division_for(actor, level, division_code)
    cleaned = _clean_details(details)
    if status not in (FacilityStatus.PLANNED, FacilityStatus.OPERATING):
        raise ValidationError({"status": _("新建站点的状态只能是“筹建中”或“运营中”。")})
    if status == FacilityStatus.OPERATING:
        if established_on is None:
            raise ValidationError({"established_on": _("运营中的站点须填写建成运营日期。")})
        if established_on > _today():
            raise ValidationError({"established_on": _("建成运营日期不能晚于今天。")})
    if not (cleaned.get("name") or "").strip():
        cleaned["name"] = signboard_name(division, level)
    with acting(actor.user, action="facility_create", tenant=actor.tenant.code):
        facility = Facility(
            tenant=actor.tenant,
            level=level,
            division=division,
            county_code=division.county_code if level != FacilityLevel.CITY_CENTRE else "",
            status=status,
            established_on=established_on,
            **cleaned,
        )
        _check_demonstration(facility)
        facility.full_clean(exclude=["six_haves_complete"])
        facility.save()
        if status == FacilityStatus.OPERATING:
            assert established_on is not None  # noqa: S101 - checked above
            _open_period(facility, established_on)
            _log_status(facility, actor, established_on)
    return facility


def facility_update(*, actor: Membership, facility: Facility, **details) -> Facility:
    """Change a facility's descriptive fields (not its status, dates or place)."""
    _require_edit(actor, facility)
    cleaned = _clean_details(details)
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        cleaned["name"] = signboard_name(facility.division, facility.level)
    with acting(actor.user, action="facility_update", tenant=actor.tenant.code):
        for field, value in cleaned.items():
            setattr(facility, field, value)
        _check_demonstration(facility)
        facility.full_clean(exclude=["six_haves_complete"])
        facility.save()
    return facility


def facility_open(
    *, actor: Membership, facility: Facility, on: datetime.date, reason: str = ""
) -> Facility:
    """Start operating a planned facility, or reopen a suspended or closed one, from ``on``."""
    _require_edit(actor, facility)
    if facility.status == FacilityStatus.OPERATING:
        raise ValidationError({"status": _("该站点已在运营中。")})
    if on > _today():
        raise ValidationError({"on": _("开始运营日期不能晚于今天。")})
    last_end = (
        facility.periods.exclude(ended_on__isnull=True)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    if last_end is not None and on < last_end:
        raise ValidationError(
            {"on": _("重新运营日期不能早于上次停止运营日期 %(date)s。") % {"date": last_end}}
        )
    with acting(actor.user, action="facility_open", tenant=actor.tenant.code):
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        facility.status = FacilityStatus.OPERATING
        if facility.established_on is None:
            facility.established_on = on
        facility.closed_on = None
        facility.closure_reason = ""
        _open_period(facility, on)
        facility.save()
        _log_status(facility, actor, on, reason)
    return facility


def facility_close(
    *,
    actor: Membership,
    facility: Facility,
    on: datetime.date,
    reason: str,
    status: str = FacilityStatus.CLOSED,
) -> Facility:
    """Stop an operating facility from ``on`` (not operating that day), closed or suspended."""
    _require_edit(actor, facility)
    if status not in (FacilityStatus.CLOSED, FacilityStatus.SUSPENDED):
        raise ValidationError({"status": _("只能关闭或暂停运营。")})
    if facility.status != FacilityStatus.OPERATING:
        raise ValidationError({"status": _("只有运营中的站点才能关闭或暂停。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写停止运营的原因。")})
    if on > _today():
        raise ValidationError({"on": _("停止运营日期不能晚于今天。")})
    with acting(actor.user, action="facility_close", tenant=actor.tenant.code):
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        period = facility.periods.filter(ended_on__isnull=True).first()
        if period is None or on <= period.started_on:
            start = period.started_on if period else facility.established_on
            raise ValidationError(
                {"on": _("停止运营日期须晚于开始运营日期 %(date)s。") % {"date": start}}
            )
        period.ended_on = on
        period.save(update_fields=["ended_on"])
        facility.status = status
        facility.closed_on = on
        facility.closure_reason = reason.strip()
        facility.save()
        _log_status(facility, actor, on, reason.strip())
    return facility


def facility_rate(
    *, actor: Membership, facility: Facility, stars: object, rated_on: datetime.date, note: str = ""
) -> FacilityRating:
    """Award a star rating (1–5) on a date; the newest rating becomes the current stars."""
    _require_edit(actor, facility)
    try:
        stars_value = int(str(stars))
    except ValueError as error:
        raise ValidationError({"stars": _("星级必须是 1 到 5 的整数。")}) from error
    if not 1 <= stars_value <= 5:
        raise ValidationError({"stars": _("星级必须是 1 到 5 的整数。")})
    if rated_on > _today():
        raise ValidationError({"rated_on": _("评定日期不能晚于今天。")})
    with acting(actor.user, action="facility_rate", tenant=actor.tenant.code):
        rating, _created = FacilityRating.objects.update_or_create(
            tenant_id=facility.tenant_id,
            facility=facility,
            rated_on=rated_on,
            defaults={"stars": stars_value, "note": note},
        )
        latest = facility.ratings.order_by("-rated_on").first()
        facility.current_stars = latest.stars if latest else None
        facility.save(update_fields=["current_stars", "updated_at"])
    return rating
