"""Facilities to and from Excel: the template, the export and the all-or-nothing import.

One sheet spec (stations/sheets.py) serves all three. The import converts
every cell with the kit, matches rows to facilities by key, and hands the
whole file to the batch services the form and the API use
(facilities_create, facilities_update): every row's errors are collected
(row, column, value, rule), and the file is written only when no row fails.
The preview makes the same checks and writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stations import permissions
from stations.divisions import InvalidDivisionCode, Level, normalize_code
from stations.models import Facility, FacilityStatus, Membership
from stations.selectors import divisions_visible, facilities_visible
from stations.services.facilities import (
    BatchInvalid,
    facilities_create,
    facilities_create_check,
    facilities_update,
    facilities_update_check,
)
from stations.sheets import FACILITY_SHEET
from stations.spreadsheets import (
    MAX_ROWS,
)
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

DATA_SHEET = FACILITY_SHEET.name
DIVISIONS_SHEET = "区划代码"


COLUMNS = FACILITY_SHEET.columns
HEADERS = FACILITY_SHEET.headers
# Creating a facility as planned or operating; other statuses have their own actions.
IMPORT_STATUSES = (FacilityStatus.PLANNED, FacilityStatus.OPERATING)


_header_of = FACILITY_SHEET.header_of


def facilities_import(
    actor: Membership,
    rows: list[dict],
    *,
    commit: bool,
    mode: str = "upsert",
    expected: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update one facility per row; all rows or none.

    A row whose key (所在区划代码 + 层级) names a facility of the actor's scope
    updates it through facilities_update, with only the columns the file has
    and only the fields that differ (``mode="create"`` always creates); other
    rows go through facilities_create: the same checks as the form, made for
    the whole file at once. ``result.plans`` says per row what it does: new,
    changed (field, old → new) or unchanged. With ``expected`` (the preview's
    ``plan_digest``) a commit whose plan differs from the preview's writes
    nothing and returns the new plan (``committed`` stays False).

    With ``commit`` false (the preview) the checks run and nothing is written.
    Two operating stations for one township in the same file are caught like
    one against the database. ``progress(percent)`` is told how far it got.
    Raises PermissionDenied for a role that cannot import.
    """
    report = progress or (lambda _percent: None)
    result = ImportResult(rows=rows)
    if not permissions.can_create_facilities(actor):
        raise PermissionDenied(_("您的角色不能导入站点。"))
    with translation.override("zh-hans"), transaction.atomic():
        converted = rows_convert(FACILITY_SHEET, result)
        report(20)
        if mode == "upsert":
            key_repeats(FACILITY_SHEET, converted, result)
        existing = _existing_by_key(actor, converted, result) if mode == "upsert" else {}
        creates: dict[int, dict] = {}
        updates: dict[int, tuple[Facility, dict]] = {}
        for number, values in converted.items():
            facility = existing.get(number)
            if facility is None:
                _plan_create(number, values, creates, result)
            else:
                _plan_update(number, facility, values, updates, result)
        report(40)
        unchanged_plan = expected is None or expected == result.plan_digest
        write = commit and result.ok and unchanged_plan
        # Both batches are checked (and, for a commit, written) even when the first is
        # refused, so every row's errors show; a refusal rolls everything back below.
        try:
            create = facilities_create if write else facilities_create_check
            created = create(actor=actor, items=list(creates.values()))
        except BatchInvalid as invalid:
            _refused(invalid, list(creates), result)
        report(75)
        try:
            update = facilities_update if write else facilities_update_check
            updated = update(actor=actor, changes=list(updates.values()))
        except BatchInvalid as invalid:
            _refused(invalid, list(updates), result)
        if write and result.ok:
            result.created, result.updated = created, updated
        report(95)
        if write and result.ok:
            result.committed = True
        else:
            transaction.set_rollback(True)
    if not result.committed:
        result.created = []
        result.updated = []
    return result


