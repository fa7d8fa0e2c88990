"""Spreadsheet spec of the supervision app: sessions (督导记录), one row each, keyed on the
contract, the station and the start (the template, reader, preview and error workbook
all come from it; stations/spreadsheets)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from stations.spreadsheets.spec import Column, SheetSpec
from supervision.models import SessionForm

# The file is an official Chinese form whatever the user's interface language.
with translation.override("zh-hans"):
    SESSION_SHEET = SheetSpec(
        name="督导记录",
        key=("contract", "facility", "started_at"),
        columns=(
            Column("合同编号", "contract", "code", required=True, width=20),
            Column("站点", "facility", required=True, width=26, max_length=200),
            Column("督导姓名", "supervisor", required=True, width=12, max_length=50),
            Column(
                "督导编号",
                "supervisor_id",
                "code",
                width=10,
                help="有同名社工时填写，见填写说明中的督导名单",
            ),
            Column("开始时间", "started_at", "datetime", required=True, width=18),
            Column("结束时间", "ended_at", "datetime", required=True, width=18),
            Column(
                "督导时长（小时）",
                "hours",
                "decimal",
                width=10,
                help="留空按起止时间计算；只能少于起止时间",
            ),
            Column("时长说明", "hours_note", width=20, max_length=300),
            Column(
                "督导形式",
                "form",
                "choice",
                required=True,
                width=10,
                choices=dict(SessionForm.choices),
                rule=gettext_noop("应为“驻站现场”“线上”或“集中”"),
            ),
            Column("督导主题", "topics", required=True, width=30, max_length=2000),
            Column(
                "参加社工",
                "participants",
                width=24,
                max_length=500,
                help="该站点驻站社工的姓名，多人用顿号分隔",
            ),
            Column("督导记录", "notes", width=40, max_length=5000),
        ),
    )
