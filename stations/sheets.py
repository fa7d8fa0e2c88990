"""Spreadsheet specs of the stations app: the facility sheet (站点).

The template, the reader, the preview, the export and the error workbook of
facilities all come from this one declaration (stations/spreadsheets).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from stations.models import FacilityLevel, FacilityStatus
from stations.models.facilities import SIX_HAVES
from stations.spreadsheets.spec import Column, SheetSpec

# Short labels people write for a level (also accepted: the code and the full label).
LEVEL_ALIASES = {
    "市级中心": FacilityLevel.CITY_CENTRE,
    "县级指导中心": FacilityLevel.COUNTY_CENTRE,
    "指导中心": FacilityLevel.COUNTY_CENTRE,
    "社工总站": FacilityLevel.COUNTY_CENTRE,
    "社工站": FacilityLevel.TOWNSHIP_STATION,
    "乡镇社工站": FacilityLevel.TOWNSHIP_STATION,
    "社工室": FacilityLevel.VILLAGE_ROOM,
    "村社工室": FacilityLevel.VILLAGE_ROOM,
}

# The file is an official Chinese form whatever the user's interface language.
with translation.override("zh-hans"):
    FACILITY_SHEET = SheetSpec(
        name="站点",
        key=("division", "level"),
        columns=(
            Column(
                "层级",
                "level",
                "choice",
                required=True,
                width=24,
                choices=dict(FacilityLevel.choices),
                aliases=LEVEL_ALIASES,
                rule=gettext_noop("应为下拉列表中的层级之一"),
            ),
            Column("所在区划代码", "division", "code", required=True, width=16),
            Column("牌匾名称（留空则按规范生成）", "name", width=40, max_length=200),
            Column(
                "状态",
                "status",
                "choice",
                width=10,
                choices=dict(FacilityStatus.choices),
                rule=gettext_noop("只能是“筹建中”或“运营中”"),
            ),
            Column("建成运营日期", "established_on", "date", width=14),
            Column("地址", "address", width=30, max_length=300),
            Column("联系电话", "phone", width=16, max_length=40),
            Column("办公面积（平方米）", "office_area_m2", "decimal", width=12),
            *(
                column
                for stem, label in SIX_HAVES
                for column in (
                    Column(str(label), f"has_{stem}", "bool", width=10),
                    Column(f"{label}说明", f"has_{stem}_note", width=20, max_length=200),
                )
            ),
            Column("合署场所", "co_located_venues", width=20, max_length=300),
            Column("示范站", "is_demonstration", "bool", width=10),
            Column("示范认定年份", "demonstration_year", "year", width=12),
            Column("备注", "remarks", width=30),
        ),
    )
