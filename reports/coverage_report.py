"""The official coverage report (社工站覆盖率报告) of a city or county on a date.

One producer, two formats from the same figures: an A4 PDF rendered by
WeasyPrint from ``templates/reports/coverage_report.html`` (the monthly
timeline drawn as inline SVG on the server) and an XLSX with the same tables.
The figures come from the coverage engine the dashboard and the API use, so
the three always agree. The report is always in Chinese, whatever the
requester's interface language: it is an official document.
"""

from __future__ import annotations

import datetime
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.models import Job, ReportFormat
from stations.coverage import Coverage, TimelinePoint, coverage_at, coverage_timeline
from stations.divisions import Level
from stations.models import FacilityLevel
from stations.spreadsheets import append_row

TIMELINE_MONTHS = 24

# The timeline chart's drawing area inside its SVG (user units = CSS px).
CHART_WIDTH, CHART_HEIGHT = 640, 220
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 12, 12, 36


@dataclass
class ReportData:
    job: Job
    as_of: datetime.date
    figures: Coverage
    timeline: list[TimelinePoint]
    generated_at: datetime.datetime

    @property
    def title(self) -> str:
        return f"{self.figures.division.name}乡镇（街道）社工站覆盖率报告"

    @property
    def child_label(self) -> str:
        return "县（市、区）" if self.figures.division.level == Level.CITY else "乡镇（街道）"

    @property
    def facilities(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.figures.facilities.get(level, 0))
            for level, label in FacilityLevel.choices
        ]


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def timeline_start(as_of: datetime.date) -> datetime.date:
    """The first day of the month TIMELINE_MONTHS − 1 months before ``as_of``'s month."""
    months = as_of.year * 12 + as_of.month - 1 - (TIMELINE_MONTHS - 1)
    return datetime.date(months // 12, months % 12 + 1, 1)


def report_data(job: Job) -> ReportData:
    scope = job.acting_scope()
    as_of = datetime.date.fromisoformat(job.parameters["as_of"])
    figures = coverage_at(scope, job.scope, as_of)
    timeline = coverage_timeline(scope, job.scope, timeline_start(as_of), as_of)
    return ReportData(job, as_of, figures, timeline, timezone.localtime())


def timeline_chart(points: list[TimelinePoint]) -> dict:
    """Coordinates of the monthly coverage line, its grid and labels, for the SVG template."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = plot_width / max(len(points) - 1, 1)

    def y_of(rate: float) -> float:
        return round(CHART_TOP + plot_height * (1 - rate), 1)

    coordinates = [
        (round(CHART_LEFT + index * step, 1), y_of(point.rate or 0))
        for index, point in enumerate(points)
    ]
    every = max(1, len(points) // 8)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "bottom": CHART_HEIGHT - CHART_BOTTOM,
        "polyline": " ".join(f"{x},{y}" for x, y in coordinates),
        "dots": [{"x": x, "y": y} for x, y in coordinates],
        "grid": [{"y": y_of(share / 100), "label": f"{share}%"} for share in (0, 25, 50, 75, 100)],
        "labels": [
            {
                "x": coordinates[index][0],
                "text": f"{point.date:%Y-%m}",
                "anchor": "end" if index == len(points) - 1 and index else "middle",
            }
            for index, point in enumerate(points)
            if index % every == 0 or (index == len(points) - 1 and index % every >= every / 2)
        ],
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 16,
    }


def render_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML

    context = {
        "data": data,
        "figures": data.figures,
        "rate": percent(data.figures.rate),
        "children": [
            {
                "name": child.division.name,
                "covered": child.covered,
                "total": child.total,
                "rate": percent(child.rate),
            }
            for child in data.figures.children
        ],
        "timeline": [
            {"date": point.date, "covered": point.covered, "total": point.total}
            | {"rate": percent(point.rate)}
            for point in data.timeline
        ],
        "chart": timeline_chart(data.timeline),
    }
    with translation.override("zh-hans"):
        html = render_to_string("reports/coverage_report.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_xlsx(data: ReportData) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    summary = workbook.active
    summary.title = "概况"
    append_row(summary, [data.title])
    summary["A1"].font = Font(bold=True, size=14)
    append_row(summary, ["统计范围", data.figures.division.name])
    append_row(summary, ["区划代码", data.figures.division.short_code])
    append_row(summary, ["统计日期", data.as_of])
    append_row(summary, ["覆盖率", data.figures.rate])
    summary["B5"].number_format = "0.0%"
    append_row(summary, ["已覆盖乡镇（街道）", data.figures.covered])
    append_row(summary, ["计入覆盖率的乡镇（街道）", data.figures.total])
    append_row(summary, [])
    append_row(summary, ["运营中的站点", "数量"])
    for label, count in data.facilities:
        append_row(summary, [label, count])
    append_row(summary, [])
    append_row(summary, ["生成时间（北京时间）", data.generated_at.strftime("%Y-%m-%d %H:%M")])
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 18

    children = workbook.create_sheet(f"分{data.child_label}")
    append_row(children, ["区划代码", "名称", "已覆盖", "计入总数", "覆盖率"])
    for child in data.figures.children:
        append_row(
            children,
            [
                child.division.short_code,
                child.division.name,
                child.covered,
                child.total,
                child.rate,
            ],
        )
    append_row(children, ["", "合计", data.figures.covered, data.figures.total, data.figures.rate])

    uncovered = workbook.create_sheet("未覆盖")
    append_row(uncovered, ["区划代码", "乡镇（街道）", "所属县（市、区）"])
    for unit in data.figures.uncovered:
        append_row(uncovered, [unit["code"][:9], unit["name"], unit["parent__name"]])

    # Units whose counting an override decides that day, under the summary (the sheets
    # keep the names and order readers and the dashboard's export already know).
    append_row(summary, [])
    append_row(summary, ["经调整口径的乡镇（街道）", len(data.figures.overridden)])
    append_row(
        summary, ["区划代码", "乡镇（街道）", "所属县（市、区）", "口径", "起始日期", "理由"]
    )
    for unit in data.figures.overridden:
        append_row(
            summary,
            [
                unit["code"][:9],
                unit["name"],
                unit["parent__name"],
                "计入" if unit["counted"] else "不计入",
                unit["effective_from"],
                unit["reason"] or "",
            ],
        )

    timeline = workbook.create_sheet("月度趋势")
    append_row(timeline, ["月末日期", "已覆盖", "计入总数", "覆盖率"])
    for point in data.timeline:
        append_row(timeline, [point.date, point.covered, point.total, point.rate])

    for sheet in (children, timeline):
        rate_column = "E" if sheet is children else "D"
        for cell in sheet[rate_column][1:]:
            cell.number_format = "0.0%"
    for sheet in (summary, children, uncovered, timeline):
        for cell in sheet[1 if sheet is not summary else 9]:
            cell.font = bold
        for column in "ABCDE":
            sheet.column_dimensions[column].width = max(
                sheet.column_dimensions[column].width or 0, 16
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def coverage_report(job: Job, progress: Callable[[int], None]) -> tuple[str, bytes]:
    """The report file of a coverage job: (file name, content)."""
    delay = float(getattr(settings, "REPORTS_RENDER_DELAY_SECONDS", 0) or 0)
    if delay:  # for the worker-kill test and demonstrations of the progress bar
        for step in range(10):
            time.sleep(delay / 10)
            progress(10 + step * 4)
    data = report_data(job)
    progress(60)
    report_format = job.parameters.get("format", ReportFormat.PDF)
    content = render_xlsx(data) if report_format == ReportFormat.XLSX else render_pdf(data)
    progress(95)
    filename = f"{job.scope.short_code}-coverage-{data.as_of:%Y%m%d}.{report_format}"
    return filename, content
