"""The social worker roster to and from Excel: the template, the export and the all-or-nothing
import, keyed on the resident ID number.

One sheet spec (workforce/sheets.py) serves all three. A row's full ID number finds the
worker in the actor's scope through its keyed hash; an exported row carries the number
masked, and finds its worker by the masked number and the name when exactly one matches.
A found worker changes only the columns the file has, through social_workers_save; any
other row registers a worker. A row may also record one credential (level, certificate
number, exam year, pass date), through credentials_create. Every row's problems are
reported (row, column, value masked, rule) and the file is written only when no row
fails; the preview makes the same checks and writes nothing. Checks and writes run in
batches: a file of 20,000 rows makes a few dozen queries.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.models import Organisation
from procurement.selectors import organisations_visible
from procurement.uscc import uscc_normalize
from stations.models import Membership
from stations.scoping import ORGANISATIONS, scope_of
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
from stations.validation import BatchInvalid, batch_memo, phone_mask
from workforce import permissions
from workforce.credentials import credentials_check, credentials_create
from workforce.id_numbers import id_number_hash, id_number_normalize
from workforce.models import LEVEL_RANK, SocialWorker, Specialty
from workforce.selectors import social_workers_visible
from workforce.services import social_workers_check, social_workers_save
from workforce.sheets import ROSTER_SHEET

SPEC = ROSTER_SHEET
MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
CREDENTIAL_FIELDS = ("level", "certificate_number", "exam_year", "passed_on")
WORKER_FIELDS = tuple(
    column.field
    for column in SPEC.columns
    if column.field not in CREDENTIAL_FIELDS and column.field != "id_number"
)
SEPARATORS = re.compile(r"[、,，;；/\s]+")
# Choice cells left empty say nothing: the gender follows the number, a new worker is 在岗.
NOT_GIVEN_IF_EMPTY = ("gender", "status")


def _own_organisation(actor: Membership) -> int | None:
    """A contractor's organisation (the employer of the rows it imports), else None."""
    if not permissions.keeps_own_organisation_only(actor.role):
        return None
    own = list(scope_of(actor).ids(ORGANISATIONS) or ())
    return own[0] if len(own) == 1 else None


