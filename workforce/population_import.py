"""Population figures to and from Excel: the template, the export and the all-or-nothing
import, keyed on the division and the year (one sheet spec, workforce/sheets.py).

A row sets the city's or a county's resident population in a year with its source,
through population_check and population_set: a figure for a year already recorded
replaces it (the preview shows old → new). Only city admins import.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stations.divisions import Level
from stations.models import Division, Membership
from stations.spreadsheets.importing import (
    CHANGED,
    NEW,
    UNCHANGED,
    ImportResult,
    Progress,
    RowPlan,
    key_repeats,
    rows_convert,
    service_errors,
)
from stations.spreadsheets.templates import CodeList, export_workbook, record_row, template_workbook
from workforce import permissions
from workforce.models import Population
from workforce.population import population_check, population_set
from workforce.sheets import POPULATION_SHEET

SPEC = POPULATION_SHEET


def population_import(
    actor: Membership,
    rows: list[dict],
    *,
    commit: bool,
    mode: str = "upsert",
    expected: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Set one population figure per row (the city or a county, a year); all or none.

    ``mode="create"`` refuses a row for a year already recorded instead of replacing it.
    With ``expected`` (the preview's ``plan_digest``) a commit whose plan differs writes
    nothing. Raises PermissionDenied for anyone but a city admin.
    """
    report = progress or (lambda _percent: None)
    result = ImportResult(rows=rows)
    if not permissions.can_manage_population(actor):
        raise PermissionDenied(_("只有市级管理员可以登记人口数。"))
    with translation.override("zh-hans"), transaction.atomic():
        converted = rows_convert(SPEC, result)
        for values in converted.values():
            values["division"] = (values.get("division") or "").ljust(12, "0")
            count = values.get("population")
            if isinstance(count, Decimal) and count == count.to_integral_value():
                values["population"] = int(count)
        key_repeats(SPEC, converted, result)
        report(30)
        existing = {
            (row.division_id, row.year): row
            for row in Population.objects.filter(tenant_id=actor.tenant_id)
        }
        writes = []
        for number, values in converted.items():
            try:
                figure = population_check(actor=actor, **values)
            except (ValidationError, PermissionDenied) as error:
                service_errors(SPEC, result, number, error, denied_field="division")
                continue
            old = existing.get((figure.division_id, figure.year))
            if old is None:
                result.plans[number] = RowPlan(NEW)
            elif mode == "create":
                taken = ValidationError({"year": [_("该年份的人口数已登记。")]})
                service_errors(SPEC, result, number, taken, denied_field="division")
                continue
            else:
                changes = [
                    (SPEC.header_of(name), str(getattr(old, name)), str(getattr(figure, name)))
                    for name in ("population", "source")
                    if getattr(old, name) != getattr(figure, name)
                ]
                result.plans[number] = RowPlan(CHANGED, changes) if changes else RowPlan(UNCHANGED)
                if not changes:
                    continue
            writes.append(values)
        result.errors.sort(key=lambda row_error: row_error.row)
        report(70)
        unchanged_plan = expected is None or expected == result.plan_digest
        if commit and result.ok and unchanged_plan:
            result.created = [population_set(actor=actor, **values) for values in writes]
            result.committed = True
        else:
            transaction.set_rollback(True)
        report(95)
    return result


def _divisions(actor: Membership) -> QuerySet[Division]:
    return Division.objects.filter(
        city_code=actor.tenant.code, level__in=[Level.CITY, Level.COUNTY], retired_on__isnull=True
    ).order_by("code")


def population_template(actor: Membership) -> bytes:
    """An empty template with the city's and its counties' codes."""
    with translation.override("zh-hans"):
        return template_workbook(
            SPEC,
            title=_("人口数导入模板 · 填写说明"),
            guide=[
                _("1. 每行填写本市或一个县（市、区）某一年的常住人口，代码见“区划代码”表。"),
                _("2. 注明数据来源，如“第七次全国人口普查”或统计年鉴。"),
                _("3. 已登记的年份会被新数字替换（预览中显示原数和新数）。"),
            ],
            codes=CodeList(
                title="区划代码",
                headers=["区划代码", "名称"],
                rows=([division.short_code, division.name] for division in _divisions(actor)),
                field="division",
            ),
        )


def population_export(queryset: QuerySet[Population]) -> bytes:
    """The figures of ``queryset`` in the template's columns; the file imports again."""
    rows = (
        record_row(SPEC, row, {"division": row.division.short_code})
        for row in queryset.select_related("division").order_by("division_id", "year")
    )
    with translation.override("zh-hans"):
        return export_workbook(SPEC, rows)


def population_export_filename(actor: Membership) -> str:
    """``4502-population-20261130.xlsx``."""
    return f"{actor.tenant.code}-population-{timezone.localdate():%Y%m%d}.xlsx"
