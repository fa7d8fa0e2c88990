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
from reports.spreadsheets import safe_cell

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
    summary.append([f"{compliance.division.name}社工站建设目标达标情况报告"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["统计范围", compliance.division.name, compliance.division.short_code])
    summary.append(["统计日期", compliance.as_of])
    summary.append(["生成时间（北京时间）", generated_at.strftime("%Y-%m-%d %H:%M")])
    summary.append([])
    summary.append(["规则代码", "规则", "依据条款", "目标", "实际", "结论", "问题记录数", "说明"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for index, outcome in enumerate(compliance.outcomes, start=1):
        result = outcome.result
        summary.append(
            [
                outcome.rule.code,
                safe_cell(str(outcome.rule.title)),
                outcome.rule.clause,
                safe_cell(str(result.expected)),
                safe_cell(str(result.actual)),
                verdict(result.passed),
                len(result.findings),
                safe_cell(str(result.note)),
            ]
        )
        sheet = workbook.create_sheet(_sheet_title(index, outcome.rule.clause))
        sheet.append([safe_cell(f"{outcome.rule.clause} {outcome.rule.title}")])
        sheet["A1"].font = bold
        sheet.append(["对象", "区划代码", "应为", "实际"])
        for cell in sheet[2]:
            cell.font = bold
        for finding in result.findings:
            sheet.append(
                [
                    safe_cell(finding.subject),
                    finding.division,
                    safe_cell(str(finding.expected)),
                    safe_cell(str(finding.actual)),
                ]
            )
        if not result.findings:
            note = f"：{result.note}" if result.note else ""
            sheet.append([safe_cell(verdict(result.passed) + note)])
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