def social_workers_import(
    actor: Membership,
    rows: list[dict],
    *,
    commit: bool,
    mode: str = "upsert",
    expected: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Register or change one social worker per row, keyed on the ID number; all or none.

    ``mode="create"`` refuses a row whose number is registered already instead of
    changing that worker. With ``expected`` (the preview's ``plan_digest``) a commit
    whose plan differs from the preview's writes nothing. A contractor's rows are its
    own organisation's workers (an empty employer cell means its organisation). Raises
    PermissionDenied for a role that cannot keep social workers.
    """
    report = progress or (lambda _percent: None)
    result = ImportResult(rows=rows)
    if not permissions.can_manage_social_workers(actor):
        raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))
    with translation.override("zh-hans"), transaction.atomic(), batch_memo():
        converted = rows_convert(SPEC, result)
        own = _own_organisation(actor)
        _resolve_cells(actor, converted, result, own)
        report(20)
        # Masked numbers are resolved to their workers first, so that the repeat check
        # compares people, not masks (two people may share a mask).
        existing = _existing(actor, converted, result) if mode == "upsert" else {}
        key_repeats(SPEC, converted, result)
        existing = {number: worker for number, worker in existing.items() if number in converted}
        report(35)
        usccs = dict(
            Organisation.objects.filter(tenant_id=actor.tenant_id).values_list("pk", "uscc")
        )
        workers: dict[int, tuple[SocialWorker | None, dict]] = {}
        credentials: dict[int, dict] = {}
        for number, values in converted.items():
            worker = existing.get(number)
            fields = {
                name: values[name]
                for name in WORKER_FIELDS
                if name in values and not (values[name] is None and name in NOT_GIVEN_IF_EMPTY)
            }
            credential = {name: values[name] for name in CREDENTIAL_FIELDS if name in values}
            wants_credential = any(value not in (None, "") for value in credential.values())
            if worker is None:
                if own is not None and "employer" not in fields:
                    fields["employer"] = own
                workers[number] = (None, {"id_number": values["id_number"], **fields})
                result.plans[number] = RowPlan(NEW)
            else:
                changes = _changes(worker, fields, usccs)
                if changes:
                    workers[number] = (worker, {name: fields[name] for name, *_ in changes})
                held = {c.certificate_number: c for c in worker.credentials.all()}
                same = held.get(credential.get("certificate_number") or "")
                if wants_credential and same is None:
                    changes.append(
                        ("certificate_number", "", credential.get("certificate_number") or "")
                    )
                elif wants_credential and same is not None:
                    wants_credential = False
                    differs = [
                        SPEC.header_of(name)
                        for name in CREDENTIAL_FIELDS
                        if name in credential
                        and credential[name] not in (None, "")
                        and credential[name] != getattr(same, name)
                    ]
                    if differs:
                        result.errors.append(
                            RowError(
                                number,
                                SPEC.header_of("certificate_number"),
                                same.certificate_number,
                                _("该证书已登记，%(columns)s与登记的不同；证书信息不能通过导入修改，"
                                  "请在社工页面核对") % {"columns": "、".join(differs)},
                            )
                        )  # fmt: skip
                result.plans[number] = (
                    RowPlan(CHANGED, [(SPEC.header_of(n), old, new) for n, old, new in changes])
                    if changes
                    else RowPlan(UNCHANGED)
                )
            if wants_credential:
                credentials[number] = credential
        report(50)
        unchanged_plan = expected is None or expected == result.plan_digest
        write = commit and result.ok and unchanged_plan
        numbers = list(workers)
        checked: dict[int, SocialWorker] = {}
        try:
            save = social_workers_save if write else social_workers_check
            done = save(actor=actor, items=list(workers.values()))
            checked = dict(zip(numbers, done, strict=True))
        except BatchInvalid as invalid:
            for index, error in invalid.errors.items():
                service_errors(SPEC, result, numbers[index], error, denied_field="id_number")
        except ValidationError as error:  # a number registered meanwhile
            header = SPEC.header_of("id_number")
            result.errors.append(RowError(numbers[0], header, "", error.messages[0]))
        report(75)
        # A row whose worker was refused still has its credential checked (against an
        # unsaved stand-in), so that every problem of the file shows at once.
        holders = {
            number: checked.get(number) or existing.get(number) or SocialWorker(tenant=actor.tenant)
            for number in credentials
        }
        credential_numbers = list(holders)
        try:
            record = credentials_create if write and result.ok else credentials_check
            record(
                actor=actor,
                items=[(holders[number], credentials[number]) for number in credential_numbers],
            )
        except BatchInvalid as invalid:
            for index, refusal in invalid.errors.items():
                number = credential_numbers[index]
                service_errors(SPEC, result, number, refusal, denied_field="certificate_number")
        except ValidationError as meanwhile:  # a certificate recorded meanwhile
            header = SPEC.header_of("certificate_number")
            result.errors.append(RowError(credential_numbers[0], header, "", meanwhile.messages[0]))
        result.errors.sort(key=lambda row_error: row_error.row)
        report(95)
        if write and result.ok:
            result.created = [w for number, w in checked.items() if number not in existing]
            result.updated = [w for number, w in checked.items() if number in existing]
            result.committed = True
        else:
            transaction.set_rollback(True)
    if not result.committed:
        result.created, result.updated = [], []
    return result


def _resolve_cells(
    actor: Membership, converted: dict[int, dict], result: ImportResult, own: int | None
) -> None:
    """Normalise the ID number, turn the employer's USCC into its id and the specialties'
    names into codes; a row with a cell that cannot be is dropped with its errors."""
    usccs: dict[int, str] = {}
    checked_codes: dict[str, str | ValidationError] = {}
    bad: set[int] = set()

    def refuse(number: int, name: str, rule: str) -> None:
        bad.add(number)
        text = SPEC.shown(name, result.text(number, name))
        result.errors.append(RowError(number, SPEC.header_of(name), text, rule))

    labels = {str(label): code for code, label in Specialty.choices}
    for number, values in converted.items():
        raw = str(values.get("id_number") or "").strip().upper()
        if MASKED.match(raw):
            values["id_number"] = raw
        else:
            try:
                values["id_number"] = id_number_normalize(raw)
            except ValidationError as error:
                refuse(number, "id_number", error.messages[0])
        if "specialties" in values:
            names = [name for name in SEPARATORS.split(values["specialties"] or "") if name]
            unknown = [name for name in names if name not in labels]
            if unknown:
                refuse(
                    number,
                    "specialties",
                    _("“%(names)s”不是专业领域；可填：%(known)s")
                    % {"names": "、".join(unknown), "known": "、".join(labels)},
                )
            else:
                values["specialties"] = [labels[name] for name in names]
        if values.get("employer"):
            # A roster names a handful of organisations: each code is checked once.
            raw_code = values["employer"]
            if raw_code not in checked_codes:
                try:
                    checked_codes[raw_code] = uscc_normalize(raw_code)
                except ValidationError as error:
                    checked_codes[raw_code] = error
            code = checked_codes[raw_code]
            if isinstance(code, ValidationError):
                refuse(number, "employer", code.messages[0])
            else:
                usccs[number] = code
    organisations = dict(
        Organisation.objects.filter(
            tenant_id=actor.tenant_id, uscc__in=set(usccs.values())
        ).values_list("uscc", "pk")
    )
    for number, values in converted.items():
        if number in bad:
            continue
        if number in usccs:
            if usccs[number] not in organisations:
                refuse(
                    number,
                    "employer",
                    _("统一社会信用代码为 %(code)s 的机构未在本市登记") % {"code": usccs[number]},
                )
            else:
                values["employer"] = organisations[usccs[number]]
        elif "employer" in values:
            # An empty cell: no employer, or a contractor's own organisation.
            values["employer"] = own
        if values.get("education") is None and "education" in values:
            values["education"] = ""
    for number in bad:
        del converted[number]


def _existing(
    actor: Membership, converted: dict[int, dict], result: ImportResult
) -> dict[int, SocialWorker]:
    """The workers in scope the rows name: by the hash of a full number, or by a masked
    number and the name when exactly one worker matches (else a row error)."""
    full = {
        number: id_number_hash(values["id_number"])
        for number, values in converted.items()
        if "*" not in values["id_number"]
    }
    masked = {
        number: (values["id_number"], values.get("name", ""))
        for number, values in converted.items()
        if number not in full
    }
    visible = social_workers_visible(actor).prefetch_related("credentials")
    by_hash = {
        worker.id_number_hash: worker for worker in visible.filter(id_number_hash__in=full.values())
    }
    found = {number: by_hash[digest] for number, digest in full.items() if digest in by_hash}
    if masked:
        candidates: dict[tuple[str, str], list[SocialWorker]] = {}
        for worker in visible.filter(id_number_masked__in=[m for m, _n in masked.values()]):
            candidates.setdefault((worker.id_number_masked, worker.name), []).append(worker)
        for number, key in masked.items():
            matches = candidates.get(key, [])
            if len(matches) == 1:
                found[number] = matches[0]
                converted[number]["id_number"] = matches[0].id_number
                continue
            del converted[number]
            result.errors.append(
                RowError(
                    number,
                    SPEC.header_of("id_number"),
                    key[0],
                    _("隐去的号码和姓名找不到唯一的社工，请填写完整的 18 位公民身份号码"),
                )
            )
    return found


def _text(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if name == "phone":
        return phone_mask(value)
    if name == "specialties":
        return "、".join(str(Specialty(code).label) for code in value)
    column = SPEC.column(name)
    if column is not None and column.kind == "choice":
        return str(column.choice_lookup()[0].get(value, value))
    return str(value)


def _changes(
    worker: SocialWorker, values: dict, usccs: dict[int, str]
) -> list[tuple[str, str, str]]:
    """(field, old text, new text) for each column of the file whose value differs."""
    changes = []
    for name, new in values.items():
        old: Any = worker.employer_id if name == "employer" else getattr(worker, name)
        if name == "phone" and _same_phone(old, new):
            continue
        if name == "specialties":
            same = sorted(old or []) == sorted(new or [])
        else:
            same = (old if old is not None else "") == (new if new is not None else "")
        if not same:
            if name == "employer":
                changes.append((name, usccs.get(old, ""), usccs.get(new, "")))
            else:
                changes.append((name, _text(name, old), _text(name, new)))
    return changes


def _same_phone(old: str | None, new: str | None) -> bool:
    """Whether a phone cell says the stored phone: the same number, or its mask (an
    exported row)."""
    from stations.validation import phone_normalize

    if new and "*" in new:
        return phone_mask(old or "") == new
    try:
        return phone_normalize(new or "") == (old or "")
    except ValidationError:
        return False


def _note() -> str:
    return _(
        "导出的名单与模板的列一致，公民身份号码已隐去；改好后可以再次上传：按隐去的号码和"
        "姓名找到的社工会被修改（预览中逐行显示新增、修改、无变化）。新登记的社工请填写"
        "完整的 18 位号码。"
    )


def roster_template(actor: Membership) -> bytes:
    """An empty roster template with drop-downs; the organisations the actor may name."""
    organisations = organisations_visible(actor).order_by("name").values_list("uscc", "name")
    if permissions.keeps_own_organisation_only(actor.role):
        organisations = organisations.filter(pk__in=scope_of(actor).ids(ORGANISATIONS) or ())
    with translation.override("zh-hans"):
        return template_workbook(
            SPEC,
            title=_("社会工作者名单导入模板 · 填写说明"),
            guide=[
                _("1. 在“社会工作者”表中每行填写一名社工，第一行列名不要修改。"),
                _(
                    "2. 公民身份号码为 18 位（末位 X 大小写均可），出生日期和性别按号码确定；"
                    "同一号码在本市只能登记一次。"
                ),
                _("3. 所在机构填统一社会信用代码，见“机构”表；承接机构留空即为本机构。"),
                _("4. 专业领域可填多个，用顿号分隔：%(names)s。")
                % {"names": "、".join(str(label) for _code, label in Specialty.choices)},
                _("5. 每行可登记一张证书：证书级别、证书编号、考试年度、取得证书日期一并填写。"),
                _("6. 上传后先预览：任何一行有错误时，整个文件都不会导入。每次最多 %(limit)d 行。")
                % {"limit": MAX_ROWS},
                "7. " + _note(),
            ],
            codes=CodeList(
                title="机构",
                headers=["统一社会信用代码", "机构名称"],
                rows=([uscc, name] for uscc, name in organisations),
                field="employer",
            ),
        )


def roster_export_filename(actor: Membership) -> str:
    """``4502-social-workers-20261130.xlsx``: the tenant's code and today (Asia/Shanghai)."""
    return f"{actor.tenant.code}-social-workers-{timezone.localdate():%Y%m%d}.xlsx"


def roster_export(queryset: QuerySet[SocialWorker]) -> bytes:
    """The workers of ``queryset`` in the template's columns, ID numbers masked, each with
    their highest credential; the file imports again (a worker found by masked number and
    name)."""
    workers = queryset.select_related("employer").prefetch_related("credentials")

    def row(worker: SocialWorker) -> list:
        credentials = sorted(worker.credentials.all(), key=lambda c: LEVEL_RANK[c.level])
        top = credentials[-1] if credentials else None
        return record_row(
            SPEC,
            worker,
            {
                "id_number": worker.id_number_masked,
                "phone": phone_mask(worker.phone) if worker.phone else "",
                "employer": worker.employer.uscc if worker.employer else "",
                "specialties": "、".join(str(Specialty(code).label) for code in worker.specialties),
                "level": top.level if top else None,
                "certificate_number": top.certificate_number if top else "",
                "exam_year": top.exam_year if top else None,
                "passed_on": top.passed_on if top else None,
            },
        )

    with translation.override("zh-hans"):
        return export_workbook(
            SPEC, (row(worker) for worker in workers.iterator(chunk_size=1000)), note=_note()
        )
