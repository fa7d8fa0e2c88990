"""Spreadsheet specs of the procurement app: the organisation sheet (机构), keyed on USCC.

The template, the reader, the preview, the export and the error workbook of
organisations all come from this one declaration (stations/spreadsheets).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from procurement.models import OrganisationKind
from stations.spreadsheets.spec import Column, SheetSpec

# The file is an official Chinese form whatever the user's interface language.
with translation.override("zh-hans"):
    ORGANISATION_SHEET = SheetSpec(
        name="机构",
        key=("uscc",),
        columns=(
            Column("统一社会信用代码", "uscc", required=True, width=22, max_length=30),
            Column("机构名称", "name", required=True, width=36, max_length=200),
            Column(
                "机构类型",
                "kind",
                "choice",
                width=14,
                choices=dict(OrganisationKind.choices),
                aliases={"民办非企业单位": OrganisationKind.SOCIAL_SERVICE_AGENCY},
                rule=gettext_noop("应为下拉列表中的机构类型之一"),
            ),
            Column("登记管理机关", "registration_authority", width=20, max_length=100),
            Column("登记日期", "registered_on", "date", width=14),
            Column("业务范围含社会工作", "social_work_in_scope", "bool", width=12),
            Column("地址", "address", width=30, max_length=300),
            Column("联系人", "contact_person", width=12, max_length=50),
            Column("联系电话", "contact_phone", width=16, max_length=40),
            Column("孵化基地所在县（市、区）代码", "incubated_by", "code", width=16),
            Column("孵化日期", "incubated_on", "date", width=14),
            Column("备注", "remarks", width=30),
        ),
    )
