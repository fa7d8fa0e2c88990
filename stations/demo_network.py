"""The demo tenant's station network, built through the facility services.

柳州市 as its published reports tell it (seeds: the 2021–2023 plan and the
2023 review): a city centre, a guidance centre in each of the 10 counties,
42 township stations (35%) at the end of 2020, more than 70% at the end of
2021, all 118 in September 2022, 50 star-rated stations in 2023, one or two
demonstration stations per county, and a few village rooms.

Everything is deterministic: townships are ordered by a hash of their code,
spread evenly across counties, and dated month by month within each year.
Nothing is random and no date lies after 2023, so a reload gives the same network.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from stations.divisions import Level
from stations.models import Division, Facility, FacilityLevel, FacilityStatus, Membership, Tenant
from stations.selectors import township_units
from stations.services.facilities import (
    facility_close,
    facility_create,
    facility_open,
    facility_rate,
    facility_update,
)

DEMO_ADMIN = "demo_city"

# The published path: stations opened per year, and the months each year's openings spread over.
# 42 by 2020-12-31 (35%), 85 by 2021-12-31 (72%), 118 by 2022-09-30, the last in September.
WAVES = (
    (42, datetime.date(2020, 3, 1), 10),  # March–December 2020
    (43, datetime.date(2021, 1, 1), 12),  # January–December 2021
    (33, datetime.date(2022, 1, 1), 9),  # January–September 2022
)

# Stars of the 50 stations rated in 2023, best first (demonstration stations rank first).
STARS = (5,) * 6 + (4,) * 14 + (3,) * 18 + (2,) * 8 + (1,) * 4
RATING_STARTS = datetime.date(2023, 11, 6)  # counties rated in turn, three days apart

# Village rooms (村（社区）社工室): how many in each rural county.
VILLAGE_ROOMS = {
    "450206": 1,  # 柳江区
    "450222": 1,  # 柳城县
    "450223": 1,  # 鹿寨县
    "450224": 1,  # 融安县
    "450225": 2,  # 融水苗族自治县
    "450226": 2,  # 三江侗族自治县
}

# Where a station sits: the venue it shares (合署场所) and the site note.
LAYOUTS = (
    ("新时代文明实践所", "与新时代文明实践所合署，社工站独立挂牌"),
    ("党群服务中心", "与党群服务中心合署办公"),
    ("综治中心", "综治中心内设独立办公室"),
    ("", "独立办公用房"),
    ("", "便民服务中心二楼独立办公室"),
)
# Items an incomplete station still lacks, with the note the county officer left.
GAPS = (
    {"has_equipment": False, "has_equipment_note": "办公电脑、档案柜待采购"},
    {"has_workflow": False, "has_workflow_note": "服务流程正在制定"},
    {"has_rules": False, "has_rules_note": "规章制度未上墙"},
    {"has_site": False, "has_site_note": "暂借村委会会议室，独立场地在改造"},
    {"has_staff": False, "has_staff_note": "驻站社工 1 名，尚缺 1 名"},
)


class UnexpectedTownships(Exception):
    """The tenant does not count the 118 townships the published path is written for."""

    def __init__(self, found: int, expected: int):
        self.found, self.expected = found, expected
        super().__init__(f"expected {expected} counted townships, found {found}")


@dataclass
class Summary:
    city_centres: int = 0
    county_centres: int = 0
    stations: int = 0
    village_rooms: int = 0
    ratings: int = 0
    demonstrations: int = 0

    def line(self) -> str:
        return (
            f"站点网络：市级中心 {self.city_centres} 个，县级指导中心 {self.county_centres} 个，"
            f"乡镇（街道）社工站 {self.stations} 个，村（社区）社工室 {self.village_rooms} 个，"
            f"2023 年星级评定 {self.ratings} 个，示范站 {self.demonstrations} 个"
        )


def _spread(code: str, salt: str = "") -> int:
    """A stable pseudo-random number for a code (no randomness, same on every run)."""
    return int(hashlib.sha256(f"{salt}{code}".encode()).hexdigest()[:12], 16)


def _add_months(start: datetime.date, months: int, day: int) -> datetime.date:
    year, month = divmod(start.month - 1 + months, 12)
    return datetime.date(start.year + year, month + 1, day)


def _phone(code: str) -> str:
    number = _spread(code, "phone") % 8_000_000 + 2_000_000
    return f"0772-{number}"


def _area(code: str, low: int, high: int) -> str:
    tenths = _spread(code, "area") % ((high - low) * 10)
    return f"{low + tenths // 10}.{tenths % 10}"


def _office(township: Division) -> str:
    return "办事处" if township.name.endswith("街道") else "人民政府"


def _township_order(townships: list[Division]) -> list[Division]:
    """Townships in opening order: each county advances at the same pace, in hashed order."""
    by_county: dict[str, list[Division]] = defaultdict(list)
    for township in townships:
        by_county[township.county_code].append(township)
    keyed = []
    for county_townships in by_county.values():
        county_townships.sort(key=lambda division: _spread(division.code))
        size = len(county_townships)
        for rank, township in enumerate(county_townships):
            keyed.append(((rank + 0.5) / size, _spread(township.code, "tie"), township))
    keyed.sort(key=lambda item: item[:2])
    return [township for *_key, township in keyed]


def _opening_dates(count: int) -> list[datetime.date]:
    """One date per township in opening order, month by month within each wave."""
    dates: list[datetime.date] = []
    for size, first_month, months in WAVES:
        for index in range(size):
            # The first opening of each month on its 8th, later ones up to the 28th.
            month = index * months // size
            same_month = index - math.ceil(month * size / months)
            dates.append(_add_months(first_month, month, min(8 + 7 * same_month, 28)))
    if count != len(dates):
        raise UnexpectedTownships(count, len(dates))
    return dates


def _station_details(township: Division, wave: int) -> dict:
    county = township.parent.name if township.parent else ""
    key = _spread(township.code, "details")
    venue, site_note = LAYOUTS[_spread(township.code, "layout") % len(LAYOUTS)]
    details = {
        "address": f"柳州市{county}{township.name}{_office(township)}院内",
        "phone": _phone(township.code),
        "office_area_m2": _area(township.code, 40, 160),
        "co_located_venues": venue,
        "has_site": True,
        "has_site_note": site_note,
        "has_equipment": True,
        "has_staff": True,
        "has_staff_note": f"驻站社工 {2 + key % 3} 名",
        "has_services": True,
        "has_workflow": True,
        "has_rules": True,
    }
    # Stations opened last are more often still short of the standard.
    if (wave == 2 and key % 3 == 0) or (wave == 1 and key % 9 == 0):
        details.update(GAPS[key % len(GAPS)])
    return details


def demo_network_load(tenant: Tenant) -> str | None:
    """Build the demo network once; None when the tenant already has facilities."""
    if tenant.facilities.exists():
        return None
    actor = (
        Membership.objects.select_related("tenant", "scope", "user")
        .filter(tenant=tenant, user__username=DEMO_ADMIN)
        .first()
    )
    if actor is None:
        return None
    try:
        with transaction.atomic():
            return _build(actor).line()
    except UnexpectedTownships as error:
        return (
            f"站点网络：未创建（计入覆盖率的乡镇（街道）有 {error.found} 个，"
            f"演示数据按 {error.expected} 个编排）"
        )


def _build(actor: Membership) -> Summary:
    summary = Summary()
    tenant = actor.tenant
    city = Division.objects.get(code=tenant.code.ljust(12, "0"))
    counties = list(
        Division.objects.filter(
            city_code=tenant.code, level=Level.COUNTY, retired_on__isnull=True
        ).order_by("code")
    )

    facility_create(
        actor=actor,
        level=FacilityLevel.CITY_CENTRE,
        division_code=city.code,
        status=FacilityStatus.OPERATING,
        established_on=datetime.date(2021, 3, 18),
        address="柳州市民政局办公楼",
        phone=_phone(city.code),
        office_area_m2="260.0",
        remarks="统筹全市社工站建设、督导和人才培养。",
    )
    summary.city_centres += 1

    for index, county in enumerate(counties):
        facility_create(
            actor=actor,
            level=FacilityLevel.COUNTY_CENTRE,
            division_code=county.code,
            status=FacilityStatus.OPERATING,
            established_on=_add_months(datetime.date(2021, 4, 1), index, 10 + index),
            address=f"柳州市{county.name}民政局办公楼",
            phone=_phone(county.code),
            office_area_m2=_area(county.code, 60, 120),
            remarks="依托县（区）民政部门办公场所设立。",
        )
        summary.county_centres += 1

    townships = list(
        township_units(actor)
        .filter(is_counted=True, city_code=tenant.code)  # type: ignore[misc]  # an annotation
        .select_related("parent")
    )
    ordered = _township_order(townships)
    dates = _opening_dates(len(ordered))
    wave_of = [wave for wave, (size, *_rest) in enumerate(WAVES) for _index in range(size)]
    stations: list[Facility] = []
    for township, opened_on, wave in zip(ordered, dates, wave_of, strict=True):
        stations.append(
            facility_create(
                actor=actor,
                level=FacilityLevel.TOWNSHIP_STATION,
                division_code=township.code,
                status=FacilityStatus.OPERATING,
                established_on=opened_on,
                **_station_details(township, wave),
            )
        )
        summary.stations += 1

    # One early station moved in spring 2021: suspended while the new office was fitted out.
    moved = stations[4]
    moved = facility_close(
        actor=actor,
        facility=moved,
        on=datetime.date(2021, 4, 1),
        reason="站点搬迁，新址装修",
        status=FacilityStatus.SUSPENDED,
    )
    moved = facility_open(
        actor=actor, facility=moved, on=datetime.date(2021, 6, 15), reason="新址启用"
    )
    township = moved.division
    county_name = township.parent.name if township.parent else ""
    facility_update(
        actor=actor,
        facility=moved,
        address=f"柳州市{county_name}{township.name}便民服务中心三楼",
        office_area_m2=_area(township.code + "new", 80, 160),
    )
    stations[4] = moved

    summary.demonstrations = _demonstrations(actor, stations)
    summary.ratings = _ratings(actor, stations, counties)
    summary.village_rooms = _village_rooms(actor, stations)
    return summary


def _village_place(name: str) -> str:
    """龙城社区居委会 → 龙城社区, 红光村委会 → 红光村."""
    for suffix, replacement in (
        ("村民委员会", "村"),
        ("居民委员会", ""),
        ("村委会", "村"),
        ("居委会", ""),
    ):
        if name.endswith(suffix):
            return name.removesuffix(suffix) + replacement
    return name


def _complete(facility: Facility) -> bool:
    return all(
        getattr(facility, f"has_{stem}")
        for stem in ("site", "equipment", "staff", "services", "workflow", "rules")
    )


def _demonstrations(actor: Membership, stations: list[Facility]) -> int:
    """The one or two earliest complete stations of each county (two in the larger counties)."""
    by_county: dict[str, list[Facility]] = defaultdict(list)
    for facility in stations:
        by_county[facility.county_code].append(facility)
    count = 0
    for county_stations in by_county.values():
        wanted = 2 if len(county_stations) >= 12 else 1
        candidates = sorted(
            (facility for facility in county_stations if _complete(facility)),
            key=lambda facility: (facility.established_on, facility.division_id),
        )
        for rank, facility in enumerate(candidates[:wanted]):
            year = 2021 + rank
            facility_update(
                actor=actor,
                facility=facility,
                is_demonstration=True,
                demonstration_year=year,
                remarks=f"{year} 年认定为县（区）示范社工站。",
            )
            count += 1
    return count


def _ratings(actor: Membership, stations: list[Facility], counties: list[Division]) -> int:
    """50 star-rated stations in 2023: demonstration stations first, then complete ones."""
    demonstrations = [facility for facility in stations if facility.is_demonstration]
    others = sorted(
        (
            facility
            for facility in stations
            if _complete(facility) and not facility.is_demonstration
        ),
        key=lambda facility: _spread(facility.division_id, "rating"),
    )
    county_index = {county.county_code: index for index, county in enumerate(counties)}
    rated = (demonstrations + others)[: len(STARS)]
    for facility, stars in zip(rated, STARS, strict=True):
        rated_on = RATING_STARTS + datetime.timedelta(days=3 * county_index[facility.county_code])
        facility_rate(
            actor=actor,
            facility=facility,
            stars=stars,
            rated_on=rated_on,
            note="2023 年度星级社工站评定",
        )
    return len(rated)


def _village_rooms(actor: Membership, stations: list[Facility]) -> int:
    """A few village rooms in the rural counties, below their earliest stations."""
    count = 0
    for county_code, wanted in VILLAGE_ROOMS.items():
        hosts = sorted(
            (facility for facility in stations if facility.county_code == county_code),
            key=lambda facility: (facility.established_on, facility.division_id),
        )[:wanted]
        for host in hosts:
            villages = list(
                Division.objects.filter(
                    parent_id=host.division_id, level=Level.VILLAGE, retired_on__isnull=True
                ).order_by("code")
            )
            # A village (村) rather than the seat town's urban communities when there is one.
            village = next(
                (village for village in villages if village.name.endswith("村委会")),
                villages[0] if villages else None,
            )
            if village is None:
                continue
            opened_on = _add_months(datetime.date(2022, 3, 1), 2 * count, 15)
            facility_create(
                actor=actor,
                level=FacilityLevel.VILLAGE_ROOM,
                division_code=village.code,
                status=FacilityStatus.OPERATING,
                established_on=opened_on,
                address=f"{host.division.name}{_village_place(village.name)}综合服务中心",
                phone=_phone(village.code),
                office_area_m2=_area(village.code, 20, 45),
                has_site=True,
                has_staff=True,
                has_staff_note="镇社工站社工定期驻点",
                has_services=True,
            )
            count += 1
    return count