def _refused(invalid: BatchInvalid, numbers: list[int], result: ImportResult) -> None:
    for index, error in invalid.errors.items():
        service_errors(FACILITY_SHEET, result, numbers[index], error, denied_field="division")
    result.errors.sort(key=lambda error: error.row)


def _plan_create(number: int, values: dict, creates: dict, result: ImportResult) -> None:
    if values.get("status") not in (None, *IMPORT_STATUSES):
        # A new facility starts planned or operating; closing has its own dated action.
        result.errors.append(
            RowError(number, _header_of("status"), result.text(number, "status"),
                     _("只能是“筹建中”或“运营中”"))
        )  # fmt: skip
        return
    creates[number] = {
        "level": values["level"],
        "division_code": values["division"],
        "status": values.get("status") or FacilityStatus.OPERATING,
        "established_on": values.get("established_on"),
        **{
            name: value
            for name, value in values.items()
            if name not in KEY_AND_DATED_FIELDS and value is not None
        },
    }
    result.plans[number] = RowPlan(NEW)


def _plan_update(
    number: int, facility: Facility, values: dict, updates: dict, result: ImportResult
) -> None:
    changes = _changes(facility, values)
    refused = [name for name, _old, _new in changes if name in KEY_AND_DATED_FIELDS]
    for name in refused:
        result.errors.append(
            RowError(
                number,
                _header_of(name),
                result.text(number, name),
                _("已有站点的%(header)s不能通过导入修改，请在站点页面操作。")
                % {"header": _header_of(name)},
            )
        )
    if refused:
        return
    if changes:
        updates[number] = (facility, {name: values[name] for name, _old, _new in changes})
        result.plans[number] = RowPlan(
            CHANGED, [(_header_of(name), old, new) for name, old, new in changes]
        )
    else:
        result.plans[number] = RowPlan(UNCHANGED)


# Fields that name the facility or have their own dated actions (open, close, reopen).
KEY_AND_DATED_FIELDS = ("level", "division", "status", "established_on")


def _existing_by_key(
    actor: Membership, converted: dict[int, dict], result: ImportResult
) -> dict[int, Facility]:
    """The facility of the scope each row's key names, read in one query.

    Closed facilities are matched only when no other facility has the key;
    a key naming several facilities is a row error (the row is dropped).
    """
    codes: dict[int, str] = {}
    for number, values in converted.items():
        try:
            codes[number] = normalize_code(values["division"])
        except InvalidDivisionCode:
            continue  # facilities_create reports the code
    found: dict[tuple[str, str], list[Facility]] = {}
    for facility in (
        facilities_visible(actor)
        .filter(division_id__in=set(codes.values()))
        .select_related("division")
        .order_by("pk")
    ):
        found.setdefault((facility.division_id, facility.level), []).append(facility)
    matched: dict[int, Facility] = {}
    for number, code in codes.items():
        candidates = found.get((code, converted[number]["level"]), [])
        if len(candidates) > 1:
            candidates = [f for f in candidates if f.status != FacilityStatus.CLOSED]
        if len(candidates) > 1:
            del converted[number]
            result.errors.append(
                RowError(
                    number,
                    _header_of("division"),
                    result.text(number, "division"),
                    _("该区划有 %(n)d 个同层级的站点，无法确定要修改哪一个，请在站点页面修改。")
                    % {"n": len(candidates)},
                )
            )
        elif candidates:
            matched[number] = candidates[0]
    return matched


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def _changes(facility: Facility, values: dict) -> list[tuple[str, str, str]]:
    """(field, old text, new text) for each column of the file whose value differs."""
    changes = []
    for column in COLUMNS:
        name = column.field
        if name not in values or name in ("level", "division"):
            continue
        new = values[name]
        if name == "name" and not new:
            continue  # a blank name keeps the facility's name
        if name in ("status", "established_on") and new is None:
            continue
        old = getattr(facility, name)
        if name == "office_area_m2" and old is not None and new is not None:
            differs = Decimal(old) != Decimal(new)
        else:
            differs = (old if old is not None else "") != (new if new is not None else "")
        if differs:
            changes.append((name, _as_text(old), _as_text(new)))
    return changes


