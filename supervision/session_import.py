"""Supervision sessions to and from Excel: the template of a contract's month (its sessions
so far, which import again unchanged), the empty template, and the all-or-nothing import.

A row is one session: the contract by number, the station by name among those the
contract covers, the supervisor by name (and 督导编号 when two share a name), start and
end in Beijing time, hours, form, topics, the stationed workers who took part (names),
notes. Each row goes through session_create inside the import's transaction, so a
preview checks exactly what a commit would write (rows of the same file count toward a
supervisor's 24 hours a day) and writes nothing. Sign-in sheets are uploaded on the
month's page, not in Excel.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.models import Contract, ContractFacility, ContractKind, ContractState
from procurement.selectors import contracts_visible
from stations.models import Membership
from stations.spreadsheets.cells import normalise
from stations.spreadsheets.importing import (
    NEW,
    UNCHANGED,
    ImportResult,
    Progress,
    RowPlan,
    key_repeats,
    rows_convert,
    service_errors,
)
from stations.spreadsheets.templates import CodeList, record_row, template_workbook
from stations.validation import StateConflict
from supervision import permissions
from supervision.models import SupervisionSession
from supervision.services import month_end, session_create
from supervision.sheets import SESSION_SHEET
from workforce.models import Assignment, SocialWorker
from workforce.summary import STATION_ROLES

SPEC = SESSION_SHEET
# The session_check values a form or a row gives directly (the rest are looked up).
SESSION_FIELDS = ("started_at", "ended_at", "hours", "hours_note", "form", "topics", "notes")
NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _key(text: str) -> str:
    """``text`` as the kit reads a cell (NFKC, trimmed), for comparing records with cells."""
    return str(normalise(text or ""))


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _contracts(actor: Membership):
    return (
        contracts_visible(actor)
        .filter(kind=ContractKind.STATION_OPERATION)
        .exclude(state=ContractState.DRAFT)
    )


class _Lookups:
    """What rows name, read once per import: the contracts, their stations, supervisors
    (assigned under the contract, or workers of its organisation) and stationed workers."""

    def __init__(self, actor: Membership, numbers: set[str]):
        # Cells are read NFKC-normalised: records are compared the same way.
        wanted = {_key(number) for number in numbers}
        self.contracts = {
            _key(contract.number): contract
            for contract in _contracts(actor).select_related("organisation")
            if _key(contract.number) in wanted
        }
        ids = [contract.pk for contract in self.contracts.values()]
        self.stations: dict[tuple[int, str], list] = {}
        for row in ContractFacility.objects.filter(contract__in=ids).select_related("facility"):
            key = (row.contract_id, _key(row.facility.name))
            self.stations.setdefault(key, []).append(row.facility)
        people = SocialWorker.objects.filter(tenant_id=actor.tenant_id).filter(
            Q(supervisions__contract__in=ids)
            | Q(employer__in=[contract.organisation_id for contract in self.contracts.values()])
        )
        self.supervisors: dict[tuple[int, str], list[SocialWorker]] = {}
        self.by_pk: dict[int, SocialWorker] = {}
        organisation_of = {
            contract.pk: contract.organisation_id for contract in self.contracts.values()
        }
        assigned = set(
            SocialWorker.objects.filter(supervisions__contract__in=ids).values_list(
                "pk", "supervisions__contract"
            )
        )
        for worker in people.distinct():
            self.by_pk[worker.pk] = worker
            for contract_id, organisation in organisation_of.items():
                if worker.employer_id == organisation or (worker.pk, contract_id) in assigned:
                    key = (contract_id, _key(worker.name))
                    self.supervisors.setdefault(key, []).append(worker)
        facilities = {facility.pk for found in self.stations.values() for facility in found}
        self.posted: dict[tuple[int, str], list[SocialWorker]] = {}
        for assignment in Assignment.objects.filter(
            facility__in=facilities, role__in=STATION_ROLES
        ).select_related("worker"):
            key = (assignment.facility_id, _key(assignment.worker.name))
            found = self.posted.setdefault(key, [])
            if assignment.worker not in found:
                found.append(assignment.worker)


def _resolve(lookups: _Lookups, values: dict) -> tuple[dict, dict[str, list[str]]]:
    """The row's values as session_create takes them, and the problems of what it names."""
    problems: dict[str, list[str]] = {}
    resolved = {name: values[name] for name in SESSION_FIELDS if name in values}
    for name in ("started_at", "ended_at"):
        if resolved.get(name) is not None:
            resolved[name] = _local(resolved[name])
    contract = lookups.contracts.get(values.get("contract", ""))
    if contract is None:
        problems["contract"] = [_("不是本机构承接的社工站运营合同")]
        return resolved, problems
    resolved["contract"] = contract
    stations = lookups.stations.get((contract.pk, _key(values.get("facility") or "")), [])
    if len(stations) != 1:
        problems["facility"] = [
            _("该合同不覆盖这个站点，请从“站点”表中选择")
            if not stations
            else _("该合同覆盖两个同名站点，请联系采购人")
        ]
    else:
        resolved["facility"] = stations[0]
    number = values.get("supervisor_id") or ""
    named = lookups.supervisors.get((contract.pk, values.get("supervisor", "")), [])
    if number:
        chosen = [worker for worker in named if str(worker.pk) == number]
        if not chosen:
            problems["supervisor_id"] = [_("督导编号与姓名不符，请见填写说明中的督导名单")]
    else:
        chosen = named
        if len(named) > 1:
            problems["supervisor"] = [_("有同名的社工，请在“督导编号”列填写编号")]
        elif not named:
            problems["supervisor"] = [_("不是本合同安排的督导或本机构的社工")]
    if len(chosen) == 1:
        resolved["supervisor"] = chosen[0]
    participants = []
    names = [name.strip() for name in NAME_SEPARATORS.split(values.get("participants") or "")]
    names = [name for name in names if name]
    facility = resolved.get("facility")
    for name in names:
        found = lookups.posted.get((facility.pk, name), []) if facility is not None else []
        if len(found) == 1:
            participants.append(found[0])
        else:
            problems.setdefault("participants", []).append(
                _("%(name)s 不是该站点的驻站社工") % {"name": name}
                if not found
                else _("该站点有两位 %(name)s，请在网页上录入") % {"name": name}
            )
    resolved["participants"] = participants
    return resolved, problems


