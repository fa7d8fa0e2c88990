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
from stations.validation import EARLIEST_DATE, BatchInvalid, date_problem, phone_normalize

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


def _divisions_for(
    actor: Membership, wanted: list[tuple[str, object]]
) -> list[Division | Exception]:
    """The division each (level, code) names, or the error that refuses it; one query.

    The division must be of the actor's city and scope, of the level the
    facility stands on, not retired, and the actor's role must keep facilities
    of that level there. An error is a ValidationError on ``level`` or
    ``division``, or PermissionDenied.
    """
    codes: list[str | None] = []
    for _level, division_code in wanted:
        try:
            codes.append(normalize_code(division_code))
        except InvalidDivisionCode:
            codes.append(None)
    found = {
        division.code: division
        for division in Division.objects.filter(
            code__in={code for code in codes if code}, city_code=actor.tenant.code
        )
    }
    # The few parents (for signboard names) once each, not one copy per division.
    parents = Division.objects.in_bulk({d.parent_id for d in found.values() if d.parent_id})
    for division in found.values():
        if division.parent_id:
            division.parent = parents[division.parent_id]
    return [
        _division_check(actor, level, division_code, code, found.get(code or ""))
        for (level, division_code), code in zip(wanted, codes, strict=True)
    ]


def _division_check(
    actor: Membership, level: str, division_code: object, code: str | None, division
) -> Division | Exception:
    if level not in FacilityLevel.values:
        return ValidationError({"level": _("未知的站点层级“%(level)s”。") % {"level": level}})
    if code is None:
        try:
            normalize_code(division_code)
        except InvalidDivisionCode as error:
            return ValidationError({"division": str(error)})
    if division is None or (
        actor.scope is not None and division.county_code != actor.scope.county_code
    ):
        return ValidationError(
            {"division": _("区划“%(code)s”不存在或不在您的管辖范围内。") % {"code": division_code}}
        )
    expected = DIVISION_LEVEL_OF[FacilityLevel(level)]
    if division.level != expected:
        return ValidationError(
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
        return ValidationError({"division": _("区划“%(name)s”已撤销。") % {"name": division.name}})
    if not permissions.can_edit_facility_at(actor, county_code=division.county_code, level=level):
        return PermissionDenied(_("您的角色不能在该区划建站。"))
    return division


def _clean_details(details: dict, errors: dict[str, list]) -> dict:
    """The known DETAIL_FIELDS of ``details``, area as a Decimal; problems go to ``errors``."""
    for field in sorted(set(details) - set(DETAIL_FIELDS)):
        errors.setdefault(field, []).append(_("不能通过此方式修改。"))
    cleaned = {field: value for field, value in details.items() if field in DETAIL_FIELDS}
    if "office_area_m2" in cleaned and cleaned["office_area_m2"] not in (None, ""):
        try:
            area = Decimal(str(cleaned["office_area_m2"]))
        except InvalidOperation:
            errors.setdefault("office_area_m2", []).append(_("办公面积必须是数字。"))
            del cleaned["office_area_m2"]
        else:
            if area < 0:
                errors.setdefault("office_area_m2", []).append(_("办公面积不能为负数。"))
            cleaned["office_area_m2"] = area
    elif "office_area_m2" in cleaned:
        cleaned["office_area_m2"] = None
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = phone_normalize(str(cleaned["phone"]))
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
            del cleaned["phone"]
    return cleaned


def _check_demonstration(facility: Facility, errors: dict[str, list]) -> None:
    """A demonstration station needs its year (2000 to this year); a plain one has none."""
    if facility.is_demonstration and not facility.demonstration_year:
        errors.setdefault("demonstration_year", []).append(_("示范站须填写认定年份。"))
    if facility.demonstration_year and not (2000 <= facility.demonstration_year <= _today().year):
        errors.setdefault("demonstration_year", []).append(_("认定年份应在 2000 年至今年之间。"))
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


def _single(call, *args, **kwargs):
    """Run a batch service for one item and raise that item's own error."""
    try:
        return call(*args, **kwargs)[0]
    except BatchInvalid as invalid:
        raise next(iter(invalid.errors.values())) from None


# Fields each part of a facility's validation leaves to the service (checked, or loaded once).
_NOT_FIELD_CHECKED = ["six_haves_complete", "tenant", "division"]


def _field_errors(facility: Facility, errors: dict[str, list]) -> None:
    """Add the model's own field checks (lengths, choices) to ``errors``, without queries.

    The check constraints are the service's own checks here (area, demonstration
    year, start of operation); the database keeps them too.
    """
    _check_demonstration(facility, errors)
    try:
        facility.full_clean(
            exclude=[*_NOT_FIELD_CHECKED, *errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        error.update_error_dict(errors)


def _new_facility(
    actor: Membership, item: dict, division: Division | Exception
) -> Facility | ValidationError | PermissionDenied:
    """The unsaved facility one create item describes, or every error of the item at once."""
    if isinstance(division, PermissionDenied):
        return division
    details = dict(item)
    level = details.pop("level")
    details.pop("division_code")
    status = details.pop("status", FacilityStatus.PLANNED)
    established_on = details.pop("established_on", None)
    errors: dict[str, list] = {}
    if isinstance(division, ValidationError):
        division.update_error_dict(errors)
    cleaned = _clean_details(details, errors)
    if status not in (FacilityStatus.PLANNED, FacilityStatus.OPERATING):
        errors.setdefault("status", []).append(_("新建站点的状态只能是“筹建中”或“运营中”。"))
    elif status == FacilityStatus.OPERATING:
        if established_on is None:
            errors.setdefault("established_on", []).append(_("运营中的站点须填写建成运营日期。"))
        elif established_on > _today():
            errors.setdefault("established_on", []).append(_("建成运营日期不能晚于今天。"))
    if established_on is not None and established_on < EARLIEST_DATE:
        errors.setdefault("established_on", []).append(date_problem(established_on))
    placed = division if isinstance(division, Division) else None
    if placed is not None and not (cleaned.get("name") or "").strip():
        cleaned["name"] = signboard_name(placed, level)
    facility = Facility(
        tenant=actor.tenant,
        level=level,
        division=placed,
        county_code=placed.county_code if placed and level != FacilityLevel.CITY_CENTRE else "",
        status=status,
        established_on=established_on,
        **cleaned,
    )
    if placed is None and not facility.name:  # no signboard name without a division
        errors.setdefault("name", [])  # (kept out of the field checks, dropped below)
    _field_errors(facility, errors)
    if not errors.get("name"):
        errors.pop("name", None)
    if errors:
        return ValidationError(errors)
    return facility


def _township_clashes(tenant_id: int, opening: dict[int, Facility]) -> dict[int, ValidationError]:
    """Items opening a township station where another operates on or after their start.

    ``opening`` maps an item index to a facility about to start operating on
    its ``established_on``; the existing periods of those townships are read in
    one query (their rows locked first), and two items of the batch for one
    township clash with each other: the plan allows one station per township
    on any day (二(一)1).
    """
    townships = sorted(
        {f.division_id for f in opening.values() if f.level == FacilityLevel.TOWNSHIP_STATION}
    )
    if not townships:
        return {}
    list(Division.objects.select_for_update().filter(pk__in=townships).order_by("pk").values("pk"))
    periods: dict[str, list[tuple]] = {}
    for period in (
        FacilityOperatingPeriod.objects.filter(
            tenant_id=tenant_id,
            division_id__in=townships,
            level=FacilityLevel.TOWNSHIP_STATION,
        )
        .select_related("facility")
        .only("division_id", "started_on", "ended_on", "facility_id", "facility__name")
    ):
        periods.setdefault(period.division_id, []).append(
            (period.started_on, period.ended_on, period.facility.name, period.facility_id)
        )
    clashes = {}
    for index, facility in opening.items():
        if facility.level != FacilityLevel.TOWNSHIP_STATION:
            continue
        started_on = facility.established_on
        me = facility.pk or ("item", index)
        here = periods.setdefault(facility.division_id, [])
        other = next(
            (
                (since, name)
                for since, until, name, owner in here
                if owner != me and (until is None or until > started_on)
            ),
            None,
        )
        if other is not None:
            clashes[index] = ValidationError(
                {
                    "division": _(
                        "该乡镇（街道）自 %(since)s 起已有运营中的社工站“%(name)s”，"
                        "同一时间只能有一个。"
                    )
                    % {"since": other[0], "name": other[1]}
                }
            )
        else:  # the next item for this township clashes with this one
            here.append((started_on, None, facility.name, me))
    return clashes


def facilities_create(*, actor: Membership, items: list[dict]) -> list[Facility]:
    """Create one facility per item, all or none; the form and the API pass one item.

    Each item holds facility_create's keywords: ``level``, ``division_code``,
    optional ``status`` (planned or operating), ``established_on`` and the
    DETAIL_FIELDS. Divisions, the townships' operating periods and the locks are
    read once per batch; rows are written with bulk inserts in one transaction
    with one history context. Raises BatchInvalid naming every refused item
    (every field error of each at once); then nothing is written.
    """
    with acting(actor.user, action="facility_create", tenant=actor.tenant.code):
        facilities = facilities_create_check(actor=actor, items=items)
        # Timestamps set here, not by the database default: rows of plain values are
        # inserted as one UNNEST per column, which is what keeps a big batch fast.
        now = timezone.now()
        for facility in facilities:
            facility.created_at = now
        Facility.objects.bulk_create(facilities)
        operating = [f for f in facilities if f.status == FacilityStatus.OPERATING]
        try:
            with transaction.atomic():
                FacilityOperatingPeriod.objects.bulk_create(
                    FacilityOperatingPeriod(
                        tenant_id=f.tenant_id,
                        facility_id=f.pk,
                        division_id=f.division_id,
                        level=f.level,
                        started_on=f.established_on,  # type: ignore[misc]
                    )
                    for f in operating
                )
        except DatabaseError as error:  # the trigger's check, should a race slip through
            raise BatchInvalid(
                {
                    index: ValidationError(
                        {"division": _("该乡镇（街道）同一时间只能有一个运营中的社工站。")}
                    )
                    for index, f in enumerate(facilities)
                    if f.status == FacilityStatus.OPERATING
                    and f.level == FacilityLevel.TOWNSHIP_STATION
                }
            ) from error
        FacilityStatusChange.objects.bulk_create(
            FacilityStatusChange(
                tenant_id=f.tenant_id,
                facility_id=f.pk,
                status=f.status,
                effective_on=f.established_on,  # type: ignore[misc]
                recorded_by_id=actor.user_id,
                recorded_at=now,
            )
            for f in operating
        )
    return facilities


def facilities_create_check(*, actor: Membership, items: list[dict]) -> list[Facility]:
    """The unsaved facilities ``items`` describe, after every check facilities_create makes.

    Writes nothing (inside a transaction it locks the townships it checks);
    raises BatchInvalid like facilities_create. The import preview uses it.
    """
    divisions = _divisions_for(actor, [(item["level"], item["division_code"]) for item in items])
    built = [
        _new_facility(actor, item, division)
        for item, division in zip(items, divisions, strict=True)
    ]
    errors = {index: f for index, f in enumerate(built) if not isinstance(f, Facility)}
    opening = {
        index: f
        for index, f in enumerate(built)
        if isinstance(f, Facility) and f.status == FacilityStatus.OPERATING
    }
    errors.update(_township_clashes(actor.tenant_id, opening))
    if errors:
        raise BatchInvalid(dict(sorted(errors.items())))
    return built  # type: ignore[return-value]


def facility_create_check(*, actor: Membership, **item) -> Facility:
    """facility_create's checks for one item (same arguments), writing nothing."""
    return _single(facilities_create_check, actor=actor, items=[item])


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
    as operating needs its establishment date and starts its first operating
    period. One item of facilities_create: raises that item's ValidationError
    (every field problem at once) or PermissionDenied.
    """
    item = {
        "level": level,
        "division_code": division_code,
        "status": status,
        "established_on": established_on,
        **details,
    }
    return _single(facilities_create, actor=actor, items=[item])


def _changed_facility(
    actor: Membership, facility: Facility, details: dict
) -> tuple[Facility, list[str]] | ValidationError | PermissionDenied:
    try:
        _require_edit(actor, facility)
    except PermissionDenied as denied:
        return denied
    errors: dict[str, list] = {}
    cleaned = _clean_details(details, errors)
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        cleaned["name"] = signboard_name(facility.division, facility.level)
    for field, value in cleaned.items():
        setattr(facility, field, value)
    year_before = facility.demonstration_year
    _field_errors(facility, errors)
    if errors:
        return ValidationError(errors)
    fields = list(cleaned)
    if facility.demonstration_year != year_before and "demonstration_year" not in fields:
        fields.append("demonstration_year")  # no longer a demonstration station: no year
    return facility, fields


def facilities_update_check(
    *, actor: Membership, changes: list[tuple[Facility, dict]]
) -> list[tuple[Facility, list[str]]]:
    """Every check facilities_update makes, writing nothing: (facility, fields set) per item.

    The facilities hold the new values afterwards (unsaved). Raises BatchInvalid
    naming every refused item. The import preview uses it.
    """
    checked = [_changed_facility(actor, facility, details) for facility, details in changes]
    errors = {index: c for index, c in enumerate(checked) if not isinstance(c, tuple)}
    if errors:
        raise BatchInvalid(errors)
    return checked  # type: ignore[return-value]


def facilities_update(*, actor: Membership, changes: list[tuple[Facility, dict]]) -> list[Facility]:
    """Change the descriptive fields of several facilities, all or none.

    ``changes`` pairs a facility (of the actor's tenant) with the DETAIL_FIELDS
    to set; a blank name becomes the signboard name. Written with one bulk
    update per set of fields, in one transaction with one history context.
    Raises BatchInvalid naming every refused item (every field error of each
    at once); then nothing is written.
    """
    checked = facilities_update_check(actor=actor, changes=changes)
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[Facility]] = {}
    for facility, fields in checked:
        facility.updated_at = now
        by_fields.setdefault(tuple(sorted(fields)), []).append(facility)
    with acting(actor.user, action="facility_update", tenant=actor.tenant.code):
        for names, facilities in by_fields.items():
            Facility.objects.bulk_update(facilities, [*names, "updated_at"], batch_size=500)
    return [facility for facility, _fields in checked]


def facility_update_check(*, actor: Membership, facility: Facility, **details) -> Facility:
    """facility_update's checks (same arguments), writing nothing; ``facility`` takes the values."""
    return _single(facilities_update_check, actor=actor, changes=[(facility, details)])[0]


def facility_update(*, actor: Membership, facility: Facility, **details) -> Facility:
    """Change a facility's descriptive fields (not its status, dates or place).

    One item of facilities_update: raises its ValidationError (every field
    problem at once) or PermissionDenied.
    """
    return _single(facilities_update, actor=actor, changes=[(facility, details)])


def facility_open_check(
    *, actor: Membership, facility: Facility, on: datetime.date | None = None, reason: str = ""
) -> None:
    """Every reason facility_open would refuse, at once (ValidationError); writes nothing.

    A missing ``on`` (None) is left to the caller's own "required" message.
    """
    _require_edit(actor, facility)
    errors: dict[str, list] = {}
    if facility.status == FacilityStatus.OPERATING:
        errors["status"] = [_("该站点已在运营中。")]
    if on is not None and on > _today():
        errors["on"] = [_("开始运营日期不能晚于今天。")]
    elif on is not None and on < EARLIEST_DATE:
        errors["on"] = [date_problem(on)]
    last_end = (
        facility.periods.exclude(ended_on__isnull=True)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    if on is not None and last_end is not None and on < last_end:
        errors.setdefault("on", []).append(
            _("重新运营日期不能早于上次停止运营日期 %(date)s。") % {"date": last_end}
        )
    if errors:
        raise ValidationError(errors)


def facility_open(
    *, actor: Membership, facility: Facility, on: datetime.date, reason: str = ""
) -> Facility:
    """Start operating a planned facility, or reopen a suspended or closed one, from ``on``.

    Raises ValidationError with every problem at once (facility_open_check).
    """
    facility_open_check(actor=actor, facility=facility, on=on, reason=reason)
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


def facility_close_check(
    *,
    actor: Membership,
    facility: Facility,
    on: datetime.date | None = None,
    reason: str = "",
    status: str = FacilityStatus.CLOSED,
) -> None:
    """Every reason facility_close would refuse, at once (ValidationError); writes nothing."""
    _require_edit(actor, facility)
    errors: dict[str, list] = {}
    if status not in (FacilityStatus.CLOSED, FacilityStatus.SUSPENDED):
        errors["status"] = [_("只能关闭或暂停运营。")]
    elif facility.status != FacilityStatus.OPERATING:
        errors["status"] = [_("只有运营中的站点才能关闭或暂停。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写停止运营的原因。")]
    if on is not None and on > _today():
        errors["on"] = [_("停止运营日期不能晚于今天。")]
    elif on is not None and "status" not in errors:
        try:
            _check_close_date(facility, facility.periods.filter(ended_on__isnull=True).first(), on)
        except ValidationError as error:
            error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check_close_date(facility: Facility, period, on: datetime.date) -> None:
    if period is None or on <= period.started_on:
        start = period.started_on if period else facility.established_on
        raise ValidationError(
            {"on": _("停止运营日期须晚于开始运营日期 %(date)s。") % {"date": start}}
        )


def facility_close(
    *,
    actor: Membership,
    facility: Facility,
    on: datetime.date,
    reason: str,
    status: str = FacilityStatus.CLOSED,
) -> Facility:
    """Stop an operating facility from ``on`` (not operating that day), closed or suspended.

    Raises ValidationError with every problem at once (facility_close_check).
    """
    facility_close_check(actor=actor, facility=facility, on=on, reason=reason, status=status)
    with acting(actor.user, action="facility_close", tenant=actor.tenant.code):
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        period = facility.periods.filter(ended_on__isnull=True).first()
        _check_close_date(facility, period, on)  # again, under the lock
        assert period is not None  # (checked just above)
        period.ended_on = on
        period.save(update_fields=["ended_on"])
        facility.status = status
        facility.closed_on = on
        facility.closure_reason = reason.strip()
        facility.save()
        _log_status(facility, actor, on, reason.strip())
    return facility


def facility_rate_check(
    *,
    actor: Membership,
    facility: Facility,
    stars: object = None,
    rated_on: datetime.date | None = None,
    note: str = "",
) -> int:
    """The stars as an int (1–5), or ValidationError with every problem at once."""
    _require_edit(actor, facility)
    errors: dict[str, list] = {}
    try:
        stars_value = int(str(stars))
    except ValueError:
        stars_value = 0
    if not 1 <= stars_value <= 5:
        errors["stars"] = [_("星级必须是 1 到 5 的整数。")]
    problem = date_problem(rated_on)
    if problem:
        errors["rated_on"] = [problem]
    if len(note or "") > 300:
        errors["note"] = [_("说明不能超过 300 个字。")]
    if errors:
        raise ValidationError(errors)
    return stars_value


def facility_rate(
    *, actor: Membership, facility: Facility, stars: object, rated_on: datetime.date, note: str = ""
) -> FacilityRating:
    """Award a star rating (1–5) on a date; the newest rating becomes the current stars.

    Raises ValidationError with every problem at once (facility_rate_check).
    """
    stars_value = facility_rate_check(
        actor=actor, facility=facility, stars=stars, rated_on=rated_on, note=note
    )
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


# What a correction may fix: data entered wrongly, not a change in the world.
CORRECTABLE_FIELDS = ("established_on", "level", "division")


def facility_correct(
    *,
    actor: Membership,
    facility: Facility,
    reason: str,
    established_on: datetime.date | None = None,
    level: str | None = None,
    division_code: object = None,
) -> Facility:
    """Correct a facility's opening date, level or division that were entered wrongly.

    Unlike closing and re-creating, the facility keeps its identity and its
    operating periods follow: the first period starts on the corrected date,
    every period moves to the corrected level and division, and the status log's
    opening entry moves with the date. Coverage of the affected dates changes
    accordingly; nothing else does. History records it as the action
    ``facility_correct`` with the reason.

    ``reason`` is required (≤ 300 characters); each of the other arguments is
    optional (None: unchanged), at least one must change something. Raises
    PermissionDenied (not the actor's facility, or a place the actor may not
    keep) or ValidationError with every problem at once: dates outside
    2000-01-01..today or after the first period's end, a division not of the
    level, outside the scope or retired, or two operating township stations in
    one township on a day.
    """
    _require_edit(actor, facility)
    errors: dict[str, list] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("更正须写明原因。")]
    elif len(reason) > 300:
        errors["reason"] = [_("原因不能超过 300 个字。")]
    periods = list(facility.periods.order_by("started_on"))
    new_level = level or facility.level
    moving = level not in (None, "", facility.level) or (
        division_code not in (None, "") and _code_or_none(division_code) != facility.division_id
    )
    dating = established_on is not None and established_on != facility.established_on
    new_start: datetime.date = established_on or datetime.date.min  # (used only when dating)
    if not moving and not dating:
        errors.setdefault("__all__", []).append(_("没有需要更正的内容：新值与原值相同。"))
    if dating:
        problem = date_problem(established_on)
        if problem:
            errors["established_on"] = [problem]
        elif not periods:
            errors["established_on"] = [_("该站点尚未运营，没有建成运营日期可更正。")]
        elif periods[0].ended_on is not None and new_start >= periods[0].ended_on:
            errors["established_on"] = [
                _("建成运营日期须早于第一段运营期间的结束日期 %(date)s。")
                % {"date": periods[0].ended_on}
            ]
    division = facility.division
    if moving:
        found = _divisions_for(actor, [(new_level, division_code or facility.division_id)])[0]
        if isinstance(found, Division):
            division = found
        elif isinstance(found, ValidationError):
            found.update_error_dict(errors)
        else:
            raise found
    moved = Facility(
        pk=facility.pk, tenant_id=facility.tenant_id, level=new_level, division=division
    )
    first_start = established_on if dating and "established_on" not in errors else None

    def check_overlaps() -> None:
        for index, period in enumerate(periods):
            start = first_start if first_start and index == 0 else period.started_on
            _check_no_overlap(moved, start, period.ended_on)

    if "division" not in errors:
        try:
            check_overlaps()
        except ValidationError as error:
            error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    old_start = facility.established_on
    with acting(actor.user, action="facility_correct", tenant=actor.tenant.code, reason=reason):
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        _lock_division(division.code)
        check_overlaps()  # again, under the lock
        if moving:
            if facility.name == signboard_name(facility.division, facility.level):
                facility.name = signboard_name(division, new_level)
            facility.level = new_level
            facility.division = division
            facility.county_code = division.county_code if new_level != "city_centre" else ""
        if dating:
            facility.established_on = new_start
        facility.save()
        for index, period in enumerate(periods):
            if dating and index == 0:
                period.started_on = new_start
            period.division = division
            period.level = new_level
        try:
            with transaction.atomic():
                FacilityOperatingPeriod.objects.bulk_update(
                    periods, ["started_on", "division", "level"]
                )
        except DatabaseError as error:  # the trigger's check, should a race slip through
            raise ValidationError(
                {"division": _("该乡镇（街道）同一时间只能有一个运营中的社工站。")}
            ) from error
        if dating and old_start is not None:
            facility.status_changes.filter(
                status=FacilityStatus.OPERATING, effective_on=old_start
            ).update(effective_on=new_start)
    return facility


def _code_or_none(value: object) -> str | None:
    try:
        return normalize_code(value)
    except InvalidDivisionCode:
        return None
