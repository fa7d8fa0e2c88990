"""The report kinds of the reports app, declared once each (collected by stations.registry).

A kind names its code, Chinese label, parameters, formats, who may ask for it
and the producer that renders it; the jobs page, the jobs and reports APIs and
the service that checks a request are all built from these declarations.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from reports import permissions
from reports.compliance_report import compliance_report
from reports.coverage_report import coverage_report
from reports.exports import divisions_export
from stations.registry import ReportKind

REPORT_KINDS = [
    ReportKind(
        code="divisions_export",
        label=_("区划与覆盖口径清单（XLSX）"),
        parameters=(),
        formats=("xlsx",),
        may_request=permissions.can_use_jobs,
        producer=divisions_export,
        division_levels=("city", "county", "township"),
        is_report=False,
        title=_("区划与覆盖口径清单"),
    ),
    ReportKind(
        code="coverage",
        label=_("社工站覆盖率报告"),
        parameters=("as_of", "format"),
        formats=("pdf", "xlsx"),
        may_request=permissions.can_use_jobs,
        producer=coverage_report,
        division_levels=("city", "county", "township"),
    ),
    ReportKind(
        code="compliance",
        label=_("目标达标情况报告"),
        parameters=("as_of", "format"),
        formats=("pdf", "xlsx"),
        may_request=permissions.can_view_compliance,
        producer=compliance_report,
        division_levels=("city", "county"),
    ),
]