def _minute(moment: datetime.datetime) -> datetime.datetime:
    """A time as a row gives it: local, naive, to the minute."""
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def _existing(contract_ids: list[int]) -> dict[tuple, SupervisionSession]:
    """Recorded sessions by the key a row gives (contract number, station, start)."""
    return {
        (_key(row.contract.number), _key(row.facility.name), _minute(row.started_at)): row
        for row in SupervisionSession.objects.filter(contract__in=contract_ids)
        .select_related("contract", "facility")
        .prefetch_related("participants")
    }


def sessions_import(
    actor: Membership,
    rows: list[dict],
    *,
    commit: bool,
    mode: str = "upsert",
    expected: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Record one session per row; all or none. A row repeating a session already recorded
    (same contract, station and start) is unchanged when it says the same, an error when
    it differs (a session is changed on the month's page). ``expected`` as for every
    import (the preview's ``plan_digest``). Raises PermissionDenied for anyone but a
    contractor; a row of a contract that is not its own is a row error."""
    report = progress or (lambda _percent: None)
    result = ImportResult(rows=rows)
    if not permissions.can_import_sessions(actor):
        raise PermissionDenied(_("只有承接机构可以导入督导记录。"))
    with translation.override("zh-hans"), transaction.atomic():
        converted = rows_convert(SPEC, result)
        key_repeats(SPEC, converted, result)
        lookups = _Lookups(actor, {values.get("contract", "") for values in converted.values()})
        existing = _existing([contract.pk for contract in lookups.contracts.values()])
        report(30)
        for number, values in converted.items():
            resolved, problems = _resolve(lookups, values)
            if problems:
                service_errors(SPEC, result, number, ValidationError(problems),
                               denied_field="contract")  # fmt: skip
                continue
            key = (values["contract"], _key(values["facility"]), values["started_at"])
            old = existing.get(key)
            if old is not None:
                if _same(old, resolved):
                    result.plans[number] = RowPlan(UNCHANGED)
                else:
                    taken = ValidationError({"started_at": [
                        _("该站点这一时间已有督导记录且内容不同；如需修改，请先在网页上删除原记录")
                    ]})  # fmt: skip
                    service_errors(SPEC, result, number, taken, denied_field="contract")
                continue
            try:
                with transaction.atomic():
                    created = session_create(actor=actor, **resolved)
            except (ValidationError, PermissionDenied) as refusal:
                service_errors(SPEC, result, number, refusal, denied_field="contract")
                continue
            except StateConflict as conflict:
                locked = ValidationError({"started_at": [str(conflict)]})
                service_errors(SPEC, result, number, locked, denied_field="contract")
                continue
            result.plans[number] = RowPlan(NEW)
            result.created.append(created)
        result.errors.sort(key=lambda row_error: row_error.row)
        report(80)
        unchanged_plan = expected is None or expected == result.plan_digest
        if commit and result.ok and unchanged_plan:
            result.committed = True
        else:
            result.created = []
            transaction.set_rollback(True)
        report(95)
    return result


def _same(old: SupervisionSession, new: dict) -> bool:
    """Whether a row says what the recorded session says (cells are read NFKC-normalised:
    a full-width colon typed on the page comes back as ``:``)."""
    texts = ("topics", "notes", "hours_note")
    return (
        _minute(old.ended_at) == _minute(new["ended_at"])
        and old.supervisor_id == getattr(new.get("supervisor"), "pk", None)
        and old.form == new.get("form")
        and all(_key(getattr(old, name)) == _key(new.get(name) or "") for name in texts)
        and (new.get("hours") is None or old.hours == new["hours"])
        and {worker.pk for worker in old.participants.all()}
        == {worker.pk for worker in new.get("participants") or ()}
    )


def _cell_time(moment: datetime.datetime) -> datetime.datetime | str:
    """A time for the workbook: a date-and-time cell, or text at midnight (a spreadsheet
    reader gives a 00:00 cell back as a bare date, which the column refuses)."""
    local = _minute(moment)
    return f"{local:%Y-%m-%d %H:%M}" if local.time() == datetime.time() else local


def _session_row(session: SupervisionSession) -> list:
    return record_row(
        SPEC,
        session,
        {
            "contract": session.contract.number,
            "facility": session.facility.name,
            "supervisor": session.supervisor.name,
            "supervisor_id": str(session.supervisor_id),
            "started_at": _cell_time(session.started_at),
            "ended_at": _cell_time(session.ended_at),
            "participants": "、".join(worker.name for worker in session.participants.all()),
        },
    )


def _workbook(actor: Membership, contracts: list[Contract], month: datetime.date | None,
              sessions=()) -> bytes:  # fmt: skip
    """The template for ``contracts`` (``month``: their stations operating then)."""
    from supervision.selectors import (
        county_of,
        expected_stations,
        supervisor_assignments_visible,
    )

    with translation.override("zh-hans"):
        if month is not None:
            covered = expected_stations(
                [(contract.pk, month) for contract in contracts], county_of(actor)
            )
            stations = [
                [station.name, contract.number]
                for contract in contracts
                for station in covered[(contract.pk, month)]
            ]
        else:
            stations = [
                [row.facility.name, row.contract.number]
                for row in ContractFacility.objects.filter(contract__in=contracts)
                .select_related("facility", "contract")
                .order_by("contract__number", "facility__division_id")
            ]
        assignments = supervisor_assignments_visible(actor).filter(contract__in=contracts)
        if month is not None:
            assignments = assignments.filter(started_on__lte=month_end(month)).filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=month)
            )
        supervisors: dict[tuple[int, str], list[str]] = {}
        for assignment in assignments.order_by("supervisor__name"):
            supervisors.setdefault(
                (assignment.supervisor_id, assignment.supervisor.name), []
            ).append(assignment.facility.name)
        guide = [
            _(
                "1. 每行填写一次督导：合同编号、站点（见“站点”表）、督导姓名、"
                "开始和结束时间（北京时间）、督导形式和主题。"
            ),
            _(
                "2. 一次督导可以跨天，但不能跨月；时长留空按起止时间计算，"
                "少于起止时间时请填写时长说明。"
            ),
            _("3. 参加社工填写该站点驻站社工的姓名，多人用顿号分隔。签到表请在网页上逐条上传。"),
            _("4. 表中已有的督导记录再次导入时不变；已提交或已通过的月份不能再导入。"),
            _("督导名单（同名时在“督导编号”列填写编号）："),
            *(
                _("  %(name)s，编号 %(pk)d，负责 %(stations)s")
                % {"name": name, "pk": pk, "stations": "、".join(names)}
                for (pk, name), names in supervisors.items()
            ),
        ]
        title = _("督导记录导入模板")
        if month is not None and len(contracts) == 1:
            title = _("督导记录 · %(number)s · %(month)s") % {
                "number": contracts[0].number,
                "month": f"{month:%Y-%m}",
            }
        return template_workbook(
            SPEC,
            title=title,
            guide=guide,
            codes=CodeList(
                title="站点", headers=["站点", "合同编号"], rows=stations, field="facility"
            ),  # fmt: skip
            rows=(_session_row(session) for session in sessions),
        )


def session_template(actor: Membership) -> bytes:
    """The empty template of the contractor's contracts in force today."""
    today = timezone.localdate()
    contracts = list(
        _contracts(actor).filter(start_on__lte=today, live_until__gte=today).order_by("number")
    )
    return _workbook(actor, contracts, None)


def sessions_month_workbook(actor: Membership, contract: Contract, month: datetime.date) -> bytes:
    """The template of ``contract``'s ``month`` holding the sessions recorded so far."""
    from supervision.selectors import sessions_visible

    sessions = (
        sessions_visible(actor)
        .filter(contract=contract, month=month)
        .select_related("contract", "facility", "supervisor")
        .prefetch_related("participants")
        .order_by("started_at")
    )
    return _workbook(actor, [contract], month, sessions)


def session_template_filename(contract: Contract, month: datetime.date) -> str:
    """``supervision-<contract number>-2024-03.xlsx`` (the number made safe for a name)."""
    safe = re.sub(r"[^0-9A-Za-z_-]+", "_", contract.number).strip("_") or str(contract.pk)
    return f"supervision-{safe}-{month:%Y-%m}.xlsx"
