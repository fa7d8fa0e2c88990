"""Spreadsheet spec of the workforce app: the roster (社会工作者), keyed on the ID number.

The template, the reader, the preview, the export and the error workbook of the roster
all come from this one declaration (stations/spreadsheets). An ID number is never
repeated in full in a row error (``display``) and exports carry it masked.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext_noop

from stations.spreadsheets.spec import Column, SheetSpec
from workforce.id_numbers import id_number_mask
from workforce.models import CredentialLevel, Education, Gender, WorkerStatus


def id_number_shown(text: str) -> str:
    """A cell's ID number as errors show it: masked like ``450202********002X``."""
    return id_number_mask(text.strip().upper())


ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def id_numbers_hidden(text: str) -> str:
    """``text`` with anything that looks like an 18-character ID number masked (a number
    typed in the wrong column, or repeated in a message)."""
    return ID_LIKE.sub(lambda found: id_number_mask(found.group().upper()), text)


# The file is an official Chinese form whatever the user's interface language.
with translation.override("zh-hans"):
    ROSTER_SHEET = SheetSpec(
        name="社会工作者",
        key=("id_number",),
        redact=id_numbers_hidden,
        columns=(
            Column("姓名", "name", required=True, width=12, max_length=50),
            Column(
                "公民身份号码",
                "id_number",
                "code",  # a number cell Excel rounded to 15 digits is refused, never guessed
                required=True,
                width=22,
                max_length=30,
                display=id_number_shown,
                help="18 位；导出的名单中已隐去，再次导入时按隐去的号码和姓名找到本人",
            ),
            Column(
                "性别",
                "gender",
                "choice",
                width=8,
                choices=dict(Gender.choices),
                rule=gettext_noop("应为“男”或“女”；留空时按身份号码确定"),
            ),  # fmt: skip
            Column("联系电话", "phone", width=16, max_length=40),
            Column(
                "学历",
                "education",
                "choice",
                width=12,
                choices=dict(Education.choices),
                rule=gettext_noop("应为下拉列表中的学历之一"),
            ),  # fmt: skip
            Column("社会工作专业", "social_work_major", "bool", width=10),
            Column("所在机构统一社会信用代码", "employer", "code", width=22),
            Column("中共党员", "party_member", "bool", width=8),
            Column(
                "专业领域",
                "specialties",
                width=28,
                max_length=200,
                help="可填多个，用顿号分隔，如：养老服务、社会救助",
            ),
            Column(
                "状态",
                "status",
                "choice",
                width=8,
                choices=dict(WorkerStatus.choices),
                rule=gettext_noop("应为“在岗”或“离职”"),
            ),  # fmt: skip
            Column(
                "证书级别",
                "level",
                "choice",
                width=16,
                choices=dict(CredentialLevel.choices),
                rule=gettext_noop("应为助理社会工作师、社会工作师或高级社会工作师"),
            ),  # fmt: skip
            Column("证书编号", "certificate_number", width=20, max_length=40),
            Column("考试年度", "exam_year", "year", width=10),
            Column("取得证书日期", "passed_on", "date", width=14),
            Column("备注", "remarks", width=30),
        ),
    )


with translation.override("zh-hans"):
    POPULATION_SHEET = SheetSpec(
        name="人口",
        key=("division", "year"),
        columns=(
            Column("区划代码", "division", "code", required=True, width=14),
            Column("年份", "year", "year", required=True, width=8),
            Column("常住人口（人）", "population", "decimal", required=True, width=14),
            Column("数据来源", "source", required=True, width=36, max_length=200),
        ),
    )
