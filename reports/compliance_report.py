"""The compliance report (目标达标情况报告) of a city or county on a day: PDF and XLSX.

The rules come from every app's ``compliance.py`` through ``reports.rules``;
this module only renders their results: a summary table (rule, clause,
expected, actual, met or not, and the same day a year before with the trend),
for a city the per-county comparison (each county's offending records per rule),
then one section per rule with its offending records. Always in Chinese: it is
an official document.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.models import Job, ReportFormat
from reports.rules import Compliance, compliance_run
from stations.compliance import counties_in
from stations.divisions import Level
from stations.models import Division
from stations.registry import RuleResult
from stations.spreadsheets import append_row

# Excel refuses these characters in sheet names, and more than 31 characters.
_SHEET_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})


def verdict(passed: bool | None) -> str:
    return "达标" if passed else ("不适用" if passed is None else "未达标")


def a_year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def trend(now: bool | None, before: bool | None) -> str:
    """How a rule's verdict moved over the year: 转为达标, 转为未达标, 持平 or — (not
    judged on one of the two days)."""
    if now is None or before is None:
        return "—"
    if now == before:
        return "持平"
    return "转为达标" if now else "转为未达标"


# The comparison's last row: records of no single county (a city-wide figure, a city
# contract, a worker registered nowhere in particular).
CITY_WIDE = "全市"


@dataclass
class CountyRow:
    """One row of the per-county comparison: a county (or CITY_WIDE, code "") and the
    number of offending records of each rule that lie in it, in the summary's order."""

    name: str
    code: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def county_comparison(compliance: Compliance, counties: list[Division]) -> list[CountyRow]:
    """Each county's offending records per rule, read from the city's findings (a record
    lies in the county whose six-digit code starts its division code), so the comparison
    adds up to the city's sections. The CITY_WIDE row comes last, only when it has any.
    Empty for a county's report."""
    if compliance.division.level != Level.CITY:
        return []
    rows = {
        county.county_code: CountyRow(county.name, county.short_code, []) for county in counties
    }
    city_wide = CountyRow(CITY_WIDE, "", [])
    for outcome in compliance.outcomes:
        for row in [*rows.values(), city_wide]:
            row.counts.append(0)
        for finding in outcome.result.findings:
            row = rows.get(finding.division[:6], city_wide)
            row.counts[-1] += 1
    return [*rows.values(), *([city_wide] if city_wide.total else [])]


def report_compliance(job: Job) -> Compliance:
    as_of = datetime.date.fromisoformat(job.parameters["as_of"])
    return compliance_run(job.acting_scope(), job.scope, as_of)


def report_previous(job: Job, compliance: Compliance) -> dict[str, RuleResult]:
    """Each rule's result on the same day a year before, by rule code."""
    before = compliance_run(job.acting_scope(), job.scope, a_year_before(compliance.as_of))
    return {outcome.rule.code: outcome.result for outcome in before.outcomes}


def _rows(compliance: Compliance, previous: dict[str, RuleResult]) -> list[dict]:
    rows = []
    for outcome in compliance.outcomes:
        before = previous.get(outcome.rule.code)
        rows.append(
            {
                "outcome": outcome,
                "verdict": verdict(outcome.result.passed),
                "before": before,
                "before_verdict": verdict(before.passed) if before else "—",
                "trend": trend(outcome.result.passed, before.passed if before else None),
            }
        )
    return rows


def render_pdf(
    compliance: Compliance,
    job: Job,
    generated_at: datetime.datetime,
    previous: dict[str, RuleResult] | None = None,
    comparison: list[CountyRow] | None = None,
) -> bytes:
    from weasyprint import HTML

    context = {
        "compliance": compliance,
        "job": job,
        "generated_at": generated_at,
        "title": f"{compliance.division.name}社工站建设目标达标情况报告",
        "before_day": a_year_before(compliance.as_of),
        "rows": _rows(compliance, previous or {}),
        "comparison": comparison or [],
        "city_wide": CITY_WIDE,
    }
    with translation.override("zh-hans"):
        html = render_to_string("reports/compliance_report.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _sheet_title(index: int, clause: str) -> str:
    """``1 一(三)1``: the rule's place in the summary and its clause (unique, ≤ 31 characters)."""
    return f"{index} {clause}".translate(_SHEET_FORBIDDEN)[:31]


def render_xlsx(
    compliance: Compliance,
    generated_at: datetime.datetime,
    previous: dict[str, RuleResult] | None = None,
    comparison: list[CountyRow] | None = None,
) -> bytes:
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
    before_day = a_year_before(compliance.as_of)
    append_row(
        summary,
        [
            "规则代码",
            "规则",
            "依据条款",
            "目标",
            "实际",
            "结论",
            "问题记录数",
            "说明",
            f"上年同期（{before_day:%Y-%m-%d}）实际",
            "上年同期结论",
            "变化",
        ],
    )
    for cell in summary[summary.max_row]:
        cell.font = bold
    for index, row in enumerate(_rows(compliance, previous or {}), start=1):
        outcome, result, before = row["outcome"], row["outcome"].result, row["before"]
        append_row(
            summary,
            [
                outcome.rule.code,
                str(outcome.rule.title),
                outcome.rule.clause,
                str(result.expected),
                str(result.actual),
                row["verdict"],
                len(result.findings),
                str(result.note),
                str(before.actual) if before else "—",
                row["before_verdict"],
                row["trend"],
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
    widths = (30, 40, 12, 30, 30, 8, 10, 30, 30, 10, 10)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        summary.column_dimensions[column].width = width
    if comparison:
        _comparison_sheet(workbook, compliance, comparison)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _comparison_sheet(workbook: Workbook, compliance: Compliance, rows: list[CountyRow]) -> None:
    """Sheet 分县对比, second after the summary: a row per county, a column per rule (its
    number in the summary, code and clause), the offending records in the county."""
    sheet = workbook.create_sheet("分县对比", 1)
    append_row(sheet, ["分县（市、区）对比：各规则问题记录数（0 为该县无问题记录）"])
    sheet["A1"].font = Font(bold=True)
    headers = [f"{index} {outcome.rule.clause}" for index, outcome in
               enumerate(compliance.outcomes, start=1)]  # fmt: skip
    append_row(sheet, ["县（市、区）", "区划代码", *headers, "合计"])
    append_row(sheet, ["", "", *[outcome.rule.code for outcome in compliance.outcomes], ""])
    for cell in [*sheet[2], *sheet[3]]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [row.name, row.code, *row.counts, row.total])
    sheet.column_dimensions["A"].width = 18


def compliance_report(job: Job, progress: Callable[[int], None]) -> tuple[str, bytes]:
    """The file of a compliance job: (file name, content)."""
    compliance = report_compliance(job)
    progress(40)
    previous = report_previous(job, compliance)
    progress(70)
    counties = counties_in(job.acting_scope(), job.scope, compliance.as_of)
    comparison = county_comparison(compliance, counties)
    generated_at = timezone.localtime()
    report_format = job.parameters.get("format", ReportFormat.PDF)
    if report_format == ReportFormat.XLSX:
        content = render_xlsx(compliance, generated_at, previous, comparison)
    else:
        content = render_pdf(compliance, job, generated_at, previous, comparison)
    progress(95)
    filename = f"{job.scope.short_code}-compliance-{compliance.as_of:%Y%m%d}.{report_format}"
    return filename, content
