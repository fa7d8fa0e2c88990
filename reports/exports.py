"""Producers of job files, one per job kind: each takes a job and a progress callback."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.utils import timezone
from openpyxl import Workbook

from reports.models import Job
from stations.divisions import TownshipKind
from stations.selectors import township_units
from stations.spreadsheets import append_row

Progress = Callable[[int], None]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def divisions_export(job: Job, progress: Progress) -> tuple[str, bytes]:
    """An XLSX of the township units in the job's scope and whether coverage counts them."""
    scope = job.acting_scope()
    units = township_units(scope).filter(code__startswith=job.scope.short_code).order_by("code")
    total = units.count()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("乡级区划")
    append_row(sheet, [f"{job.scope.name} 乡级区划与覆盖口径"])
    append_row(sheet, [f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}（北京时间）"])
    append_row(sheet, ["区划代码", "名称", "类型", "所属县（区）", "计入覆盖率", "口径调整理由"])
    kinds = dict(TownshipKind.choices)
    # is_counted and override_reason are annotations of township_units.
    rows = units.values_list(  # type: ignore[misc]
        "code", "name", "township_kind", "parent__name", "is_counted", "override_reason"
    )
    for index, (code, name, kind, county, counted, reason) in enumerate(
        rows.iterator(chunk_size=2000), start=1
    ):
        append_row(
            sheet,
            [
                code,
                name,
                str(kinds.get(kind, "")),
                county or "",
                "是" if counted else "否",
                reason or "",
            ],
        )
        if total and index % 500 == 0:
            progress(10 + int(80 * index / total))
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"{job.scope.short_code}-divisions-{timezone.localdate():%Y%m%d}.xlsx"
    return filename, buffer.getvalue()