def _export_note() -> str:
    # The export shares the template's columns, so an edited export updates by key.
    return _(
        "导出的站点清单与模板的列一致，改好后可以再次上传：按“所在区划代码 + 层级”"
        "找到的已有站点会被修改（预览中逐行显示新增、修改、无变化），其余行新建站点；"
        "状态和建成运营日期请在站点页面修改。"
    )


def _division_codes(actor: Membership):
    """The county, township and village codes of the actor's scope (and the city for the city)."""
    levels = dict(Level.choices)
    divisions = (
        divisions_visible(actor)
        .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE], retired_on__isnull=True)
        .order_by("code")
        .values_list("code", "name", "level")
    )
    for code, name, level in divisions.iterator(chunk_size=2000):
        short = code[:6] if level == Level.COUNTY else code[:9] if level == Level.TOWNSHIP else code
        yield [short, name, str(levels[level])]
    if actor.scope is None:
        city = actor.tenant.division
        yield [city.short_code, city.name, str(levels[city.level])]


def facility_template(actor: Membership) -> bytes:
    """An empty import template with drop-downs: level, status, 是/否, division codes in scope."""
    with translation.override("zh-hans"):
        return template_workbook(
            FACILITY_SHEET,
            title=_("站点导入模板 · 填写说明"),
            guide=[
                _(
                    "1. 在“站点”表中每行填写一个站点，第一行列名不要修改；"
                    "带下拉箭头的列请从列表中选择。"
                ),
                _(
                    "2. 所在区划代码：市级中心填市代码，县级指导中心填县代码，"
                    "乡镇（街道）社工站填 9 位乡级代码，村（社区）社工室填 12 位村级代码；"
                    "可选代码见“区划代码”表。"
                ),
                _("3. 牌匾名称留空时按“××县（市、区）××乡镇（街道）社会工作服务站”规范生成。"),
                _(
                    "4. 状态留空即为“运营中”，须填写建成运营日期，不能晚于今天；"
                    "同一乡镇（街道）同一时间只能有一个运营中的社工站。"
                ),
                _("5. 上传后先预览：任何一行有错误时，整个文件都不会导入。每次最多 %(limit)d 行。")
                % {"limit": MAX_ROWS},
                "6. " + _export_note(),
            ],
            codes=CodeList(
                title=DIVISIONS_SHEET,
                headers=["区划代码", "名称", "级别"],
                rows=_division_codes(actor),
                field="division",
            ),
            choices={"status": [str(FacilityStatus(value).label) for value in IMPORT_STATUSES]},
        )


# The list page's order: county, township, level.
EXPORT_ORDER = ("county_code", "division_id", "level", "pk")


def facilities_export_filename(actor: Membership) -> str:
    """``450202-facilities-20261130.xlsx``: the scope's code and today (Asia/Shanghai)."""
    code = actor.scope_division.short_code
    return f"{code}-facilities-{timezone.localdate():%Y%m%d}.xlsx"


def facilities_export(queryset: QuerySet[Facility]) -> bytes:
    """The facilities of ``queryset`` in the template's columns, plus stars, 六有 and closure."""
    rows = (
        [
            *record_row(FACILITY_SHEET, facility, {"division": facility.division.short_code}),
            facility.current_stars,
            YES if facility.six_haves_complete else NO,
            facility.closed_on,
            facility.closure_reason,
        ]
        for facility in queryset.select_related("division").iterator(chunk_size=1000)
    )
    with translation.override("zh-hans"):
        return export_workbook(
            FACILITY_SHEET,
            rows,
            extra_headers=["当前星级", "六有齐全", "停止运营日期", "停止运营原因"],
            note=_export_note(),
        )
