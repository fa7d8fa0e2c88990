"""Organisations to and from Excel: the template, the export and the all-or-nothing import.

One sheet spec (procurement/sheets.py) serves all three. Rows are matched to the
tenant's organisations by their unified social credit code (any case); a matched
row changes only the columns the file has, through organisation_update, and any
other row registers one through organisation_create: the checks of the form,
every row's problems reported (row, column, value, rule), and the file written
only when no row fails. The preview makes the same checks and writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement import permissions
from procurement.models import Organisation
from procurement.selectors import organisations_visible
from procurement.services import organisation_check, organisation_create, organisation_update
from procurement.sheets import ORGANISATION_SHEET
from procurement.uscc import uscc_normalize
from stations.divisions import Level
from stations.models import Division, Membership
from stations.spreadsheets import MAX_ROWS
from stations.spreadsheets.importing import (
    CHANGED,
    NEW,
    UNCHANGED,
    ImportResult,
    Progress,
    RowError,
    RowPlan,
    key_repeats,
    rows_convert,
    service_errors,
)
from stations.spreadsheets.templates import (
    NO,
    YES,
    CodeList,
    export_workbook,
    record_row,
    template_workbook,
)

SPEC = ORGANISATION_SHEET


def organisations_import(
    actor: Membership,
    rows: list[dict],
    *,
    commit: bool,
    mode: str = "upsert",
    expected: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Register or change one organisation per row, keyed on its USCC; all rows or none.

    ``mode="create"`` refuses a row whose USCC is registered already (the
    service says so) instead of changing it. With ``expected`` (the preview's
    ``plan_digest``) a commit whose plan differs from the preview's writes
    nothing. Raises PermissionDenied for a role that cannot register organisations.
    """
    report = progress or (lambda _percent: None)
    result = ImportResult(rows=rows)
    if not permissions.can_manage_organisations(actor):
        raise PermissionDenied(_("您的角色不能登记或修改社会工作服务机构。"))
    with translation.override("zh-hans"), transaction.atomic():
        converted = rows_convert(SPEC, result)
        for number in list(converted):
            if "kind" in converted[number] and converted[number]["kind"] is None:
                converted[number]["kind"] = ""  # an empty cell: kind not given
            try:
                converted[number]["uscc"] = uscc_normalize(converted[number]["uscc"])
            except ValidationError as error:
                del converted[number]
                result.errors.append(
                    RowError(number, SPEC.header_of("uscc"), result.text(number, "uscc"),
                             error.messages[0])
                )  # fmt: skip
        key_repeats(SPEC, converted, result)
        report(20)
        existing = (
            {
                organisation.uscc: organisation
                for organisation in organisations_visible(actor).filter(
                    uscc__in=[values["uscc"] for values in converted.values()]
                )
            }
            if mode == "upsert"
            else {}
        )
        writes: list[tuple[int, Organisation | None, dict]] = []
        for number, values in converted.items():
            organisation = existing.get(values["uscc"])
            if organisation is None:
                writes.append((number, None, values))
                result.plans[number] = RowPlan(NEW)
                continue
            changes = _changes(organisation, values)
            if changes:
                writes.append((number, organisation, {name: values[name] for name, *_ in changes}))
                result.plans[number] = RowPlan(
                    CHANGED, [(SPEC.header_of(name), old, new) for name, old, new in changes]
                )
            else:
                result.plans[number] = RowPlan(UNCHANGED)
        report(40)
        for number, organisation, values in writes:
            try:
                organisation_check(actor=actor, organisation=organisation, **values)
            except (ValidationError, PermissionDenied) as error:
                service_errors(SPEC, result, number, error, denied_field="uscc")
        result.errors.sort(key=lambda error: error.row)
        report(70)
        unchanged_plan = expected is None or expected == result.plan_digest
        if commit and result.ok and unchanged_plan:
            for _number, organisation, values in writes:
                if organisation is None:
                    result.created.append(organisation_create(actor=actor, **values))
                else:
                    result.updated.append(
                        organisation_update(actor=actor, organisation=organisation, **values)
                    )
            result.committed = True
        else:
            transaction.set_rollback(True)
        report(95)
    return result


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def _changes(organisation: Organisation, values: dict) -> list[tuple[str, str, str]]:
    """(field, old text, new text) for each column of the file whose value differs."""
    changes = []
    for column in SPEC.columns:
        name = column.field
        if name not in values or name == "uscc":
            continue
        old = (
            organisation.incubated_by_id if name == "incubated_by" else getattr(organisation, name)
        )
        new = values[name]
        if name == "incubated_by":
            old = old[:6] if old else ""
            new = (new or "")[:6]
        if name == "contact_phone" and _same_phone(old, new):
            continue
        if (old if old is not None else "") != (new if new is not None else ""):
            changes.append((name, _text(old), _text(new)))
    return changes


def _same_phone(old: str | None, new: str | None) -> bool:
    from stations.validation import phone_normalize

    try:
        return phone_normalize(new or "") == (old or "")
    except ValidationError:
        return False


def _note() -> str:
    return _(
        "导出的机构清单与模板的列一致，改好后可以再次上传：按统一社会信用代码找到的"
        "已有机构会被修改（预览中逐行显示新增、修改、无变化），其余行登记为新机构。"
    )


def organisation_template(actor: Membership) -> bytes:
    """An empty import template with drop-downs: kind, 是/否, the city's county codes."""
    # Any county of the city may have incubated an organisation, whoever registers it.
    counties = (
        Division.objects.filter(
            city_code=actor.tenant.code, level=Level.COUNTY, retired_on__isnull=True
        )
        .order_by("code")
        .values_list("code", "name")
    )
    with translation.override("zh-hans"):
        return template_workbook(
            SPEC,
            title=_("社会工作服务机构导入模板 · 填写说明"),
            guide=[
                _("1. 在“机构”表中每行填写一个机构，第一行列名不要修改。"),
                _(
                    "2. 统一社会信用代码为 18 位（GB 32100），字母大小写均可；"
                    "同一代码在本市只能登记一次。"
                ),
                _("3. 孵化基地填本市县（市、区）的 6 位代码，见“县级代码”表；未经孵化留空。"),
                _("4. 上传后先预览：任何一行有错误时，整个文件都不会导入。每次最多 %(limit)d 行。")
                % {"limit": MAX_ROWS},
                "5. " + _note(),
            ],
            codes=CodeList(
                title="县级代码",
                headers=["区划代码", "名称"],
                rows=([code[:6], name] for code, name in counties),
                field="incubated_by",
            ),
        )


def organisations_export_filename(actor: Membership) -> str:
    """``4502-organisations-20261130.xlsx``: the tenant's code and today (Asia/Shanghai)."""
    return f"{actor.tenant.code}-organisations-{timezone.localdate():%Y%m%d}.xlsx"


def organisations_export(queryset: QuerySet[Organisation]) -> bytes:
    """The organisations of ``queryset`` in the template's columns; the file imports again."""
    rows = (
        record_row(
            SPEC,
            organisation,
            {
                "incubated_by": organisation.incubated_by_id[:6]
                if organisation.incubated_by_id
                else None
            },
        )
        for organisation in queryset.iterator(chunk_size=1000)
    )
    with translation.override("zh-hans"):
        return export_workbook(SPEC, rows, note=_note())
