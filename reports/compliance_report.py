"""The compliance report (目标达标情况报告) of a city or county on a day: PDF and XLSX.

The rules come from every app's ``compliance.py`` through ``reports.rules``;
this module only renders their results: a summary table (rule, clause,
expected, actual, met or not), then one section per rule with its offending
records. Always in Chinese: it is an official document.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.models import Job, ReportFormat
from reports.rules import Compliance, compliance_run
from stations.spreadsheets import append_row

# Excel refuses these characters in sheet names, and more than 31 characters.
_SHEET_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})


def verdict(passed: bool | None) -> str:
    return "达标" if passed else ("不适用" if passed is None else "未达标")


def report_compliance(job: Job) -> Compliance:
    as_of = datetime.date.fromisoformat(job.parameters["as_of"])
    return compliance_run(job.acting_scope(), job.scope, as_of)


def render_pdf(compliance: Compliance, job: Job, generated_at: datetime.datetime) -> bytes:
    from weasyprint import HTML

    context = {
        "compliance": compliance,
        "job": job,
        "generated_at": generated_at,
        "title": f"{compliance.division.name}社工站建设目标达标情况报告",
        "rows": [
            {"outcome": outcome, "verdict": verdict(outcome.result.passed)}
            for outcome in compliance.outcomes
        ],
    }
    with translation.override("zh-hans"):
        html = render_to_string("reports/compliance_report.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _sheet_title(index: int, clause: str) -> str:
    """``1 一(三)1``: the rule's place in the summary and its clause (unique, ≤ 31 characters)."""
    return f"{index} {clause}".translate(_SHEET_FORBIDDEN)[:31]


def render_xlsx(compliance: Compliance, generated_at: datetime.datetime) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    summary = workbook.active
    summary.title = "汇总"
    append_row(summary, [f"{compliance.division.name}社工站建设目标达标情况报告"])
    summary["A1"].font = Font(bold=True, size=14)
    append_row(summary, ["统计范围", compliance.division.name, compliance.division.short_code])
    append_row(summary, ["统计日期", compliance.as_of])
    append_row(summary, ["生成时间（北京时间）", generated_at.strftime("%Y-%m-%d %H:%M")])
    append_row(summary, [])
    append_row(
        summary, ["规则代码", "规则", "依据条款", "目标", "实际", "结论", "问题记录数", "说明"]
    )
    for cell in summary[summary.max_row]:
        cell.font = bold
    for index, outcome in enumerate(compliance.outcomes, start=1):
        result = outcome.result
        append_row(
            summary,
            [
                outcome.rule.code,
                str(outcome.rule.title),
                outcome.rule.clause,
                str(result.expected),
                str(result.actual),
                verdict(result.passed),
                len(result.findings),
                str(result.note),
            ],
        )
        sheet = workbook.create_sheet(_sheet_title(index, outcome.rule.clause))
        append_row(sheet, [f"{outcome.rule.clause} {outcome.rule.title}"])
        sheet["A1"].font = bold
        append_row(sheet, ["对象", "区划代码", "应为", "实际"])
        for cell in sheet[2]:
            cell.font = bold
        for finding in result.findings:
            append_row(
                sheet,
                [
                    finding.subject,
                    finding.division,
                    str(finding.expected),
                    str(finding.actual),
                ],
            )
        if not result.findings:
            note = f"：{result.note}" if result.note else ""
            append_row(sheet, [verdict(result.passed) + note])
        for column, width in zip("ABCD", (36, 14, 36, 36), strict=True):
            sheet.column_dimensions[column].width = width
    for column, width in zip("ABCDEFGH", (30, 40, 12, 30, 30, 8, 10, 30), strict=True):
        summary.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def compliance_report(job: Job, progress: Callable[[int], None]) -> tuple[str, bytes]:
    """The file of a compliance job: (file name, content)."""
    compliance = report_compliance(job)
    progress(60)
    generated_at = timezone.localtime()
    report_format = job.parameters.get("format", ReportFormat.PDF)
    if report_format == ReportFormat.XLSX:
        content = render_xlsx(compliance, generated_at)
    else:
        content = render_pdf(compliance, job, generated_at)
    progress(95)
    filename = f"{job.scope.short_code}-compliance-{compliance.as_of:%Y%m%d}.{report_format}"
    return filename, content
